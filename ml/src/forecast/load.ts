/** Weekly units of a dataset folder, read with the recommendations' reader (catalog-data/invoice-lines.ts). */
import { readInvoiceLineBatches } from '../../../catalog-data/invoice-lines';
import { weekIndex } from './weeks';
import { WeeklyUnitsBuilder, type WeeklyUnits } from './units';

/** The dataset's first Monday: the data starts on 2010-12-01, in the week of 2010-11-29. */
export const DATA_ORIGIN = '2010-11-29';

export interface LoadUnitsOptions {
  /** Week 0's Monday (default DATA_ORIGIN; lines before it are dropped). */
  origin?: string;
  /** Only lines before this Monday (exclusive). Default: all. */
  until?: string;
  onProgress?: (done: number, total: number) => void;
}

/** Weekly units of every product in `datasetDir`, weeks [origin, until) or to the last line's week. */
export async function loadWeeklyUnits(datasetDir: string, options: LoadUnitsOptions = {}): Promise<WeeklyUnits> {
  const origin = options.origin ?? DATA_ORIGIN;
  // The dataset spans about 54 weeks; room for more, trimmed to the last week seen.
  const capacity = options.until ? weekIndex(origin, options.until) : 520;
  const builder = new WeeklyUnitsBuilder(origin, Math.max(0, capacity));
  let last = -1;
  for await (const batch of readInvoiceLineBatches(datasetDir, { onProgress: options.onProgress }))
    for (const line of batch) {
      builder.add(line);
      const week = weekIndex(origin, line.invoiceDate);
      if (week < capacity && week > last) last = week;
    }
  const units = builder.build();
  const weeks = options.until ? capacity : last + 1;
  for (const [id, row] of units.series) units.series.set(id, row.slice(0, weeks));
  return { ...units, weeks };
}
