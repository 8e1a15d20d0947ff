import { GetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Recipient, Recipients } from '../ports';

/**
 * The shopper's address and e-mail preference from their profile in the users table — read, never written. The
 * profile and not Cognito: the preference lives only there, and one GetItem gives both (the users context keeps
 * the profile's email equal to the sign-in address: it is set at registration and not editable).
 */
export class DynamoRecipients implements Recipients {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async find(userId: string): Promise<Recipient | undefined> {
    const { Item } = await this.db.send(
      new GetCommand({
        TableName: this.tableName,
        Key: { userId },
        ProjectionExpression: 'email, firstName, preferences',
      }),
    );
    if (!Item || typeof Item.email !== 'string') return undefined;
    return {
      email: Item.email,
      ...(typeof Item.firstName === 'string' ? { firstName: Item.firstName } : {}),
      ...(Item.preferences && typeof Item.preferences === 'object'
        ? { preferences: Item.preferences as Record<string, unknown> }
        : {}),
    };
  }
}
