/**
 * The checkout saga's Task functions and the scheduled jobs, as data — like the route table: the CDK app
 * builds a function per entry and binds it into the state machine through definitionSubstitutions, and
 * the local substrate binds the same handler modules to the same states.
 */
import type { BoundedContext, TableAccess } from './routes';
import type { TableKey } from './tables';

export interface FunctionSpec {
  id: string;
  context: BoundedContext;
  handler: string;
  summary: string;
  tables: Partial<Record<TableKey, TableAccess>>;
}

export interface SagaTask extends FunctionSpec {
  /** The Task state it runs as. */
  state: string;
  /** The placeholder in the ASL file that becomes the function's ARN. */
  substitution: string;
}

const ledger = { payments: 'readwrite' } as const;
const stock = { inventory: 'readwrite', reservations: 'readwrite' } as const;

export const orderSaga = {
  name: 'order-saga',
  definitionFile: 'state-machines/order-saga.asl.json',
  deadLetterQueueSubstitution: 'CompensationDeadLetterQueueUrl',
  deadLetterQueueName: 'order-saga-compensation-dlq',
  tasks: [
    { state: 'ReserveInventory', substitution: 'ReserveInventoryFunctionArn', id: 'reserveInventory', context: 'inventory', handler: 'functions/inventory/handlers/saga/reserve-inventory.ts', summary: 'Saga: hold stock for an order', tables: stock },
    { state: 'ChargePayment', substitution: 'ChargePaymentFunctionArn', id: 'chargePayment', context: 'payments', handler: 'functions/payments/handlers/saga/charge-payment.ts', summary: 'Saga: charge the order once', tables: ledger },
    { state: 'ConfirmOrder', substitution: 'ConfirmOrderFunctionArn', id: 'confirmOrder', context: 'orders', handler: 'functions/orders/handlers/saga/confirm-order.ts', summary: 'Saga: confirm the order, commit its stock, clear its cart lines', tables: { orders: 'readwrite', ...stock, carts: 'readwrite' } },
    { state: 'RefundPayment', substitution: 'RefundPaymentFunctionArn', id: 'refundPayment', context: 'payments', handler: 'functions/payments/handlers/saga/refund-payment.ts', summary: 'Saga compensation: refund the charge', tables: ledger },
    { state: 'ReleaseInventory', substitution: 'ReleaseInventoryFunctionArn', id: 'releaseInventory', context: 'inventory', handler: 'functions/inventory/handlers/saga/release-inventory.ts', summary: 'Saga compensation: release held stock', tables: stock },
    { state: 'CancelOrder', substitution: 'CancelOrderFunctionArn', id: 'cancelOrder', context: 'orders', handler: 'functions/orders/handlers/saga/cancel-order.ts', summary: 'Saga compensation: cancel the order with its reason', tables: { orders: 'readwrite' } },
  ] satisfies SagaTask[],
};

export interface ScheduledJob extends FunctionSpec {
  everyMinutes: number;
}

export const scheduledJobs: ScheduledJob[] = [
  {
    id: 'sweepReservations',
    context: 'orders',
    handler: 'functions/orders/handlers/sweep-reservations.ts',
    summary: 'Release expired reservations, refund, and cancel their orders',
    everyMinutes: 1,
    tables: { orders: 'readwrite', ...stock, ...ledger },
  },
];
