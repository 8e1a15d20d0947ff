import { GetCommand, type DynamoDBDocumentClient, type TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { Log } from '../../shared/log';
import { Promotion } from '../domain/promotions';
import type { PromotionRepository } from '../ports';

type TransactItem = NonNullable<ConstructorParameters<typeof TransactWriteCommand>[0]['TransactItems']>[number];

/**
 * A shopper's use of a promotion is an item of the promotions table beside the promotion itself, keyed by
 * code and shopper; `#` never appears in a code a shopper can send, so no code collides with one.
 */
const redemptionKey = (code: string, userId: string) => ({ code: `REDEEMED#${code}#${userId}` });

/** The transaction item with which an order claims its shopper's one use of a promotion (a repeat by the same order passes). */
export function redeemPromotionItem(
  table: string,
  redemption: { code: string; userId: string; orderId: string; at: string },
): TransactItem {
  return {
    Put: {
      TableName: table,
      Item: {
        ...redemptionKey(redemption.code, redemption.userId),
        orderId: redemption.orderId,
        redeemedAt: redemption.at,
      },
      ConditionExpression: 'attribute_not_exists(code) OR orderId = :orderId',
      ExpressionAttributeValues: { ':orderId': redemption.orderId },
    },
  };
}

/** The transaction item with which a cancelled order gives its promotion back (only its own redemption). */
export function releasePromotionItem(
  table: string,
  redemption: { code: string; userId: string; orderId: string },
): TransactItem {
  return {
    Delete: {
      TableName: table,
      Key: redemptionKey(redemption.code, redemption.userId),
      ConditionExpression: 'attribute_not_exists(code) OR orderId = :orderId',
      ExpressionAttributeValues: { ':orderId': redemption.orderId },
    },
  };
}

export class DynamoPromotionRepository implements PromotionRepository {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly log: Pick<Log, 'error'>,
  ) {}

  async get(code: string): Promise<Promotion | undefined> {
    const { Item } = await this.db.send(new GetCommand({ TableName: this.tableName, Key: { code } }));
    if (!Item) return undefined;
    const parsed = Promotion.safeParse(Item);
    // A malformed record is an operator's mistake: the code behaves as unknown rather than failing checkout.
    if (!parsed.success) {
      this.log.error('invalid promotion record', { code, issues: parsed.error.issues });
      return undefined;
    }
    return parsed.data;
  }

  async redeemedBy(code: string, userId: string): Promise<string | undefined> {
    const { Item } = await this.db.send(
      new GetCommand({ TableName: this.tableName, Key: redemptionKey(code, userId), ConsistentRead: true }),
    );
    return Item?.orderId as string | undefined;
  }
}
