import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import * as z from 'zod/mini';
import type { ProductDimRow } from '../domain/load';
import { isTestData } from '../../shared/test-data';
import { MalformedRecordError } from './orders-stream-records';

/**
 * What a products-table stream record means to the warehouse: INSERT and MODIFY carry the product as stored
 * (functions/catalog), which becomes its dim_products row — name, category, brand and price (pence) as of
 * `updatedAt`. The upsert (upsertProductDims) keeps the newest image per product, so a redelivered or
 * out-of-order older record changes nothing. A REMOVE loads nothing: no API deletes products, and the sales
 * already counted for one still need its name in reports. A product marked as test data (functions/shared/test-data.ts)
 * loads nothing either. Pure, like the orders mapping.
 *
 * The lengths are the dimension's column widths: a longer value would fail the whole load on Redshift (and
 * Postgres), so it fails only its own record here.
 */
const ProductImage = z.object({
  id: z.string().check(z.minLength(1), z.maxLength(64)),
  name: z.string().check(z.maxLength(256)),
  category: z.string().check(z.minLength(1), z.maxLength(64)),
  brand: z.string().check(z.maxLength(128)),
  price: z.int().check(z.nonnegative()),
  currency: z.string().check(z.regex(/^[A-Z]{3}$/)),
  status: z.string().check(z.minLength(1), z.maxLength(16)),
  updatedAt: z.string().check(z.refine((s) => !Number.isNaN(Date.parse(s)), 'Must be a date-time')),
});

export function productDimFromStreamRecord(record: DynamoDBRecord): ProductDimRow[] {
  const where = `Stream record ${record.eventID ?? '?'}`;
  if (record.eventName === 'REMOVE') return [];
  if (record.eventName !== 'INSERT' && record.eventName !== 'MODIFY')
    throw new MalformedRecordError(`${where}: unknown eventName ${String(record.eventName)}`);
  const raw = record.dynamodb?.NewImage;
  if (raw === undefined)
    throw new MalformedRecordError(`${where}: no NewImage (stream view type must include new images)`);
  let item: Record<string, unknown>;
  try {
    item = unmarshall(raw as Record<string, AttributeValue>);
  } catch (cause) {
    throw new MalformedRecordError(`${where}: NewImage cannot be unmarshalled`, { cause });
  }
  if (isTestData(item)) return [];
  const parsed = ProductImage.safeParse(item);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
    throw new MalformedRecordError(`${where}: NewImage is not a product (${issues})`);
  }
  const p = parsed.data;
  return [
    {
      productId: p.id,
      name: p.name,
      category: p.category,
      brand: p.brand,
      pricePence: p.price,
      currency: p.currency,
      status: p.status,
      updatedTs: new Date(p.updatedAt).toISOString(),
    },
  ];
}
