/**
 * The checkout saga's Task functions and the scheduled jobs, as data — like the route table: the CDK app
 * builds a function per entry and binds it into the state machine through definitionSubstitutions, and
 * the local substrate binds the same handler modules to the same states.
 */
import type { FunctionSpec } from './function-spec';

export interface SagaTask extends FunctionSpec {
  /** The Task state it runs as. */
  state: string;
  /** The placeholder in the ASL file that becomes the function's ARN. */
  substitution: string;
}

const ledger = { payments: 'readwrite' } as const;
const stock = { inventory: 'readwrite', reservations: 'readwrite' } as const;
/** Every step reads the stored order: what is reserved, charged and confirmed never comes from the saga's input. */
const order = { orders: 'read' } as const;

export const orderSaga = {
  name: 'order-saga',
  definitionFile: 'state-machines/order-saga.asl.json',
  deadLetterQueueSubstitution: 'CompensationDeadLetterQueueUrl',
  deadLetterQueueName: 'order-saga-compensation-dlq',
  tasks: [
    {
      state: 'ReserveInventory',
      substitution: 'ReserveInventoryFunctionArn',
      id: 'reserveInventory',
      context: 'inventory',
      handler: 'functions/inventory/handlers/saga/reserve-inventory.ts',
      summary: "Saga: hold stock for the stored order's lines",
      tables: { ...stock, ...order },
    },
    {
      state: 'ChargePayment',
      substitution: 'ChargePaymentFunctionArn',
      id: 'chargePayment',
      context: 'payments',
      handler: 'functions/payments/handlers/saga/charge-payment.ts',
      summary: "Saga: charge the stored order's total once, intent first",
      tables: { ...ledger, ...order },
    },
    {
      state: 'ConfirmOrder',
      substitution: 'ConfirmOrderFunctionArn',
      id: 'confirmOrder',
      context: 'orders',
      handler: 'functions/orders/handlers/saga/confirm-order.ts',
      summary: 'Saga: confirm the order against its charge, commit its stock, clear its cart lines',
      tables: { orders: 'readwrite', ...stock, ...ledger, carts: 'readwrite' },
    },
    // The refund claim checks, in its transaction, that the order is not confirmed (ConditionCheckItem: read).
    {
      state: 'RefundPayment',
      substitution: 'RefundPaymentFunctionArn',
      id: 'refundPayment',
      context: 'payments',
      handler: 'functions/payments/handlers/saga/refund-payment.ts',
      summary: 'Saga compensation: refund whatever the ledger or the gateway says was charged',
      tables: { ...ledger, ...order },
    },
    {
      state: 'ReleaseInventory',
      substitution: 'ReleaseInventoryFunctionArn',
      id: 'releaseInventory',
      context: 'inventory',
      handler: 'functions/inventory/handlers/saga/release-inventory.ts',
      summary: 'Saga compensation: release held stock',
      tables: stock,
    },
    // A cancelled order gives its promotion back.
    {
      state: 'CancelOrder',
      substitution: 'CancelOrderFunctionArn',
      id: 'cancelOrder',
      context: 'orders',
      handler: 'functions/orders/handlers/saga/cancel-order.ts',
      summary: "Saga compensation: cancel the order with its reason and its ledger's payment status",
      tables: { orders: 'readwrite', payments: 'read', promotions: 'write' },
    },
  ] satisfies SagaTask[],
};

export interface ScheduledJob extends FunctionSpec {
  everyMinutes: number;
  /** Failed runs in a row that raise its alarm. */
  alarmAfterFailedRuns: number;
  /** Reads the saga's executions (states:DescribeExecution). */
  describesSagaExecutions?: boolean;
}

export const scheduledJobs: ScheduledJob[] = [
  {
    id: 'settleOrders',
    context: 'orders',
    handler: 'functions/orders/handlers/settle-orders.ts',
    summary:
      'End what the saga left unfinished: expired reservations, PENDING orders whose saga is gone, open payments (refund, release, cancel)',
    everyMinutes: 1,
    // The saga's safety net: while it fails, stranded orders keep their stock and charges.
    alarmAfterFailedRuns: 3,
    describesSagaExecutions: true,
    tables: { orders: 'readwrite', ...stock, ...ledger, promotions: 'write' },
  },
  {
    id: 'reconcilePayments',
    context: 'payments',
    handler: 'functions/payments/handlers/reconcile-payments.ts',
    summary: "Compare the gateway's records with the ledger and the orders; fail (alarmed) on any mismatch",
    everyMinutes: 24 * 60,
    // One failed daily run is a mismatch an operator must see today.
    alarmAfterFailedRuns: 1,
    // Archived orders' payments are reconciled from their archive index items.
    tables: { payments: 'read', orders: 'read', orderArchiveIndex: 'read' },
  },
  {
    id: 'archiveOrders',
    context: 'orders',
    handler: 'functions/orders/handlers/archive-orders.ts',
    summary:
      'Move terminal orders past their retention to the archive bucket (gzipped JSON, manifest, Glacier IR), index them, then delete them from the orders table',
    everyMinutes: 24 * 60,
    // An archive that stops running only lets the orders table grow: the next day's run is soon enough.
    alarmAfterFailedRuns: 2,
    // Reads candidates and deletes them from orders; writes their index items and its run lease.
    tables: { orders: 'readwrite', orderArchiveIndex: 'readwrite' },
    buckets: { orderArchive: 'readwrite' },
  },
];
