import type { StockLevel } from './schemas';

export interface StockRepository {
  get(productId: string): Promise<StockLevel | undefined>;
  /** Creates the stock record if it does not exist yet; an existing record is left as it is. */
  initialise(productId: string, available: number): Promise<void>;
  /** Sets `available` on an existing record; returns undefined when there is none. */
  setAvailable(productId: string, available: number): Promise<StockLevel | undefined>;
}

export interface InventoryDeps {
  stock: StockRepository;
}
