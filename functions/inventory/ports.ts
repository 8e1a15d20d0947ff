import type { StockLevel } from './schemas';

export interface StockRepository {
  get(productId: string): Promise<StockLevel | undefined>;
  /** Creates the stock record if it does not exist yet; an existing record is left as it is. */
  initialise(productId: string, available: number, options?: { testData?: boolean }): Promise<void>;
  /** Sets `available` on an existing record; returns undefined when there is none. */
  setAvailable(productId: string, available: number): Promise<StockLevel | undefined>;
}

export interface InventoryDeps {
  stock: StockRepository;
}

export type ReservationStatus = 'HELD' | 'COMMITTED' | 'RELEASED';

export interface Reservation {
  orderId: string;
  lines: { productId: string; quantity: number }[];
  status: ReservationStatus;
  expiresAt: string;
}

export type HoldOutcome =
  | { kind: 'held' }
  | { kind: 'exists' }
  | { kind: 'insufficient'; productIds: string[] }
  /** Held on condition that the stored order is PENDING with exactly these lines, and it is not (or not known). */
  | { kind: 'order-differs' };

/** The orders context's view of an order, as inventory needs it: what to reserve is read from the stored order. */
export interface OrderLinesView {
  get(
    orderId: string,
  ): Promise<
    { status: 'PENDING' | 'CONFIRMED' | 'CANCELLED'; items: { productId: string; quantity: number }[] } | undefined
  >;
}

export interface ReservationStore {
  get(orderId: string): Promise<Reservation | undefined>;
  /** In one transaction: every line's stock moves from available to reserved, and the reservation is written. */
  /** `ifOrderHasLines`: in the same transaction, the stored order must be PENDING with exactly `lines`. */
  hold(reservation: Omit<Reservation, 'status'>, options?: { ifOrderHasLines?: boolean }): Promise<HoldOutcome>;
  /** In one transaction, if still HELD: stock moves back to available; returns false when it was no longer HELD. */
  release(reservation: Reservation): Promise<boolean>;
  /** Records a RELEASED reservation with no lines, unless one exists; false when one did. */
  tombstone(orderId: string, at: string): Promise<boolean>;
  /** HELD reservations whose expiry is before `before`, oldest first. */
  listExpired(before: string, limit: number): Promise<Reservation[]>;
}
