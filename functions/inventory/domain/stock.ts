import { notFound } from '../../shared/errors';
import type { InventoryDeps } from '../ports';
import type { SetStock, StockLevel } from '../schemas';

export async function getStock(productId: string, deps: InventoryDeps): Promise<StockLevel> {
  const level = await deps.stock.get(productId);
  if (!level) throw notFound('Inventory for product');
  return level;
}

/** Restocking sets what can be sold; stock already reserved by checkouts is untouched. */
export async function setStock(productId: string, input: SetStock, deps: InventoryDeps): Promise<StockLevel> {
  const level = await deps.stock.setAvailable(productId, input.available);
  if (!level) throw notFound('Inventory for product');
  return level;
}
