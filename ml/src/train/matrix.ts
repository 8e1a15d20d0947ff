/**
 * The order history as sparse matrices: customer × product (CSR) with quantities, invoice counts and the
 * last purchase time per pair, and baskets (each customer's or each invoice's distinct products).
 */
import type { OrderHistory } from '../data';

export interface Interactions {
  /** Product ids, sorted; a product's index is its column. */
  items: string[];
  itemIndex: Map<string, number>;
  /** Customer ids, as in `history.customers`; a customer's index is its row. */
  users: string[];
  /** Row `u` holds entries `indptr[u]` to `indptr[u + 1]`, columns ascending. */
  indptr: Int32Array;
  indices: Int32Array;
  /** Units bought of the pair. */
  quantity: Float64Array;
  /** Invoices the pair appears on. */
  invoices: Float64Array;
  /** Epoch milliseconds of the pair's latest invoice. */
  last: Float64Array;
}

/** The customer × product matrix of an order history, over `items` (default: the history's products). */
export function interactions(history: OrderHistory, items?: string[]): Interactions {
  const ids = items ?? [...new Set(history.invoices.flatMap((i) => i.lines.map((l) => l.productId)))].sort();
  const itemIndex = new Map(ids.map((id, i) => [id, i]));
  const users: string[] = [];
  const indptr = [0];
  const indices: number[] = [];
  const quantity: number[] = [];
  const invoices: number[] = [];
  const last: number[] = [];
  for (const customer of history.customers) {
    const row = new Map<number, { q: number; n: number; t: number }>();
    for (const invoice of customer.invoices) {
      for (const line of invoice.lines) {
        const j = itemIndex.get(line.productId);
        if (j === undefined) continue;
        const cell = row.get(j);
        if (cell) {
          cell.q += line.quantity;
          cell.n++;
          cell.t = Math.max(cell.t, invoice.time);
        } else {
          row.set(j, { q: line.quantity, n: 1, t: invoice.time });
        }
      }
    }
    users.push(customer.customerId);
    for (const j of [...row.keys()].sort((a, b) => a - b)) {
      const cell = row.get(j)!;
      indices.push(j);
      quantity.push(cell.q);
      invoices.push(cell.n);
      last.push(cell.t);
    }
    indptr.push(indices.length);
  }
  return {
    items: ids,
    itemIndex,
    users,
    indptr: Int32Array.from(indptr),
    indices: Int32Array.from(indices),
    quantity: Float64Array.from(quantity),
    invoices: Float64Array.from(invoices),
    last: Float64Array.from(last),
  };
}

/** A CSR matrix's transpose: the rows of `m` become columns. Values are carried along when given. */
export function transpose(
  rows: number,
  columns: number,
  indptr: Int32Array,
  indices: Int32Array,
  values?: Float64Array,
): { indptr: Int32Array; indices: Int32Array; values: Float64Array } {
  const counts = new Int32Array(columns + 1);
  for (let e = 0; e < indices.length; e++) counts[indices[e] + 1]++;
  for (let j = 0; j < columns; j++) counts[j + 1] += counts[j];
  const tIndptr = Int32Array.from(counts);
  const next = Int32Array.from(counts);
  const tIndices = new Int32Array(indices.length);
  const tValues = new Float64Array(indices.length);
  for (let u = 0; u < rows; u++) {
    for (let e = indptr[u]; e < indptr[u + 1]; e++) {
      const at = next[indices[e]]++;
      tIndices[at] = u;
      tValues[at] = values ? values[e] : 1;
    }
  }
  return { indptr: tIndptr, indices: tIndices, values: tValues };
}

/** Each invoice's distinct products as column indices, ascending (products outside `itemIndex` dropped). */
export function invoiceBaskets(history: OrderHistory, itemIndex: Map<string, number>): Int32Array[] {
  return history.invoices.map((invoice) => {
    const set = new Set<number>();
    for (const line of invoice.lines) {
      const j = itemIndex.get(line.productId);
      if (j !== undefined) set.add(j);
    }
    return Int32Array.from([...set].sort((a, b) => a - b));
  });
}

/** Each customer's distinct products as column indices (the rows of the interaction matrix). */
export function customerBaskets(m: Interactions): Int32Array[] {
  const baskets: Int32Array[] = [];
  for (let u = 0; u < m.users.length; u++) baskets.push(m.indices.subarray(m.indptr[u], m.indptr[u + 1]));
  return baskets;
}
