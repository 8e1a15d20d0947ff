/**
 * The demand-insights routes (GET /v1/analytics/forecast, /segments, /segments/{segment}/customers, /pricing):
 * their query, path and response schemas. What the model itself takes and answers is ml/src/insights/contract.ts.
 */
import * as z from 'zod/mini';
import { Cursor, Id, queryInt } from '../shared/schemas';

/** The weeks a forecast may ask for (the model forecasts 26 ahead of its cut), and the default. */
export const MAX_FORECAST_WEEKS = 26;
export const DEFAULT_FORECAST_WEEKS = 8;
/** A campaign export's page: larger than the shoppers' lists (100), as an export is read by a program. */
export const MAX_SEGMENT_PAGE = 1000;
export const DEFAULT_SEGMENT_PAGE = 100;

const units = (description: string) => z.number().check(z.minimum(0), z.describe(description));
const day = (description: string) => z.string().check(z.describe(description));

export const ForecastQuery = z.strictObject({
  productId: Id.check(z.describe('A product of the catalog')),
  weeks: queryInt(1, MAX_FORECAST_WEEKS, DEFAULT_FORECAST_WEEKS),
});
export type ForecastQuery = z.infer<typeof ForecastQuery>;

export const FORECAST_STATES = ['forecast', 'no-sales-history'] as const;

export const Forecast = z.object({
  productId: z.string(),
  name: z.string().check(z.describe("The product's name in the catalog")),
  asOf: day("The model's cut: it saw only sales before this Monday, and its first forecast week starts on it"),
  forecast: z
    .enum(FORECAST_STATES)
    .check(
      z.describe(
        'no-sales-history: the product is in the catalog but the model never saw it sold before its cut, so there is no forecast: weeks and history are empty (not a forecast of zero)',
      ),
    ),
  weeks: z.array(
    z.object({
      weekStart: day('The Monday the week starts on (ISO weeks, Monday to Sunday)'),
      units: units('Forecast units of the week'),
      p10: units("10th percentile of the week's units: 80 % of weeks fall between p10 and p90"),
      p90: units("90th percentile of the week's units"),
    }),
  ),
  history: z
    .array(z.object({ weekStart: day('Monday of the week'), units: units('Units sold that week') }))
    .check(z.describe('The weeks of actual sales before the cut the model keeps (up to 26), oldest first: for charts')),
});
export type Forecast = z.infer<typeof Forecast>;

const Segment = z
  .string()
  .check(
    z.regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, 'Must be a lower-case slug (letters, digits and hyphens)'),
    z.maxLength(64, 'Must be at most 64 characters'),
  );

export const SegmentParams = z.strictObject({ segment: Segment });

export const SegmentCustomersQuery = z.strictObject({
  limit: queryInt(1, MAX_SEGMENT_PAGE, DEFAULT_SEGMENT_PAGE),
  cursor: Cursor,
});
export type SegmentCustomersQuery = z.infer<typeof SegmentCustomersQuery>;

export const Segments = z.object({
  asOf: day("The model's cut: the customers' features are measured at this day"),
  items: z.array(
    z.object({
      segment: z.string().check(z.describe('The id used in /v1/analytics/segments/{segment}/customers')),
      name: z.string().check(z.describe('Plain words from the centroid, e.g. "frequent wholesale buyers"')),
      description: z.string(),
      customers: z.int().check(z.minimum(0), z.describe('Customers in the segment at the cut')),
      valueShare: z
        .number()
        .check(z.minimum(0), z.maximum(1), z.describe("Share of all customers' spend before the cut, 0-1")),
    }),
  ),
});
export type Segments = z.infer<typeof Segments>;

export const SegmentCustomers = z.object({
  items: z.array(
    z.object({
      customerId: z.string(),
      recency: units('Days from the last purchase to the cut'),
      frequency: units('Purchases (invoices) before the cut'),
      monetary: units("Spend before the cut, GBP (the dataset's unit prices)"),
    }),
  ),
  nextCursor: z.optional(z.string()),
});
export type SegmentCustomers = z.infer<typeof SegmentCustomers>;

export const PricingQuery = z.strictObject({ productId: Id.check(z.describe('A product of the catalog')) });
export type PricingQuery = z.infer<typeof PricingQuery>;

const minor = (description: string) => z.int().check(z.minimum(0), z.describe(description));

export const PricingSuggestion = z.object({
  productId: z.string(),
  name: z.string(),
  currentPrice: minor("The catalog's price now, minor units of currency"),
  currency: z.string(),
  elasticity: z.optional(z.number().check(z.describe('Price elasticity of demand (log-log, with week effects)'))),
  interval: z.optional(
    z.tuple([z.number(), z.number()]).check(z.describe("The elasticity's 95 % confidence interval")),
  ),
  suggestedPrice: z.optional(
    minor(
      'A price that maximises margin under the stated unit-cost assumption, minor units; only where the interval excludes zero. ' +
        'Nothing changes the price: a person applies it through PATCH /v1/products/{id}',
    ),
  ),
  reason: z
    .string()
    .check(z.describe('Why there is, or is not, a suggestion, in a sentence for the person who decides')),
});
export type PricingSuggestion = z.infer<typeof PricingSuggestion>;
