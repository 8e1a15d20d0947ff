/**
 * The parts of the contract (API.md) the smoke test relies on: lenient objects, so a field added tomorrow
 * does not fail a deployment, but every field a check reads is checked.
 */
import { z } from 'zod';

export const Health = z.object({
  status: z.string(),
  components: z.record(z.string(), z.string()),
});

export const OpenApiDocument = z.object({
  openapi: z.string().startsWith('3.'),
  paths: z.record(z.string(), z.unknown()),
});

export const ErrorBody = z.object({ error: z.object({ code: z.string(), message: z.string() }) });

export const Product = z.object({ id: z.string(), name: z.string(), price: z.int(), currency: z.string() });

export const ProductPage = z.object({ items: z.array(Product) });

export const SearchResult = z.object({
  total: z.int().nonnegative(),
  items: z.array(z.object({ id: z.string(), name: z.string() })),
  facets: z.object({ categories: z.array(z.unknown()), brands: z.array(z.unknown()) }),
});

export const Registered = z.object({ userId: z.string(), email: z.string() });

export const Tokens = z.object({ idToken: z.string().min(1) });

export const Profile = z.object({ userId: z.string(), email: z.string() });

export const OrderAccepted = z.object({ orderId: z.string(), status: z.literal('PENDING') });

export const Order = z.object({
  orderId: z.string(),
  status: z.enum(['PENDING', 'CONFIRMED', 'CANCELLED']),
  payment: z.object({ status: z.string() }),
  failureReason: z.string().optional(),
});
