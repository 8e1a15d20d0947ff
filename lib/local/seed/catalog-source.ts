/**
 * The seed catalog's source: the UCI Online Retail dataset read in place (monthly gzipped CSVs), or the
 * project's own demo catalog where the dataset is absent. Nothing read here is written back into the
 * repository; the catalog is derived afresh on every load.
 *
 * The reading of the dataset and the rules that make products of it are catalog-data/'s, which ml/ and
 * the history replay share.
 */
import { listDatasetFiles, readInvoiceLineBatches } from '../../../catalog-data/invoice-lines';
import { CatalogBuilder, type SeedProduct } from '../../../catalog-data/catalog';
import { DEMO_CATALOG } from './demo-catalog';

export interface LoadSeedCatalogOptions {
  /** The dataset directory. Undefined, missing or without CSVs: the demo catalog. */
  datasetDir?: string;
  /** Compressed bytes read so far, of the total size of the dataset's files. */
  onProgress?: (done: number, total: number) => void;
}

/**
 * The seed catalog: one product per StockCode of the dataset in `datasetDir` when it holds CSVs,
 * otherwise (no directory given, directory absent, no CSVs in it) the demo catalog.
 */
export async function loadSeedCatalog(
  options: LoadSeedCatalogOptions = {},
): Promise<{ source: 'dataset' | 'demo'; products: SeedProduct[] }> {
  const { datasetDir, onProgress } = options;
  const files = datasetDir ? await listDatasetFiles(datasetDir) : [];
  if (!datasetDir || files.length === 0) {
    return { source: 'demo', products: DEMO_CATALOG.map((p) => ({ ...p })) };
  }
  const builder = new CatalogBuilder();
  for await (const batch of readInvoiceLineBatches(datasetDir, { onProgress }))
    for (const line of batch) builder.add(line);
  return { source: 'dataset', products: builder.products() };
}
