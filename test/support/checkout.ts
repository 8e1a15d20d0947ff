/**
 * Helpers for the checkout tests: products with known stock, orders placed through the API or created
 * PENDING in-process (without the platform's saga, so a test can drive the saga itself), readers of the
 * tables the saga writes (inventory, reservations, payments ledger, orders, carts), the saga's Task
 * handler modules invoked in-process, and the saga's ASL run on aws-local-stepfunctions with chosen Task
 * handlers wrapped (to inject faults) and its compensation dead-letter queue on the platform's SQS.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { DeleteMessageCommand, ReceiveMessageCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { StateMachine } from 'aws-local-stepfunctions';
import { substitute } from '@ecicomm/local-platform/checkout';
import { lambdaContext } from '@ecicomm/local-platform/lambda/context';
import { orderSaga } from '../../lib/saga';
import { adminSession, api, dynamo, platform, type ApiResponse, type Shopper } from './api';

export const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export const address = {
  name: 'Ada Lovelace',
  line1: '12 St James Square',
  city: 'London',
  postalCode: 'SW1Y 4JH',
  country: 'GB',
};

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The handlers' environment (table names, emulator endpoints): set when this module loads, before any
 * handler module does. A test may override one variable around a call (to make a dependency fail).
 */
export function useHandlerEnvironment(): void {
  Object.assign(process.env, platform().env);
}
useHandlerEnvironment();

// ---------------------------------------------------------------- catalog and stock

export async function productWithStock(
  available: number,
  price = 1000,
  name = `Checkout Test ${randomUUID().slice(0, 8)}`,
): Promise<string> {
  const res = await api('/v1/products', {
    method: 'POST',
    token: await adminSession(),
    body: {
      name,
      description: 'made by a checkout test',
      category: 'other',
      brand: 'Test',
      price,
      currency: 'GBP',
      initialStock: available,
    },
  });
  if (res.status !== 201) throw new Error(`product create failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.id as string;
}

export async function setPrice(productId: string, price: number): Promise<void> {
  const token = await adminSession();
  const current = await api(`/v1/products/${productId}`);
  const res = await api(`/v1/products/${productId}`, {
    method: 'PUT',
    token,
    body: { version: current.body.version, price },
  });
  if (res.status !== 200) throw new Error(`price change failed: ${res.status} ${JSON.stringify(res.body)}`);
}

/** `GET /v1/inventory/{id}` as admin: `{productId, available, reserved}`. */
export async function stockOf(productId: string): Promise<{ productId: string; available: number; reserved: number }> {
  const res = await api(`/v1/inventory/${productId}`, { token: await adminSession() });
  if (res.status !== 200) throw new Error(`stock read failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

/** The inventory item itself, with `sold` (which the API does not show). */
export async function inventoryRow(productId: string): Promise<{ available: number; reserved: number; sold: number }> {
  const { Item } = await dynamo().send(
    new GetCommand({ TableName: platform().tableNames.inventory, Key: { productId }, ConsistentRead: true }),
  );
  return {
    available: Number(Item?.available ?? 0),
    reserved: Number(Item?.reserved ?? 0),
    sold: Number(Item?.sold ?? 0),
  };
}

// ---------------------------------------------------------------- saga records

export interface ReservationRow {
  orderId: string;
  status: 'HELD' | 'COMMITTED' | 'RELEASED';
  lines: { productId: string; quantity: number }[];
  expiresAt: string;
  held?: string;
}

export async function reservationOf(orderId: string): Promise<ReservationRow | undefined> {
  const { Item } = await dynamo().send(
    new GetCommand({ TableName: platform().tableNames.reservations, Key: { orderId }, ConsistentRead: true }),
  );
  return Item as ReservationRow | undefined;
}

export interface LedgerRow {
  orderId: string;
  entry: string;
  kind: 'CHARGE' | 'REFUND';
  reference: string;
  amount: number;
  currency: string;
}

/** The payments ledger of an order: its `LEDGER#CHARGE` / `LEDGER#REFUND` items. */
export async function ledgerOf(
  orderId: string,
): Promise<{ entries: LedgerRow[]; charges: LedgerRow[]; refunds: LedgerRow[]; net: number }> {
  const { Items = [] } = await dynamo().send(
    new QueryCommand({
      TableName: platform().tableNames.payments,
      KeyConditionExpression: 'orderId = :o AND begins_with(entry, :p)',
      ExpressionAttributeValues: { ':o': orderId, ':p': 'LEDGER#' },
      ConsistentRead: true,
    }),
  );
  const entries = Items as LedgerRow[];
  const charges = entries.filter((e) => e.entry === 'LEDGER#CHARGE');
  const refunds = entries.filter((e) => e.entry === 'LEDGER#REFUND');
  const net = charges.reduce((s, e) => s + e.amount, 0) - refunds.reduce((s, e) => s + e.amount, 0);
  return { entries, charges, refunds, net };
}

/** What the test gateway remembers for a charge key (its decision) and its attempt counter. */
export async function gatewayRecord(orderId: string): Promise<{ result?: unknown; attempts?: number }> {
  const table = platform().tableNames.payments;
  const [result, attempts] = await Promise.all([
    dynamo().send(
      new GetCommand({
        TableName: table,
        Key: { orderId: `GATEWAY#charge:${orderId}`, entry: 'RESULT' },
        ConsistentRead: true,
      }),
    ),
    dynamo().send(
      new GetCommand({
        TableName: table,
        Key: { orderId: `GATEWAY#charge:${orderId}`, entry: 'ATTEMPTS' },
        ConsistentRead: true,
      }),
    ),
  ]);
  return { result: result.Item?.result, attempts: attempts.Item ? Number(attempts.Item.attempts) : undefined };
}

export async function orderRow(orderId: string): Promise<Record<string, any> | undefined> {
  const { Item } = await dynamo().send(
    new GetCommand({ TableName: platform().tableNames.orders, Key: { orderId }, ConsistentRead: true }),
  );
  return Item;
}

export async function cartRow(ownerId: string): Promise<Record<string, any> | undefined> {
  const { Item } = await dynamo().send(
    new GetCommand({ TableName: platform().tableNames.carts, Key: { ownerId }, ConsistentRead: true }),
  );
  return Item;
}

export const putItem = (table: keyof ReturnType<typeof platform>['tableNames'], Item: Record<string, unknown>) =>
  dynamo().send(new PutCommand({ TableName: platform().tableNames[table], Item }));

// ---------------------------------------------------------------- orders through the API

export interface PlaceOrderBody {
  shippingAddress?: typeof address;
  paymentToken?: string;
  items?: { productId: string; quantity: number }[];
}

export function postOrder(
  shopper: Pick<Shopper, 'token'>,
  body: PlaceOrderBody,
  key: string | null = randomUUID(),
): Promise<ApiResponse> {
  return api('/v1/orders', {
    method: 'POST',
    token: shopper.token,
    headers: key === null ? {} : { 'Idempotency-Key': key },
    body: { shippingAddress: address, paymentToken: 'tok_visa', ...body },
  });
}

/** Polls `GET /v1/orders/{id}` until the order is no longer PENDING (or the time is up: then PENDING). */
export async function waitForTerminal(orderId: string, token: string, timeoutMs = 15_000): Promise<any> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const res = await api(`/v1/orders/${orderId}`, { token });
    if (res.status !== 200) throw new Error(`order read failed: ${res.status} ${JSON.stringify(res.body)}`);
    if (res.body.status !== 'PENDING' || Date.now() > deadline) return res.body;
    await sleep(100);
  }
}

/** Places an order through the API and waits for the platform's saga to finish it. */
export async function checkout(shopper: Shopper, body: PlaceOrderBody): Promise<any> {
  const placed = await postOrder(shopper, body);
  if (placed.status !== 202) throw new Error(`order not accepted: ${placed.status} ${JSON.stringify(placed.body)}`);
  return waitForTerminal(placed.body.orderId, shopper.token);
}

export async function addToCart(
  auth: { token?: string; sessionId?: string },
  productId: string,
  quantity: number,
): Promise<ApiResponse> {
  return api('/v1/cart/items', {
    method: 'POST',
    token: auth.token,
    headers: auth.sessionId ? { 'x-session-id': auth.sessionId } : {},
    body: { productId, quantity },
  });
}

// ---------------------------------------------------------------- the saga in-process

export type SagaTaskState =
  'ReserveInventory' | 'ChargePayment' | 'ConfirmOrder' | 'RefundPayment' | 'ReleaseInventory' | 'CancelOrder';
export type TaskHandler = (input: any) => Promise<any>;

/** The saga input (the order and how to pay) and the state each step adds, as lib/saga's state machine carries it. */
export interface SagaInput {
  orderId: string;
  paymentToken: string;
  [step: string]: unknown;
}

const handlerModules = new Map<string, Promise<{ handler: (event: unknown, context: unknown) => Promise<unknown> }>>();

/** A saga Task's handler module (the one CDK deploys and the platform binds), invoked in this process. */
export function sagaTask(state: SagaTaskState): TaskHandler {
  const task = orderSaga.tasks.find((t) => t.state === state);
  if (!task) throw new Error(`no saga task ${state}`);
  return async (input) => {
    let mod = handlerModules.get(task.handler);
    if (!mod)
      handlerModules.set(task.handler, (mod = import(pathToFileURL(path.join(projectRoot, task.handler)).href)));
    return (await mod).handler(input, lambdaContext(task.id, 60_000));
  };
}

/** Runs a handler module's `handler` in this process, e.g. the reservation sweeper. */
export async function invokeModule(relativePath: string, event: unknown = {}): Promise<any> {
  const mod = await import(pathToFileURL(path.join(projectRoot, relativePath)).href);
  return mod.handler(event, lambdaContext(path.basename(relativePath, '.ts'), 60_000));
}

/** Calls a Task handler and returns what Step Functions would see: its result, or its error's name. */
export async function attempt(
  handler: TaskHandler,
  input: unknown,
): Promise<{ ok: true; result: any } | { ok: false; error: string; message: string }> {
  try {
    return { ok: true, result: await handler(input) };
  } catch (e) {
    return { ok: false, error: (e as Error).name, message: (e as Error).message };
  }
}

/**
 * Creates a PENDING order exactly as `POST /v1/orders` does (priced from the catalog, the cart read when
 * there are no items) but hands its saga input back instead of starting the platform's saga, so the test
 * runs the saga itself.
 */
export async function pendingOrder(
  shopper: Pick<Shopper, 'userId' | 'email'>,
  body: PlaceOrderBody,
  key: string = randomUUID(),
): Promise<{ orderId: string; total: number; input: SagaInput }> {
  const deps = await import('../../functions/orders/deps');
  const { placeOrder } = await import('../../functions/orders/domain/orders');
  let input: SagaInput | undefined;
  const accepted = await placeOrder(
    { userId: shopper.userId, email: shopper.email, groups: [] },
    { shippingAddress: address, paymentToken: 'tok_visa', ...body } as never,
    key,
    {
      orders: deps.orderRepository(),
      carts: deps.cartGateway(),
      pricer: deps.catalogPricer(),
      clock: deps.clock,
      saga: { start: async (_orderId: string, state: unknown) => void (input = state as SagaInput) },
    },
  );
  return { orderId: accepted.orderId, total: accepted.total, input: input! };
}

export interface SagaRun {
  status: 'SUCCEEDED' | 'FAILED';
  output?: any;
  error?: string;
  cause?: string;
  /** Task states in the order they were invoked, retries included. */
  calls: string[];
}

let sqsClient: SQSClient | undefined;
export function sqs(): SQSClient {
  const p = platform();
  sqsClient ??= new SQSClient({
    region: p.region,
    endpoint: p.sqsEndpoint,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  return sqsClient;
}

/**
 * Runs state-machines/order-saga.asl.json on aws-local-stepfunctions, as lib/local/checkout does, with
 * every Task bound to its real handler module in this process. `wrap` replaces a Task's handler by one
 * built around the real one (to fail, fail once, or do something before or after it). Retry intervals
 * are shortened to a few milliseconds; the retry counts, error matching and Catch routing are the ASL's.
 * CompensationFailed sends the saga state to the platform's compensation dead-letter queue.
 */
export async function runSaga(
  input: SagaInput,
  wrap: Partial<Record<SagaTaskState, (real: TaskHandler) => TaskHandler>> = {},
): Promise<SagaRun> {
  const p = platform();
  const substitutions: Record<string, string> = {
    [orderSaga.deadLetterQueueSubstitution]: p.compensationDeadLetterQueueUrl,
  };
  const calls: string[] = [];
  const handlers: Record<string, TaskHandler> = {};
  for (const task of orderSaga.tasks) {
    substitutions[task.substitution] = `arn:aws:lambda:${p.region}:000000000000:function:${task.id}`;
    const real = sagaTask(task.state as SagaTaskState);
    const bound = wrap[task.state as SagaTaskState]?.(real) ?? real;
    handlers[task.state] = async (i) => {
      calls.push(task.state);
      return bound(i);
    };
  }
  handlers.CompensationFailed = async (i) => {
    calls.push('CompensationFailed');
    const { QueueUrl, MessageBody } = i as { QueueUrl: string; MessageBody: unknown };
    const { MessageId } = await sqs().send(
      new SendMessageCommand({
        QueueUrl,
        MessageBody: typeof MessageBody === 'string' ? MessageBody : JSON.stringify(MessageBody),
      }),
    );
    return { MessageId };
  };
  const definition = JSON.parse(
    substitute(readFileSync(path.join(projectRoot, orderSaga.definitionFile), 'utf8'), substitutions),
  );
  const machine = new StateMachine(definition, { validationOptions: { checkArn: false } });
  const fast = Object.fromEntries([...orderSaga.tasks.map((t) => t.state), 'CompensationFailed'].map((s) => [s, 5]));
  const run = machine.run(input as never, {
    overrides: { taskResourceLocalHandlers: handlers as never, retryIntervalOverrides: fast },
  });
  try {
    return { status: 'SUCCEEDED', output: await run.result, calls };
  } catch (e) {
    const fail = (e as { cause?: { name?: string; message?: string } }).cause;
    return {
      status: 'FAILED',
      error: fail?.name ?? (e as Error).name,
      cause: fail?.message ?? (e as Error).message,
      calls,
    };
  }
}

/** A Task handler that throws `name` for its first `times` calls, then is the real one. */
export const failing =
  (name: string, times = Infinity) =>
  (real: TaskHandler): TaskHandler => {
    let calls = 0;
    return async (input) => {
      calls += 1;
      if (calls <= times) {
        const e = new Error(`injected ${name} (${calls})`);
        e.name = name;
        throw e;
      }
      return real(input);
    };
  };

/** Reads (and deletes) the dead-letter messages of `orderId`'s saga. */
export async function deadLetters(orderId: string, waitMs = 3_000): Promise<any[]> {
  const QueueUrl = platform().compensationDeadLetterQueueUrl;
  const found: any[] = [];
  const deadline = Date.now() + waitMs;
  while (Date.now() < deadline && found.length === 0) {
    const { Messages = [] } = await sqs().send(
      new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1, VisibilityTimeout: 1 }),
    );
    for (const m of Messages) {
      const body = JSON.parse(m.Body ?? '{}');
      if (body.orderId === orderId) {
        found.push(body);
        await sqs().send(new DeleteMessageCommand({ QueueUrl, ReceiptHandle: m.ReceiptHandle! }));
      }
    }
  }
  return found;
}

/** Moves a reservation's expiry into the past, as if its 15 minutes had run out. */
export async function expireReservation(orderId: string, secondsAgo = 60): Promise<void> {
  await dynamo().send(
    new UpdateCommand({
      TableName: platform().tableNames.reservations,
      Key: { orderId },
      UpdateExpression: 'SET expiresAt = :past',
      ExpressionAttributeValues: { ':past': new Date(Date.now() - secondsAgo * 1000).toISOString() },
    }),
  );
}

/** The settlement pass (lib/saga.ts scheduled job settleOrders), invoked in-process. */
export const SETTLEMENT = 'functions/orders/handlers/settle-orders.ts';

/** The orders of a shopper through the API, every page. */
export async function allOrders(token: string, query = ''): Promise<any[]> {
  const out: any[] = [];
  let cursor: string | undefined;
  do {
    const res = await api(`/v1/orders?limit=100${query}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, {
      token,
    });
    if (res.status !== 200) throw new Error(`list failed: ${res.status} ${JSON.stringify(res.body)}`);
    out.push(...res.body.items);
    cursor = res.body.nextCursor;
  } while (cursor);
  return out;
}
