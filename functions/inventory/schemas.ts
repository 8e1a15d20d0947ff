import * as z from 'zod/mini';
import { Id } from '../shared/schemas';

export const InventoryParams = z.strictObject({ productId: Id });
export const SetStock = z.strictObject({
  available: z.int('Must be a whole number').check(z.minimum(0, 'Must not be negative'), z.maximum(1_000_000_000)),
});
export type SetStock = z.infer<typeof SetStock>;

export const StockLevel = z.object({ productId: z.string(), available: z.int(), reserved: z.int() });
export type StockLevel = z.infer<typeof StockLevel>;
