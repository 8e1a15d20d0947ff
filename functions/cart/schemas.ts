import * as z from 'zod/mini';
import { Id } from '../shared/schemas';

export const SessionId = z.string().check(
  z.regex(/^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/, 'Must be a UUID'),
);
const Quantity = z.int('Must be a whole number').check(z.minimum(1, 'Must be at least 1'), z.maximum(999, 'Must be at most 999'));

export const AddItem = z.strictObject({ productId: Id, quantity: Quantity });
export type AddItem = z.infer<typeof AddItem>;
export const SetQuantity = z.strictObject({
  quantity: z.int('Must be a whole number').check(z.minimum(0, 'Must not be negative'), z.maximum(999, 'Must be at most 999')),
});
export const CartItemParams = z.strictObject({ productId: Id });
export const ApplyPromo = z.strictObject({
  code: z.string().check(z.trim(), z.regex(/^[A-Za-z0-9][A-Za-z0-9_-]{1,31}$/, 'Must be a promotion code: 2-32 letters, digits, dash or underscore')),
});
export const MergeCarts = z.strictObject({ sessionId: SessionId });
export const CartQuery = z.strictObject({
  country: z.optional(z.string().check(z.regex(/^[A-Z]{2}$/, 'Must be an ISO 3166-1 alpha-2 country code, e.g. GB'))),
});

/** The figures pricing produces, shared by a cart and the order placed from it. */
export const PricedLine = z.object({ productId: z.string(), name: z.string(), quantity: z.int(), unitPrice: z.int(), lineTotal: z.int() });
export const PriceFigures = {
  items: z.array(PricedLine),
  subtotal: z.int(),
  discount: z.int(),
  tax: z.int(),
  shipping: z.int(),
  total: z.int(),
  currency: z.string(),
  promoCode: z.optional(z.string()),
};

export const Cart = z.object({ cartId: z.string(), ...PriceFigures });
export type Cart = z.infer<typeof Cart>;
