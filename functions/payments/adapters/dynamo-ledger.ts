import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { LedgerEntry, PaymentsLedger } from '../ports';

const LEDGER_PREFIX = 'LEDGER#';

export class DynamoPaymentsLedger implements PaymentsLedger {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async entries(orderId: string): Promise<LedgerEntry[]> {
    const { Items = [] } = await this.db.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: 'orderId = :o AND begins_with(entry, :p)',
        ExpressionAttributeValues: { ':o': orderId, ':p': LEDGER_PREFIX },
        ConsistentRead: true,
      }),
    );
    return Items.map(({ entry: _entry, ...rest }) => rest as LedgerEntry);
  }

  async record(entry: LedgerEntry): Promise<LedgerEntry> {
    const key = { orderId: entry.orderId, entry: `${LEDGER_PREFIX}${entry.kind}` };
    try {
      await this.db.send(new PutCommand({ TableName: this.tableName, Item: { ...key, ...entry }, ConditionExpression: 'attribute_not_exists(entry)' }));
      return entry;
    } catch (e) {
      if (!(e instanceof ConditionalCheckFailedException)) throw e;
      const { Item } = await this.db.send(new GetCommand({ TableName: this.tableName, Key: key, ConsistentRead: true }));
      const { entry: _entry, ...rest } = Item!;
      return rest as LedgerEntry;
    }
  }
}
