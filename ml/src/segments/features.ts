/**
 * Customer features at a cut (the contract's SegmentFeatures): recency, frequency, monetary, tenure and
 * breadth, from the cleaned order history of ml/src/data.ts, counting only invoices dated before the cut.
 */
import { SEGMENT_FEATURES, type SegmentFeatures } from '../insights/contract';
import { parseCutoff, type OrderHistory } from '../data';

const DAY = 86_400_000;

export interface CustomerFeatures {
  customerId: string;
  features: SegmentFeatures;
  /** Units bought per product before the cut (for a segment's top products). */
  units: Map<string, number>;
}

/** Every customer with at least one invoice before `asOf` ('YYYY-MM-DD', exclusive), by customer id. */
export function customerFeatures(history: OrderHistory, asOf: string): CustomerFeatures[] {
  const cut = parseCutoff(asOf);
  const result: CustomerFeatures[] = [];
  for (const customer of history.customers) {
    const invoices = customer.invoices.filter((i) => i.time < cut);
    if (invoices.length === 0) continue;
    const units = new Map<string, number>();
    let monetary = 0;
    for (const invoice of invoices) {
      monetary += invoice.spend ?? 0;
      for (const line of invoice.lines) units.set(line.productId, (units.get(line.productId) ?? 0) + line.quantity);
    }
    // Invoices are oldest first (OrderHistory's order).
    const first = invoices[0].time;
    const last = invoices.at(-1)!.time;
    result.push({
      customerId: customer.customerId,
      features: {
        recency: (cut - last) / DAY,
        frequency: invoices.length,
        monetary,
        tenure: (cut - first) / DAY,
        breadth: units.size,
      },
      units,
    });
  }
  return result;
}

/** The features in SEGMENT_FEATURES order. */
export const featureVector = (f: SegmentFeatures): number[] => SEGMENT_FEATURES.map((name) => f[name]);
