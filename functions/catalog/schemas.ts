import * as z from 'zod/mini';
import { Currency, Cursor, Id, Limit, MinorUnits, queryInt, ScalarRecord, text } from '../shared/schemas';
import { CATEGORIES } from '../../catalog-data/categories';

export const Sku = z
  .string()
  .check(z.regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'Must be 1-64 letters, digits, dot, dash or underscore'));
export const Category = z.enum(CATEGORIES);
export const ProductStatus = z.enum(['ACTIVE', 'INACTIVE']);
const Price = MinorUnits.check(z.minimum(1, 'Must be a positive number of minor units'));

export const ProductIdParams = z.strictObject({ id: Id });

export const CreateProduct = z.strictObject({
  sku: z.optional(Sku),
  name: text(200),
  description: text(5000, { min: 0, multiline: true }),
  category: Category,
  brand: text(100),
  price: Price,
  currency: Currency,
  attributes: z.optional(ScalarRecord(50)),
  initialStock: z.optional(z.int().check(z.minimum(0), z.maximum(1_000_000))),
});
export type CreateProduct = z.infer<typeof CreateProduct>;

/** PUT carries the fields to change plus the version the client last read (optimistic concurrency). */
export const UpdateProduct = z
  .strictObject({
    version: z.int().check(z.minimum(1)),
    name: z.optional(text(200)),
    description: z.optional(text(5000, { min: 0, multiline: true })),
    category: z.optional(Category),
    brand: z.optional(text(100)),
    price: z.optional(Price),
    currency: z.optional(Currency),
    attributes: z.optional(ScalarRecord(50)),
    status: z.optional(ProductStatus),
  })
  .check(z.refine((u) => Object.keys(u).length > 1, 'Name at least one field to change besides version'));
export type UpdateProduct = z.infer<typeof UpdateProduct>;

export const ListProductsQuery = z.strictObject({
  category: z.optional(Category),
  limit: Limit,
  cursor: Cursor,
});
export type ListProductsQuery = z.infer<typeof ListProductsQuery>;

export const Product = z.object({
  id: z.string(),
  sku: z.string(),
  name: z.string(),
  description: z.string(),
  category: Category,
  brand: z.string(),
  price: z.int(),
  currency: Currency,
  imageUrls: z.array(z.string()),
  attributes: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])),
  popularity: z.number(),
  status: ProductStatus,
  version: z.int(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type Product = z.infer<typeof Product>;

export const ProductPage = z.object({ items: z.array(Product), nextCursor: z.optional(z.string()) });

/** Partners sync the whole catalog in bulk (lib/rate-limits.ts): pages five times the shoppers' largest. */
export const PARTNER_PAGE_MAX = 500;
export const PartnerProductsQuery = z.strictObject({
  limit: queryInt(1, PARTNER_PAGE_MAX, 200),
  cursor: Cursor,
});
export type PartnerProductsQuery = z.infer<typeof PartnerProductsQuery>;

/** What a marketplace lists of a product: price in integer minor units, updatedAt to sync only what changed. */
export const PartnerProduct = z.object({
  id: z.string(),
  sku: z.string(),
  name: z.string(),
  price: z.int(),
  currency: Currency,
  updatedAt: z.string(),
});
export type PartnerProduct = z.infer<typeof PartnerProduct>;

export const PartnerProductPage = z.object({ items: z.array(PartnerProduct), nextCursor: z.optional(z.string()) });
export type PartnerProductPage = z.infer<typeof PartnerProductPage>;
