/**
 * Money survives crashes and forged input (issue 10's findings, each reproduced): a charge the ledger never
 * heard of is found at the gateway and refunded; an order whose saga died — or never started — is settled;
 * a retry after a crash finds the one order; an execution started with a forged input charges, reserves
 * and confirms only what the stored order says; a promotion is used once per shopper and leaves the cart
 * with the order. The settlement pass is run in-process (functions/orders/domain/settlement.ts over the
 * live adapters) with a short grace period, as the platform's timer runs it every minute.
 */
import { randomUUID } from 'node:crypto';
import { StartExecutionCommand, SFNClient } from '@aws-sdk/client-sfn';
import { beforeAll, describe, expect, it } from '@jest/globals';
import { api, dynamo, newShopper, platform, type Shopper } from '../support/api';
import {
  addToCart,
  allOrders,
  cartRow,
  gatewayRecord,
  inventoryRow,
  ledgerOf,
  orderRow,
  pendingOrder,
  postOrder,
  productWithStock,
  reservationOf,
  sagaTask,
  sleep,
  waitForTerminal,
} from '../support/checkout';

const reserve = sagaTask('ReserveInventory');

/** One settlement pass over the platform's tables, as the scheduled job runs it, with the grace given. */
async function settle(graceSeconds = 1) {
  const { settleOrders } = await import('../../functions/orders/domain/settlement');
  const deps = await import('../../functions/orders/deps');
  return settleOrders({
    orders: deps.orderRepository(),
    stock: deps.stockGateway(),
    payments: deps.paymentsGateway(),
    sagas: deps.stepFunctionsSaga(),
    clock: deps.clock,
    graceSeconds,
    batchSize: 100,
  });
}

/** The payments port over the platform's tables, for a test to play a step that crashes half-way. */
async function livePayments() {
  const { livePaymentsDeps } = await import('../../functions/payments/deps');
  return livePaymentsDeps();
}

const crash = () => Object.assign(new Error('the process was killed here'), { name: 'SimulatedCrash' });

let sfn: SFNClient;
let shopper: Shopper;
beforeAll(async () => {
  const p = platform();
  sfn = new SFNClient({
    region: p.region,
    endpoint: p.stepFunctionsEndpoint,
    credentials: { accessKeyId: p.env.AWS_ACCESS_KEY_ID, secretAccessKey: p.env.AWS_SECRET_ACCESS_KEY },
  });
  shopper = await newShopper();
});

describe('a crash between the gateway and the ledger', () => {
  it('the charge the ledger never recorded is found at the gateway and refunded when the order is settled', async () => {
    const a = await productWithStock(3, 1593);
    const { orderId, total, input } = await pendingOrder(shopper, { items: [{ productId: a, quantity: 1 }] });
    await reserve(input);
    const { chargeOrder } = await import('../../functions/payments/domain/payments');
    const deps = await livePayments();
    // The gateway approves, then the process dies before the ledger write.
    const dying = {
      ...deps,
      ledger: Object.assign(Object.create(deps.ledger) as typeof deps.ledger, {
        record: async () => Promise.reject(crash()),
      }),
    };
    await expect(chargeOrder({ orderId, paymentToken: 'tok_visa' }, dying)).rejects.toThrow('killed');
    expect((await gatewayRecord(orderId)).result).toMatchObject({ outcome: 'approved' });
    expect((await ledgerOf(orderId)).charges).toEqual([]);

    await sleep(1_100);
    await settle(1);

    const ledger = await ledgerOf(orderId);
    expect([ledger.charges.length, ledger.refunds.length, ledger.net]).toEqual([1, 1, 0]);
    expect(ledger.charges[0].amount).toBe(total);
    expect(await gatewayRefund(orderId)).toMatchObject({ chargeId: ledger.charges[0].reference, amount: total });
    expect(await orderRow(orderId)).toMatchObject({
      status: 'CANCELLED',
      failureReason: 'INTERNAL',
      payment: { status: 'REFUNDED', chargeId: ledger.charges[0].reference },
    });
    expect(await inventoryRow(a)).toEqual({ available: 3, reserved: 0, sold: 0 });
  });
});

/** What the test gateway keeps of an order's refund. */
async function gatewayRefund(orderId: string) {
  const { GetCommand } = await import('@aws-sdk/lib-dynamodb');
  const { Item } = await dynamo().send(
    new GetCommand({
      TableName: platform().tableNames.payments,
      Key: { orderId: `GATEWAY#refund:${orderId}`, entry: 'RESULT' },
      ConsistentRead: true,
    }),
  );
  return Item;
}

describe('orders whose saga is gone are settled', () => {
  it('an order written just before a crash (no saga, no reservation) is CANCELLED INTERNAL and holds nothing', async () => {
    const a = await productWithStock(2);
    const { orderId } = await pendingOrder(shopper, { items: [{ productId: a, quantity: 1 }] });
    await sleep(1_100);

    const report = await settle(1);

    expect(report.stalled).toBeGreaterThanOrEqual(1);
    expect(await orderRow(orderId)).toMatchObject({
      status: 'CANCELLED',
      failureReason: 'INTERNAL',
      payment: { status: 'NONE' },
    });
    // The tombstone keeps a late ReserveInventory from holding stock for it.
    expect(await reservationOf(orderId)).toMatchObject({ status: 'RELEASED', lines: [] });
    expect(await inventoryRow(a)).toEqual({ available: 2, reserved: 0, sold: 0 });
    expect((await allOrders(shopper.token)).find((o) => o.orderId === orderId)?.status).toBe('CANCELLED');
  });

  it('an order whose saga died after reserving is CANCELLED and its stock given back, before its reservation expires', async () => {
    const a = await productWithStock(4);
    const { orderId, input } = await pendingOrder(shopper, { items: [{ productId: a, quantity: 3 }] });
    await reserve(input);
    expect(await inventoryRow(a)).toEqual({ available: 1, reserved: 3, sold: 0 });
    await sleep(1_100);

    await settle(1);

    expect(await orderRow(orderId)).toMatchObject({ status: 'CANCELLED', failureReason: 'INTERNAL' });
    expect(await reservationOf(orderId)).toMatchObject({ status: 'RELEASED' });
    expect(await inventoryRow(a)).toEqual({ available: 4, reserved: 0, sold: 0 });
  });

  it('an order whose saga is still running (retrying a flaky gateway) is left to it, and confirms', async () => {
    const s = await newShopper();
    const a = await productWithStock(2);
    const placed = await postOrder(s, { paymentToken: 'tok_processingError', items: [{ productId: a, quantity: 1 }] });
    expect(placed.status).toBe(202);

    await settle(0); // no grace at all: only the running saga keeps the order from being settled

    const order = await waitForTerminal(placed.body.orderId, s.token);
    expect(order).toMatchObject({ status: 'CONFIRMED', payment: { status: 'CHARGED' } });
    expect((await ledgerOf(order.orderId)).net).toBe(order.total);
  });
});

describe('a retry after a crash finds the same order', () => {
  it('with no idempotency record beside the order (its own conditional write is the idempotency), the same key still gives the one order, and refuses another body', async () => {
    const s = await newShopper();
    const a = await productWithStock(5);
    const key = randomUUID();
    const first = await postOrder(s, { items: [{ productId: a, quantity: 1 }] }, key);
    expect(first.status).toBe(202);
    await waitForTerminal(first.body.orderId, s.token);
    // Nothing a crash could leave behind in progress, nor anything whose expiry could let a retry place a second
    // order: the idempotency table holds no record of this request.
    const { ScanCommand } = await import('@aws-sdk/lib-dynamodb');
    const { Items = [] } = await dynamo().send(
      new ScanCommand({ TableName: platform().tableNames.idempotency, ConsistentRead: true }),
    );
    expect(Items.filter((i) => JSON.stringify(i).includes(first.body.orderId))).toEqual([]);

    const retry = await postOrder(s, { items: [{ productId: a, quantity: 1 }] }, key);
    const otherBody = await postOrder(s, { items: [{ productId: a, quantity: 2 }] }, key);

    expect(retry.status).toBe(202);
    expect(retry.body.orderId).toBe(first.body.orderId);
    expect(otherBody.status).toBe(409);
    expect(await allOrders(s.token)).toHaveLength(1);
    expect(await inventoryRow(a)).toEqual({ available: 4, reserved: 0, sold: 1 });
  });

  it('an order written before a crash that kept its saga from starting is started by the retry, and confirms', async () => {
    const s = await newShopper();
    const a = await productWithStock(3, 1419);
    const key = randomUUID();
    const { placeOrder } = await import('../../functions/orders/domain/orders');
    const deps = await import('../../functions/orders/deps');
    const body = {
      shippingAddress: {
        name: 'Ada Lovelace',
        line1: '12 St James Square',
        city: 'London',
        postalCode: 'SW1Y 4JH',
        country: 'GB',
      },
      paymentToken: 'tok_visa',
      items: [{ productId: a, quantity: 1 }],
    };
    const crashing = {
      orders: deps.orderRepository(),
      carts: deps.cartGateway(),
      pricer: deps.catalogPricer(),
      clock: deps.clock,
      saga: { start: async () => Promise.reject(crash()) },
    };
    await expect(placeOrder({ userId: s.userId, email: s.email, groups: [] }, body, key, crashing)).rejects.toThrow(
      'killed',
    );

    const retry = await postOrder(s, body, key);

    expect(retry.status).toBe(202);
    const order = await waitForTerminal(retry.body.orderId, s.token);
    expect(order).toMatchObject({ status: 'CONFIRMED', total: 1419 + order.tax + order.shipping });
    expect(await allOrders(s.token)).toHaveLength(1);
    expect((await ledgerOf(order.orderId)).net).toBe(order.total);
  });
});

describe('the saga reads money from stored data', () => {
  it('an execution started with a forged amount and forged lines charges the order total, reserves and sells only its lines', async () => {
    const a = await productWithStock(3, 1419);
    const decoy = await productWithStock(100, 5);
    const { orderId, total } = await pendingOrder(shopper, { items: [{ productId: a, quantity: 1 }] });
    // Forged claims under the names the saga's steps read them by (functions/orders/saga-schemas.ts): each step's
    // conditional write refuses them, and it reads the stored order instead.
    const forged = {
      orderId,
      userId: shopper.userId,
      amount: 1,
      total: 1,
      currency: 'GBP',
      createdAt: new Date().toISOString(),
      lines: [{ productId: decoy, quantity: 99 }],
      paymentToken: 'tok_visa',
    };

    await sfn.send(
      new StartExecutionCommand({
        stateMachineArn: platform().orderSagaArn,
        name: `forged-${randomUUID()}`,
        input: JSON.stringify(forged),
      }),
    );

    const order = await waitForTerminal(orderId, shopper.token);
    expect(order).toMatchObject({ status: 'CONFIRMED', total, payment: { status: 'CHARGED' } });
    const ledger = await ledgerOf(orderId);
    expect(ledger.charges.map((c) => c.amount)).toEqual([total]);
    expect((await gatewayRecord(orderId)).result).toMatchObject({ outcome: 'approved' });
    expect(await inventoryRow(a)).toEqual({ available: 2, reserved: 0, sold: 1 });
    expect(await inventoryRow(decoy)).toEqual({ available: 100, reserved: 0, sold: 0 });
    expect(await reservationOf(orderId)).toMatchObject({ status: 'COMMITTED', lines: [{ productId: a, quantity: 1 }] });
  });

  it("a reservation that does not hold the order's lines is not committed, and a forged charge id is not confirmed", async () => {
    const [a, other] = [await productWithStock(5, 1000), await productWithStock(5, 10)];
    const { orderId, input } = await pendingOrder(shopper, { items: [{ productId: a, quantity: 2 }] });
    const { reservationStore } = await import('../../functions/inventory/deps');
    // Held by something other than this order's ReserveInventory: other lines than the order's.
    expect(
      await reservationStore().hold({
        orderId,
        lines: [{ productId: other, quantity: 1 }],
        expiresAt: new Date(Date.now() + 600_000).toISOString(),
      }),
    ).toEqual({ kind: 'held' });
    const charged = await sagaTask('ChargePayment')(input);
    const confirm = sagaTask('ConfirmOrder');

    await expect(confirm({ ...input, charge: charged })).rejects.toMatchObject({ name: 'ReservationExpiredError' });
    expect(await inventoryRow(other)).toEqual({ available: 4, reserved: 1, sold: 0 });
    expect(await inventoryRow(a)).toEqual({ available: 5, reserved: 0, sold: 0 });
    expect((await orderRow(orderId))!.status).toBe('PENDING');

    // The reservation made right: the charge named must be the ledger's.
    await sagaTask('ReleaseInventory')(input);
    const { DeleteCommand: Delete } = await import('@aws-sdk/lib-dynamodb');
    await dynamo().send(new Delete({ TableName: platform().tableNames.reservations, Key: { orderId } }));
    await reserve(input);
    await expect(confirm({ ...input, charge: { chargeId: 'ch_forged' } })).rejects.toMatchObject({
      name: 'PaymentMismatchError',
    });
    expect(await confirm({ ...input, charge: charged })).toEqual({ status: 'CONFIRMED' });
    expect(await orderRow(orderId)).toMatchObject({
      status: 'CONFIRMED',
      payment: { status: 'CHARGED', chargeId: charged.chargeId },
    });
    expect(await inventoryRow(a)).toEqual({ available: 3, reserved: 0, sold: 2 });
  });
});

describe('the saga replayed for an order it has settled', () => {
  it('a second execution replayed for a confirmed order neither charges again nor refunds it', async () => {
    const s = await newShopper();
    const a = await productWithStock(3, 2000);
    const placed = await postOrder(s, { items: [{ productId: a, quantity: 1 }] });
    const order = await waitForTerminal(placed.body.orderId, s.token);
    expect(order.status).toBe('CONFIRMED');

    const replay = await sfn.send(
      new StartExecutionCommand({
        stateMachineArn: platform().orderSagaArn,
        name: `replay-${randomUUID()}`,
        input: JSON.stringify({ orderId: order.orderId, paymentToken: 'tok_chargeDeclined', amount: 1 }),
      }),
    );
    await waitForExecution(replay.executionArn!);

    const ledger = await ledgerOf(order.orderId);
    expect([ledger.charges.length, ledger.refunds.length, ledger.net]).toEqual([1, 0, order.total]);
    expect(await orderRow(order.orderId)).toMatchObject({
      status: 'CONFIRMED',
      payment: { status: 'CHARGED', chargeId: order.payment.chargeId },
    });
    expect(await inventoryRow(a)).toEqual({ available: 2, reserved: 0, sold: 1 });
  });
});

async function waitForExecution(executionArn: string, timeoutMs = 20_000) {
  const { DescribeExecutionCommand } = await import('@aws-sdk/client-sfn');
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { status } = await sfn.send(new DescribeExecutionCommand({ executionArn }));
    if (status !== 'RUNNING' || Date.now() > deadline) return status;
    await sleep(100);
  }
}

describe('a promotion is used once per shopper and leaves the cart with the order', () => {
  const applyPromo = (token: string, code: string) => api('/v1/cart/promo', { method: 'POST', token, body: { code } });

  it('WELCOME10 discounts the first order only: it leaves the cart with the order, and applying it again → 409', async () => {
    const s = await newShopper();
    const a = await productWithStock(10, 2500);
    await addToCart(s, a, 1);
    expect((await applyPromo(s.token, 'WELCOME10')).status).toBe(200);

    const first = await postOrder(s, {});
    expect(first.status).toBe(202);
    expect((await cartRow(`user#${s.userId}`))?.promoCode).toBeUndefined();
    expect(await waitForTerminal(first.body.orderId, s.token)).toMatchObject({
      status: 'CONFIRMED',
      promoCode: 'WELCOME10',
      discount: 250,
    });

    await addToCart(s, a, 1);
    const again = await applyPromo(s.token, 'WELCOME10');
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('CONFLICT');
    const second = await postOrder(s, {});
    const third = await postOrder(s, {});
    const discounts = await Promise.all(
      [second, third].map(async (r) => (await waitForTerminal(r.body.orderId, s.token)).discount),
    );
    expect(discounts).toEqual([0, 0]);
  });

  it('a code carried in from an anonymous cart after the shopper used it → 409, nothing ordered, and the code taken off the cart', async () => {
    const s = await newShopper();
    const a = await productWithStock(10, 2500);
    await addToCart(s, a, 1);
    await applyPromo(s.token, 'WELCOME10');
    await waitForTerminal((await postOrder(s, {})).body.orderId, s.token);
    const sessionId = randomUUID();
    await addToCart({ sessionId }, a, 1);
    expect(
      (
        await api('/v1/cart/promo', {
          method: 'POST',
          headers: { 'x-session-id': sessionId },
          body: { code: 'WELCOME10' },
        })
      ).status,
    ).toBe(200);
    expect((await api('/v1/cart/merge', { method: 'POST', token: s.token, body: { sessionId } })).body.promoCode).toBe(
      'WELCOME10',
    );

    const refused = await postOrder(s, {});

    expect(refused.status).toBe(409);
    expect(refused.body.error.message).toMatch(/already used/);
    expect(await allOrders(s.token)).toHaveLength(1);
    expect((await cartRow(`user#${s.userId}`))?.promoCode).toBeUndefined();
    const without = await postOrder(s, {});
    expect((await waitForTerminal(without.body.orderId, s.token)).discount).toBe(0);
  });

  it('an order that is cancelled (payment declined) gives its promotion back', async () => {
    const s = await newShopper();
    const a = await productWithStock(10, 2500);
    await addToCart(s, a, 1);
    await applyPromo(s.token, 'WELCOME10');
    const declined = await postOrder(s, { paymentToken: 'tok_chargeDeclined' });
    expect(await waitForTerminal(declined.body.orderId, s.token)).toMatchObject({
      status: 'CANCELLED',
      promoCode: 'WELCOME10',
    });

    expect((await applyPromo(s.token, 'WELCOME10')).status).toBe(200);
    const paid = await postOrder(s, {});
    expect(await waitForTerminal(paid.body.orderId, s.token)).toMatchObject({ status: 'CONFIRMED', discount: 250 });
  });
});
