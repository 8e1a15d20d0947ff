import { createHash } from 'node:crypto';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { scanItems } from '../../shared/dynamo-scan';
import { SagaError } from '../../shared/saga-error';
import type { ChargeResult, GatewayCharge, GatewayRefund, PaymentGateway } from '../ports';

/** API.md's test tokens. Anything else is declined, as a real gateway declines an unknown token. */
const DECLINES: Record<string, string> = {
  tok_chargeDeclined: 'card_declined',
  tok_insufficientFunds: 'insufficient_funds',
};
const TRANSIENT_FAILURES_BEFORE_SUCCESS = 2;
/** The test gateway keeps its own records in the ledger's table under these keys (a real gateway keeps its own). */
export const GATEWAY_PREFIX = 'GATEWAY#';

type ChargeRecord = {
  kind: 'charge';
  result: ChargeResult;
  reference: string;
  amount: number;
  currency: string;
  at: string;
};
type RefundRecord = {
  kind: 'refund';
  result: { refundId: string };
  chargeId: string;
  amount: number;
  currency: string;
  at: string;
};

const chargeOfRecord = (idempotencyKey: string, record: ChargeRecord): GatewayCharge => ({
  idempotencyKey,
  reference: record.reference,
  outcome: record.result.outcome,
  ...(record.result.outcome === 'approved' ? { chargeId: record.result.chargeId } : {}),
  amount: Number(record.amount),
  currency: record.currency,
  at: record.at,
});

/**
 * The built-in test gateway. It keeps what a real gateway keeps on its side — each request's result,
 * amount and reference by idempotency key, and the attempt count behind `tok_processingError` — in the
 * payments table, under GATEWAY# keys, so retries from any container see the same gateway, and settlement
 * and reconciliation can ask it what it charged.
 */
export class TestPaymentGateway implements PaymentGateway {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly clock: { now(): Date } = { now: () => new Date() },
  ) {}

  private key(idempotencyKey: string) {
    return { orderId: `${GATEWAY_PREFIX}${idempotencyKey}`, entry: 'RESULT' };
  }

  private async remembered<T>(idempotencyKey: string): Promise<T | undefined> {
    const { Item } = await this.db.send(
      new GetCommand({ TableName: this.tableName, Key: this.key(idempotencyKey), ConsistentRead: true }),
    );
    return Item as T | undefined;
  }

  /** Keeps the first record for a key: a repeated request gets the first answer, as a gateway's idempotency does. */
  private async remember<T extends ChargeRecord | RefundRecord>(idempotencyKey: string, record: T): Promise<T> {
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...this.key(idempotencyKey), ...record },
          ConditionExpression: 'attribute_not_exists(entry)',
        }),
      );
      return record;
    } catch (e) {
      if (e instanceof ConditionalCheckFailedException) return (await this.remembered<T>(idempotencyKey))!;
      throw e;
    }
  }

  private async failsTransiently(idempotencyKey: string): Promise<boolean> {
    const { Attributes } = await this.db.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { orderId: `${GATEWAY_PREFIX}${idempotencyKey}`, entry: 'ATTEMPTS' },
        UpdateExpression: 'ADD attempts :one',
        ExpressionAttributeValues: { ':one': 1 },
        ReturnValues: 'ALL_NEW',
      }),
    );
    return Number(Attributes?.attempts) <= TRANSIENT_FAILURES_BEFORE_SUCCESS;
  }

  async charge({
    token,
    amount,
    currency,
    idempotencyKey,
    reference,
  }: {
    token: string;
    amount: number;
    currency: string;
    idempotencyKey: string;
    reference: string;
  }): Promise<ChargeResult> {
    if (token === 'tok_processingError') {
      const previous = await this.remembered<ChargeRecord>(idempotencyKey);
      if (previous) return previous.result;
      if (await this.failsTransiently(idempotencyKey))
        throw new SagaError('PaymentTransientError', 'The payment processor had an error; try again');
    }
    // Otherwise no read first: `remember` keeps the first answer for a key and returns it to a repeat.
    const at = this.clock.now().toISOString();
    const result: ChargeResult =
      token === 'tok_visa' || token === 'tok_processingError'
        ? {
            outcome: 'approved',
            chargeId: `ch_${createHash('sha256').update(idempotencyKey).digest('hex').slice(0, 24)}`,
          }
        : { outcome: 'declined', reason: DECLINES[token] ?? 'invalid_token' };
    return (
      await this.remember<ChargeRecord>(idempotencyKey, { kind: 'charge', result, reference, amount, currency, at })
    ).result;
  }

  async refund({
    chargeId,
    amount,
    currency,
    idempotencyKey,
  }: {
    chargeId: string;
    amount: number;
    currency: string;
    idempotencyKey: string;
  }) {
    const previous = await this.remembered<RefundRecord>(idempotencyKey);
    if (previous) return previous.result;
    const refundId = `re_${createHash('sha256').update(`${idempotencyKey}:${chargeId}`).digest('hex').slice(0, 24)}`;
    const at = this.clock.now().toISOString();
    return (
      await this.remember<RefundRecord>(idempotencyKey, {
        kind: 'refund',
        result: { refundId },
        chargeId,
        amount,
        currency,
        at,
      })
    ).result;
  }

  async chargeOf(idempotencyKey: string): Promise<GatewayCharge | undefined> {
    const record = await this.remembered<ChargeRecord>(idempotencyKey);
    return record?.kind === 'charge' ? chargeOfRecord(idempotencyKey, record) : undefined;
  }

  async *records(): AsyncIterable<GatewayCharge | (GatewayRefund & { kind: 'refund' })> {
    const items = scanItems(this.db, {
      TableName: this.tableName,
      FilterExpression: 'begins_with(orderId, :prefix) AND entry = :result',
      ExpressionAttributeValues: { ':prefix': GATEWAY_PREFIX, ':result': 'RESULT' },
      ConsistentRead: true,
    });
    for await (const item of items) {
      const idempotencyKey = String(item.orderId).slice(GATEWAY_PREFIX.length);
      const record = item as unknown as ChargeRecord | RefundRecord;
      if (record.kind === 'charge') yield chargeOfRecord(idempotencyKey, record);
      else if (record.kind === 'refund') {
        yield {
          kind: 'refund',
          idempotencyKey,
          refundId: record.result.refundId,
          chargeId: record.chargeId,
          amount: Number(record.amount),
          currency: record.currency,
          at: record.at,
        };
      }
    }
  }
}
