/** Promotion codes of the local platform: data, as in production, written once if absent. */
import { PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Promotion } from '../../../functions/cart/domain/promotions';

const inAYear = () => new Date(Date.now() + 365 * 24 * 3600 * 1000).toISOString();

export const demoPromotions = (): Promotion[] => [
  {
    code: 'WELCOME10',
    kind: 'PERCENTAGE',
    value: 1000,
    currency: 'GBP',
    minSubtotal: 2000,
    expiresAt: inAYear(),
    active: true,
  },
  {
    code: 'FIVEOFF',
    kind: 'FIXED_AMOUNT',
    value: 500,
    currency: 'GBP',
    minSubtotal: 3000,
    expiresAt: inAYear(),
    active: true,
  },
  {
    code: 'SPRING2011',
    kind: 'PERCENTAGE',
    value: 1500,
    minSubtotal: 0,
    startsAt: '2011-03-01T00:00:00Z',
    expiresAt: '2011-06-01T00:00:00Z',
    active: true,
  },
];

export async function seedPromotions(db: DynamoDBDocumentClient, tableName: string): Promise<void> {
  await Promise.all(
    demoPromotions().map((promotion) =>
      db
        .send(
          new PutCommand({ TableName: tableName, Item: promotion, ConditionExpression: 'attribute_not_exists(code)' }),
        )
        .catch((e: Error) => {
          if (e.name !== 'ConditionalCheckFailedException') throw e;
        }),
    ),
  );
}
