import { GetCommand, PutCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { ProfileRepository } from '../ports';
import type { StoredProfile } from '../schemas';

export class DynamoProfileRepository implements ProfileRepository {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async get(userId: string): Promise<StoredProfile | undefined> {
    const { Item } = await this.db.send(new GetCommand({ TableName: this.tableName, Key: { userId } }));
    return Item as StoredProfile | undefined;
  }

  async put(profile: StoredProfile): Promise<void> {
    await this.db.send(new PutCommand({ TableName: this.tableName, Item: profile }));
  }

  /** One UpdateItem: changed fields are set, the rest of the seed only fills what is missing. */
  async update(userId: string, changes: Partial<StoredProfile>, seed: StoredProfile): Promise<StoredProfile> {
    const names: Record<string, string> = {};
    const values: Record<string, unknown> = {};
    const sets: string[] = [];
    let i = 0;
    for (const [key, value] of Object.entries({ ...seed, ...changes })) {
      if (key === 'userId' || value === undefined) continue;
      i += 1;
      names[`#a${i}`] = key;
      values[`:v${i}`] = value;
      sets.push(key in changes ? `#a${i} = :v${i}` : `#a${i} = if_not_exists(#a${i}, :v${i})`);
    }
    const { Attributes } = await this.db.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { userId },
        UpdateExpression: `SET ${sets.join(', ')}`,
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
        ReturnValues: 'ALL_NEW',
      }),
    );
    return Attributes as StoredProfile;
  }
}
