import * as z from 'zod/mini';
import { Id } from '../shared/schemas';

export const SessionId = z
  .string()
  .check(z.regex(/^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/, 'Must be a UUID'));
const Quantity = z
  .int('Must be a whole number')
  .check(z.minimum(1, 'Must be at least 1'), z.maximum(999, 'Must be at most 999'));

export const AddItem = z.strictObject({ productId: Id, quantity: Quantity });
export type AddItem = z.infer<typeof AddItem>;
export const SetQuantity = z.strictObject({
  quantity: z
    .int('Must be a whole number')
    .check(z.minimum(0, 'Must not be negative'), z.maximum(999, 'Must be at most 999')),
});
export const CartItemParams = z.strictObject({ productId: Id });
export const ApplyPromo = z.strictObject({
  code: z
    .string()
    .check(
      z.trim(),
      z.regex(/^[A-Za-z0-9][A-Za-z0-9_-]{1,31}$/, 'Must be a promotion code: 2-32 letters, digits, dash or underscore'),
    ),
});
export const MergeCarts = z.strictObject({ sessionId: SessionId });
export const CartQuery = z.strictObject({
  country: z.optional(z.string().check(z.regex(/^[A-Z]{2}$/, 'Must be an ISO 3166-1 alpha-2 country code, e.g. GB'))),
});

/** The figures pricing produces, shared by a cart and the order placed from it. */
export const PricedLine = z.object({
  productId: z.string(),
  name: z.string(),
  quantity: z.int(),
  unitPrice: z.int(),
  lineTotal: z.int(),
});
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

/** Why a saved line can no longer be priced; see domain/cart.ts unavailableReason. */
export const UNAVAILABLE_REASONS = ['NOT_FOUND', 'INACTIVE', 'CURRENCY_MISMATCH'] as const;
export type UnavailableReason = (typeof UNAVAILABLE_REASONS)[number];

export const UnavailableItem = z.object({
  productId: z.string(),
  name: z.optional(z.string().check(z.describe("The product's name, when the catalog still has it"))),
  quantity: z.int(),
  reason: z
    .enum(UNAVAILABLE_REASONS)
    .check(
      z.describe(
        'NOT_FOUND: the product left the catalog; INACTIVE: it is no longer sold; CURRENCY_MISMATCH: it is priced in another currency than the cart',
      ),
    ),
});
export type UnavailableItem = z.infer<typeof UnavailableItem>;

export const Cart = z.object({
  cartId: z.string(),
  ...PriceFigures,
  unavailableItems: z
    .array(UnavailableItem)
    .check(
      z.describe(
        'Saved lines the catalog can no longer price, kept so the shopper sees what happened: outside items and every total, ' +
          'not ordered at checkout; removed with DELETE /v1/cart/items/{productId}. Empty when every line is priced.',
      ),
    ),
});
export type Cart = z.infer<typeof Cart>;
