/** Product-weeks of a dataset folder or of lines already read, weeks [DATA_ORIGIN, until). */
import { readInvoiceLineBatches } from '../../../catalog-data/invoice-lines';
import { DATA_ORIGIN } from '../forecast/load';
import { weekIndex } from '../forecast/weeks';
import { PriceWeeksBuilder, type PriceLine, type PriceWeeks } from './weeks';

export type PriceSource = string | Iterable<PriceLine> | AsyncIterable<readonly PriceLine[]>;

export interface LoadPriceWeeksOptions {
  /** Only lines before this Monday (exclusive). */
  until: string;
  onProgress?: (done: number, total: number) => void;
}

/** Reads a dataset folder (a path), or folds lines (an iterable) or batches of lines (an async iterable). */
export async function loadPriceWeeks(source: PriceSource, options: LoadPriceWeeksOptions): Promise<PriceWeeks> {
  const builder = new PriceWeeksBuilder(DATA_ORIGIN, Math.max(0, weekIndex(DATA_ORIGIN, options.until)));
  if (typeof source === 'string') {
    for await (const batch of readInvoiceLineBatches(source, { onProgress: options.onProgress }))
      for (const line of batch) builder.add(line);
  } else if (Symbol.asyncIterator in source) {
    for await (const batch of source) for (const line of batch) builder.add(line);
  } else for (const line of source) builder.add(line);
  return builder.build();
}
