import type { Clock } from '../shared/clock';
import type { Page } from '../shared/pagination';
import type { SagaInput } from './saga-schemas';
import type { FailureReason, Order, PaymentStatus } from './schemas';

export type CreateOutcome = 'created' | 'exists' | 'promotion-used';
export type ConfirmOutcome =
  | 'confirmed'
  | 'already-confirmed'
  | 'reservation-not-held'
  | 'not-pending'
  | 'not-found'
  | 'payment-mismatch'
  | 'refund-claimed';
export type CancelOutcome = 'cancelled' | 'already-cancelled' | 'not-pending' | 'not-found';
export type OrderPayment = { status: PaymentStatus; chargeId?: string };
/** What a saga's input claims about its order; only ever used on condition that the stored order says the same. */
export type ClaimedOrder = Pick<Order, 'orderId' | 'userId' | 'createdAt' | 'total' | 'currency'>;

export interface OrderRepository {
  /**
   * Writes a new PENDING order, and with it the shopper's redemption of its promotion, in one transaction:
   * 'exists' when the order is there already, 'promotion-used' when the shopper redeemed the code on another order.
   */
  /**
   * `testData`: a replayed fixture's order, which analytics never loads (functions/shared/test-data.ts); `request`:
   * the digest of the request that placed it, kept beside the order (not part of it) for a repeat to compare.
   */
  create(order: Order, options?: { testData?: boolean; request?: string }): Promise<CreateOutcome>;
  get(orderId: string): Promise<Order | undefined>;
  /** A live order with the digest of the request that placed it (none for orders placed before digests). */
  placed(orderId: string): Promise<{ order: Order; request?: string } | undefined>;
  listByUser(
    userId: string,
    query: { from?: string; to?: string; limit: number; cursor?: string },
  ): Promise<Page<Order>>;
  /**
   * In one transaction: the order (as the caller read it) becomes CONFIRMED if still PENDING, its reservation
   * is committed if HELD and holding exactly `lines`, and its payment settles — the ledger's charge must be
   * `chargeId`, of the order's total, and no refund may have been claimed.
   */
  confirm(
    order: Order,
    confirmation: { chargeId: string; at: string; lines: { productId: string; quantity: number }[] },
  ): Promise<ConfirmOutcome>;
  /**
   * confirm, for an order known only by what the saga's input claims (no read): the transaction also requires the
   * stored order to be PENDING with exactly the claimed shopper, creation time, lines, total and currency. False
   * (nothing written) when any condition fails: the caller then reads the order and confirms the careful way.
   */
  confirmAsClaimed(
    claims: ClaimedOrder,
    confirmation: { chargeId: string; at: string; lines: { productId: string; quantity: number }[] },
  ): Promise<boolean>;
  /**
   * The order becomes CANCELLED with its reason, if PENDING, and gives back its promotion; an order already
   * cancelled takes the payment status given when it tells more (a refund that came later).
   */
  cancel(
    orderId: string,
    cancellation: { reason: FailureReason; payment: OrderPayment; at: string },
  ): Promise<CancelOutcome>;
  /** PENDING orders created before `before`, oldest first: the settlement's candidates. */
  listPending(before: string, limit: number): Promise<{ orderId: string; createdAt: string }[]>;
}

/** Starts the checkout saga for an order; the order id is the execution name, so a retry never starts two. */
export interface SagaStarter {
  start(orderId: string, input: SagaInput): Promise<void>;
}

/** Whether an order's saga is still running: settlement leaves those to their saga. */
export interface SagaExecutions {
  isRunning(orderId: string): Promise<boolean>;
}

/** What the orders context needs of a cart: its lines and promo code, removing lines once ordered, and its code once used. */
export interface CartGateway {
  contents(
    ownerId: string,
  ): Promise<{ lines: { productId: string; quantity: number }[]; promoCode?: string } | undefined>;
  removeLines(ownerId: string, productIds: string[]): Promise<void>;
  /** The promotion leaves the cart with the order that used it (a no-op when the cart holds another code). */
  removePromo(ownerId: string, code: string): Promise<void>;
}

/** The payments context's API as orders uses it. */
export interface PaymentsGateway {
  /** The ledger's charge of the order, if one was recorded. */
  chargeOf(orderId: string): Promise<{ chargeId: string; amount: number; currency: string } | undefined>;
  /** What the order's payment amounts to, from the ledger. */
  statusOf(orderId: string): Promise<OrderPayment>;
  /** Settles the payment of an order that is no longer PENDING: refunds anything not kept by a confirmed order. */
  settle(orderId: string): Promise<OrderPayment | 'PENDING'>;
  /**
   * Refunds whatever the ledger or the gateway says the order was charged, unless the order is CONFIRMED
   * (the refund's claim and the confirmation exclude each other): 'order-confirmed' then.
   */
  refund(orderId: string): Promise<'refunded' | 'nothing-charged' | 'order-confirmed'>;
  /** Orders whose payment intents are still open though their latest attempt is older than `before`. */
  unsettled(before: string, limit: number): Promise<string[]>;
}

/** The inventory context's API as orders uses it. */
export interface StockGateway {
  /** Gives back what the order holds (leaving a tombstone when it holds nothing, so no late hold can land). */
  release(orderId: string): Promise<void>;
  /** Orders whose HELD reservation expired before `before`, oldest first. */
  expired(before: string, limit: number): Promise<string[]>;
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

/**
 * Prices lines from the live catalog (the client's numbers are never trusted). Lines the catalog cannot
 * price are refused (404/400), or — for a cart, which shows them as unavailable — left out.
 */
export interface OrderPricer {
  price(
    lines: { productId: string; quantity: number }[],
    options: { destinationCountry: string; promoCode?: string; skipUnavailable?: boolean },
  ): Promise<PricedOrder>;
}

export interface OrdersDeps {
  orders: OrderRepository;
  saga: SagaStarter;
  carts: CartGateway;
  pricer: OrderPricer;
  clock: Clock;
}

export interface SettlementDeps {
  orders: OrderRepository;
  stock: StockGateway;
  payments: PaymentsGateway;
  sagas: SagaExecutions;
  clock: Clock;
  /** A PENDING order, or an open payment, younger than this is left to its saga. */
  graceSeconds: number;
  batchSize?: number;
}
