import { createHash } from 'node:crypto';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { SagaError } from '../../shared/saga';
import type { ChargeResult, PaymentGateway } from '../ports';

/** API.md's test tokens. Anything else is declined, as a real gateway declines an unknown token. */
const DECLINES: Record<string, string> = {
  tok_chargeDeclined: 'card_declined',
  tok_insufficientFunds: 'insufficient_funds',
};
const TRANSIENT_FAILURES_BEFORE_SUCCESS = 2;

/**
 * The built-in test gateway. It keeps what a real gateway keeps on its side — results by idempotency
 * key, and the attempt count behind `tok_processingError` — in the payments table, under GATEWAY# keys,
 * so retries from any container see the same gateway.
 */
export class TestPaymentGateway implements PaymentGateway {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  private key(idempotencyKey: string) {
    return { orderId: `GATEWAY#${idempotencyKey}`, entry: 'RESULT' };
  }

  private async remembered<T>(idempotencyKey: string): Promise<T | undefined> {
    const { Item } = await this.db.send(new GetCommand({ TableName: this.tableName, Key: this.key(idempotencyKey), ConsistentRead: true }));
    return Item?.result as T | undefined;
  }

  private async remember<T>(idempotencyKey: string, result: T): Promise<T> {
    try {
      await this.db.send(new PutCommand({ TableName: this.tableName, Item: { ...this.key(idempotencyKey), result }, ConditionExpression: 'attribute_not_exists(entry)' }));
      return result;
    } catch (e) {
      if (e instanceof ConditionalCheckFailedException) return (await this.remembered<T>(idempotencyKey))!;
      throw e;
    }
  }

  /** `remember` keeps the first answer for a key, so a repeated call returns it without a read first. */
  async charge({ token, idempotencyKey }: { token: string; amount: number; currency: string; idempotencyKey: string }): Promise<ChargeResult> {
    if (token === 'tok_processingError') {
      const previous = await this.remembered<ChargeResult>(idempotencyKey);
      if (previous) return previous;
      const { Attributes } = await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { orderId: `GATEWAY#${idempotencyKey}`, entry: 'ATTEMPTS' },
          UpdateExpression: 'ADD attempts :one',
          ExpressionAttributeValues: { ':one': 1 },
          ReturnValues: 'ALL_NEW',
        }),
      );
      if (Number(Attributes?.attempts) <= TRANSIENT_FAILURES_BEFORE_SUCCESS) {
        throw new SagaError('PaymentTransientError', 'The payment processor had an error; try again');
      }
    } else if (token !== 'tok_visa') {
      return this.remember<ChargeResult>(idempotencyKey, { outcome: 'declined', reason: DECLINES[token] ?? 'invalid_token' });
    }
    const chargeId = `ch_${createHash('sha256').update(idempotencyKey).digest('hex').slice(0, 24)}`;
    return this.remember<ChargeResult>(idempotencyKey, { outcome: 'approved', chargeId });
  }

  async refund({ chargeId, idempotencyKey }: { chargeId: string; amount: number; currency: string; idempotencyKey: string }) {
    const previous = await this.remembered<{ refundId: string }>(idempotencyKey);
    if (previous) return previous;
    const refundId = `re_${createHash('sha256').update(`${idempotencyKey}:${chargeId}`).digest('hex').slice(0, 24)}`;
    return this.remember(idempotencyKey, { refundId });
  }
}
