import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import { scanItems } from '../../shared/dynamo-scan';
import { pendingOrderCheck } from '../../orders/adapters/dynamo-orders';
import type { ChargeIntent, IntentOutcome, LedgerEntry, PaymentsLedger, RefundClaim } from '../ports';

type TransactItem = NonNullable<ConstructorParameters<typeof TransactWriteCommand>[0]['TransactItems']>[number];

const LEDGER_PREFIX = 'LEDGER#';
const CHARGE_INTENT = 'INTENT#CHARGE';
const REFUND_CLAIM = 'INTENT#REFUND';
/** Only open charge intents carry `open`, so settlement reads just those, oldest attempt first. */
export const OPEN_INTENTS_INDEX = 'openIntents';
const OPEN = 'OPEN';

const intentOf = (item: Record<string, unknown>): ChargeIntent => ({
  orderId: String(item.orderId),
  amount: Number(item.amount),
  currency: String(item.currency),
  idempotencyKey: String(item.idempotencyKey),
  at: String(item.at),
  attemptAt: String(item.attemptAt),
  open: item.open === OPEN,
  ...(item.outcome ? { outcome: item.outcome as IntentOutcome } : {}),
});

/**
 * The transaction items with which an order's confirmation settles its payment: the ledger's charge must be
 * `chargeId`, of the order's total, no refund may have been claimed, and the charge intent closes as CHARGED.
 */
export function settleChargeItems(
  paymentsTable: string,
  order: { orderId: string; total: number; currency: string },
  chargeId: string,
): TransactItem[] {
  return [
    {
      ConditionCheck: {
        TableName: paymentsTable,
        Key: { orderId: order.orderId, entry: `${LEDGER_PREFIX}CHARGE` },
        ConditionExpression: 'amount = :total AND currency = :currency AND #reference = :chargeId',
        ExpressionAttributeNames: { '#reference': 'reference' },
        ExpressionAttributeValues: { ':total': order.total, ':currency': order.currency, ':chargeId': chargeId },
      },
    },
    {
      ConditionCheck: {
        TableName: paymentsTable,
        Key: { orderId: order.orderId, entry: REFUND_CLAIM },
        ConditionExpression: 'attribute_not_exists(entry)',
      },
    },
    {
      Update: {
        TableName: paymentsTable,
        Key: { orderId: order.orderId, entry: CHARGE_INTENT },
        UpdateExpression: 'SET outcome = :charged REMOVE #open',
        ConditionExpression: 'attribute_exists(entry)',
        ExpressionAttributeNames: { '#open': 'open' },
        ExpressionAttributeValues: { ':charged': 'CHARGED' },
      },
    },
  ];
}

/** The charge intent's write: the first attempt fixes what is charged; later attempts only stamp themselves. */
const intentUpdate = (
  tableName: string,
  intent: Pick<ChargeIntent, 'orderId' | 'amount' | 'currency' | 'idempotencyKey' | 'at'>,
) => ({
  TableName: tableName,
  Key: { orderId: intent.orderId, entry: CHARGE_INTENT },
  UpdateExpression:
    'SET amount = if_not_exists(amount, :amount), currency = if_not_exists(currency, :currency), idempotencyKey = if_not_exists(idempotencyKey, :key), #at = if_not_exists(#at, :at), attemptAt = :at, #open = :open ADD attempts :one',
  ExpressionAttributeNames: { '#at': 'at', '#open': 'open' },
  ExpressionAttributeValues: {
    ':amount': intent.amount,
    ':currency': intent.currency,
    ':key': intent.idempotencyKey,
    ':at': intent.at,
    ':open': OPEN,
    ':one': 1,
  },
});

export class DynamoPaymentsLedger implements PaymentsLedger {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
    /** The refund claim checks, in its transaction, that the order is not confirmed. */
    private readonly ordersTable: string,
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
      await this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...key, ...entry },
          ConditionExpression: 'attribute_not_exists(entry)',
        }),
      );
      return entry;
    } catch (e) {
      if (!(e instanceof ConditionalCheckFailedException)) throw e;
      const { Item } = await this.db.send(
        new GetCommand({ TableName: this.tableName, Key: key, ConsistentRead: true }),
      );
      const { entry: _entry, ...rest } = Item!;
      return rest as LedgerEntry;
    }
  }

  async intendCharge(
    intent: Pick<ChargeIntent, 'orderId' | 'amount' | 'currency' | 'idempotencyKey' | 'at'>,
  ): Promise<ChargeIntent> {
    const { Attributes } = await this.db.send(
      new UpdateCommand({ ...intentUpdate(this.tableName, intent), ReturnValues: 'ALL_NEW' }),
    );
    return intentOf(Attributes!);
  }

  async intendChargeOfPendingOrder(
    intent: Pick<ChargeIntent, 'orderId' | 'amount' | 'currency' | 'idempotencyKey' | 'at'>,
  ): Promise<Pick<ChargeIntent, 'amount' | 'currency' | 'idempotencyKey'> | undefined> {
    const update = intentUpdate(this.tableName, intent);
    try {
      await this.db.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Update: {
                ...update,
                // An intent already there must say the same (the first attempt's amount stands): else, the long way.
                ConditionExpression:
                  'attribute_not_exists(amount) OR (amount = :amount AND currency = :currency AND idempotencyKey = :key)',
              },
            },
            pendingOrderCheck(this.ordersTable, intent.orderId, { total: intent.amount, currency: intent.currency }),
          ],
        }),
      );
      return { amount: intent.amount, currency: intent.currency, idempotencyKey: intent.idempotencyKey };
    } catch (e) {
      if (!(e instanceof TransactionCanceledException)) throw e;
      if ((e.CancellationReasons ?? []).some((r) => r.Code === 'ConditionalCheckFailed')) return undefined;
      throw e; // A conflict with another transaction: transient, retried by the saga.
    }
  }

  async chargeIntent(orderId: string): Promise<ChargeIntent | undefined> {
    const { Item } = await this.db.send(
      new GetCommand({ TableName: this.tableName, Key: { orderId, entry: CHARGE_INTENT }, ConsistentRead: true }),
    );
    return Item ? intentOf(Item) : undefined;
  }

  async closeIntent(orderId: string, outcome: IntentOutcome): Promise<void> {
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { orderId, entry: CHARGE_INTENT },
          UpdateExpression: 'SET outcome = :outcome REMOVE #open',
          ConditionExpression: 'attribute_exists(entry)',
          ExpressionAttributeNames: { '#open': 'open' },
          ExpressionAttributeValues: { ':outcome': outcome },
        }),
      );
    } catch (e) {
      // No intent: nothing was ever meant to be charged, so there is nothing to close.
      if (!(e instanceof ConditionalCheckFailedException)) throw e;
    }
  }

  async openIntents(before: string, limit: number): Promise<ChargeIntent[]> {
    const { Items = [] } = await this.db.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: OPEN_INTENTS_INDEX,
        KeyConditionExpression: '#open = :open AND attemptAt < :before',
        ExpressionAttributeNames: { '#open': 'open' },
        ExpressionAttributeValues: { ':open': OPEN, ':before': before },
        Limit: limit,
      }),
    );
    return Items.map(intentOf);
  }

  async claimRefund(claim: {
    orderId: string;
    amount: number;
    currency: string;
    idempotencyKey: string;
    at: string;
  }): Promise<RefundClaim> {
    try {
      await this.db.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Put: {
                TableName: this.tableName,
                Item: { ...claim, entry: REFUND_CLAIM },
                ConditionExpression: 'attribute_not_exists(entry)',
              },
            },
            {
              ConditionCheck: {
                TableName: this.ordersTable,
                Key: { orderId: claim.orderId },
                ConditionExpression: 'attribute_not_exists(orderId) OR #status <> :confirmed',
                ExpressionAttributeNames: { '#status': 'status' },
                ExpressionAttributeValues: { ':confirmed': 'CONFIRMED' },
              },
            },
          ],
        }),
      );
      return 'claimed';
    } catch (e) {
      if (!(e instanceof TransactionCanceledException)) throw e;
      const [claimReason, orderReason] = e.CancellationReasons ?? [];
      if (orderReason?.Code === 'ConditionalCheckFailed') return 'order-confirmed';
      if (claimReason?.Code === 'ConditionalCheckFailed') return 'already-claimed';
      throw e;
    }
  }

  async *all(): AsyncIterable<{ entry: LedgerEntry } | { intent: ChargeIntent }> {
    const items = scanItems(this.db, {
      TableName: this.tableName,
      FilterExpression: 'begins_with(entry, :ledger) OR entry = :intent',
      ExpressionAttributeValues: { ':ledger': LEDGER_PREFIX, ':intent': CHARGE_INTENT },
      ConsistentRead: true,
    });
    for await (const { entry, ...item } of items) {
      if (entry === CHARGE_INTENT) yield { intent: intentOf({ entry, ...item }) };
      else yield { entry: item as unknown as LedgerEntry };
    }
  }
}
