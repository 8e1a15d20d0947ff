import type { Clock } from '../shared/clients';
import type { Page } from '../shared/pagination';
import type { SagaState } from './saga-schemas';
import type { FailureReason, Order, PaymentStatus } from './schemas';

export type ConfirmOutcome = 'confirmed' | 'already-confirmed' | 'reservation-not-held' | 'not-pending';
export type CancelOutcome = 'cancelled' | 'already-cancelled' | 'not-pending' | 'not-found';

export interface OrderRepository {
  create(order: Order): Promise<void>;
  get(orderId: string): Promise<Order | undefined>;
  listByUser(userId: string, query: { from?: string; to?: string; limit: number; cursor?: string }): Promise<Page<Order>>;
  /** In one transaction: the order becomes CONFIRMED (if PENDING) and its reservation is committed (if HELD). */
  confirm(orderId: string, confirmation: { chargeId: string; at: string; lines: { productId: string; quantity: number }[] }): Promise<ConfirmOutcome>;
  /** The order becomes CANCELLED with its reason, if PENDING. */
  cancel(orderId: string, cancellation: { reason: FailureReason; payment: { status: PaymentStatus; chargeId?: string }; at: string }): Promise<CancelOutcome>;
}

/** Starts the checkout saga for an order; the order id is the execution name, so a retry never starts two. */
export interface SagaStarter {
  start(orderId: string, state: SagaState): Promise<void>;
}

/** What the orders context needs of a cart: its lines and promo code, and removing lines once ordered. */
export interface CartGateway {
  contents(ownerId: string): Promise<{ lines: { productId: string; quantity: number }[]; promoCode?: string } | undefined>;
  removeLines(ownerId: string, productIds: string[]): Promise<void>;
}

export interface PricedLine {
  productId: string;
  name: string;
  quantity: number;
  unitPrice: number;
  lineTotal: number;
}

export interface PricedOrder {
  items: PricedLine[];
  subtotal: number;
  discount: number;
  tax: number;
  shipping: number;
  total: number;
  currency: string;
  promoCode?: string;
}

/** Prices lines from the live catalog (the client's numbers are never trusted). */
export interface OrderPricer {
  price(lines: { productId: string; quantity: number }[], options: { destinationCountry: string; promoCode?: string }): Promise<PricedOrder>;
}

export interface OrdersDeps {
  orders: OrderRepository;
  saga: SagaStarter;
  carts: CartGateway;
  pricer: OrderPricer;
  clock: Clock;
  newId: () => string;
}
