/**
 * Creates the world a saga fixture needs (./saga-givens.ts) in the platform it is replayed into: forgets what
 * its order had, writes the order PENDING and the fixture product's stock, then runs the steps before the
 * fixture's own through the platform's functions. Items are marked as test data unless the replay goes
 * into analytics.
 */
import {
  BatchWriteCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import { TEST_DATA_ATTRIBUTE } from '../../../functions/shared/test-data';
import { OrderStep } from '../../../functions/orders/saga-schemas';
import { chargeKey, refundKey } from '../../../functions/payments/domain/payments';
import { GATEWAY_PREFIX } from '../../../functions/payments/adapters/test-gateway';
import { orderSaga } from '../../saga';
import { tables } from '../../tables';
import { pendingOrderItem } from './fixture-order';
import { FIXTURE_PRODUCT_ID, FIXTURE_STOCK, fixtureLines, sagaGivens } from './saga-givens';

export type Invoke = (
  functionName: string,
  event: unknown,
) => Promise<{ output: unknown } | { error?: string; cause?: string }>;

export interface ArrangeDeps {
  db: DynamoDBDocumentClient;
  /** The platform's environment: table names under each table's envVar. */
  env: Record<string, string | undefined>;
  invoke: Invoke;
  /** Mark what is written as test data (the default); false with --into-analytics. */
  testData: boolean;
  now?: () => Date;
}

const tableName = (env: ArrangeDeps['env'], key: keyof typeof tables) => {
  const name = env[tables[key].envVar];
  if (!name) throw new Error(`The platform's environment has no ${tables[key].envVar}`);
  return name;
};

/** Deletes every item of these partitions of a table with an `orderId` + `entry` key. */
async function forgetPartitions(db: DynamoDBDocumentClient, table: string, partitions: string[]): Promise<void> {
  for (const orderId of partitions) {
    const { Items = [] } = await db.send(
      new QueryCommand({
        TableName: table,
        KeyConditionExpression: 'orderId = :o',
        ExpressionAttributeValues: { ':o': orderId },
        ProjectionExpression: 'orderId, entry',
        ConsistentRead: true,
      }),
    );
    for (let i = 0; i < Items.length; i += 25) {
      const batch = Items.slice(i, i + 25).map((Key) => ({ DeleteRequest: { Key } }));
      await db.send(new BatchWriteCommand({ RequestItems: { [table]: batch } }));
    }
  }
}

/**
 * What the order had: its reservation (its held stock released first, through the platform's own
 * ReleaseInventory, so the stock's `reserved` still matches the other orders' holds), its ledger and the test
 * gateway's records of it.
 */
async function forgetOrder(deps: ArrangeDeps, orderId: string): Promise<void> {
  const release = orderSaga.tasks.find((t) => t.state === 'ReleaseInventory')!;
  const released = await deps.invoke(release.id, { orderId });
  if (!('output' in released))
    throw new Error(
      `Forgetting order ${orderId}'s reservation failed: ${released.error ?? '?'} ${released.cause ?? ''}`,
    );
  const reservations = tableName(deps.env, 'reservations');
  await deps.db.send(
    new BatchWriteCommand({ RequestItems: { [reservations]: [{ DeleteRequest: { Key: { orderId } } }] } }),
  );
  await forgetPartitions(deps.db, tableName(deps.env, 'payments'), [
    orderId,
    `${GATEWAY_PREFIX}${chargeKey(orderId)}`,
    `${GATEWAY_PREFIX}${refundKey(orderId)}`,
  ]);
}

/** Returns the fixture's orderId once its world exists; throws when the fixture has no given or a step before fails. */
export async function arrangeSagaFixture(fixturePath: string, fixture: unknown, deps: ArrangeDeps): Promise<string> {
  const given = sagaGivens[fixturePath];
  if (!given) throw new Error(`${fixturePath}: no given in lib/ops/replay/saga-givens.ts says what it needs to exist`);
  const parsed = OrderStep.safeParse(fixture);
  if (!parsed.success) throw new Error(`${fixturePath}: a saga fixture names its order ({ "orderId": ... })`);
  const { orderId } = parsed.data;
  const at = (deps.now ?? (() => new Date()))().toISOString();
  await forgetOrder(deps, orderId);
  // Only `available` is set: `reserved` is what other fixture orders still hold, which settlement releases later.
  await deps.db.send(
    new UpdateCommand({
      TableName: tableName(deps.env, 'inventory'),
      Key: { productId: FIXTURE_PRODUCT_ID },
      UpdateExpression: deps.testData
        ? 'SET available = :available, reserved = if_not_exists(reserved, :zero), #mark = :mark'
        : 'SET available = :available, reserved = if_not_exists(reserved, :zero) REMOVE #mark',
      ExpressionAttributeNames: { '#mark': TEST_DATA_ATTRIBUTE },
      ExpressionAttributeValues: {
        ':available': FIXTURE_STOCK,
        ':zero': 0,
        ...(deps.testData && { ':mark': true }),
      },
    }),
  );
  await deps.db.send(
    new PutCommand({
      TableName: tableName(deps.env, 'orders'),
      Item: pendingOrderItem(orderId, fixtureLines, at, deps.testData),
    }),
  );
  for (const state of given.stepsBefore) {
    const task = orderSaga.tasks.find((t) => t.state === state)!;
    const result = await deps.invoke(task.id, fixture);
    if (!('output' in result))
      throw new Error(`${fixturePath}: arranging it, ${state} failed: ${result.error ?? '?'} ${result.cause ?? ''}`);
  }
  return orderId;
}
