/**
 * The products index on `npm start`: made when there is none (a fresh start, or an engine whose data is gone)
 * and loaded from the products table in `_bulk` pages, with progress; rebuilt when it was made with an older
 * mapping (functions/search/index-definition.ts MAPPING_VERSION). Otherwise the index kept under
 * LOCAL_DATA_DIR/search is used as it is, and the indexer catches up on the products stream from its checkpoint.
 */
import { ensureProductsIndex, loadCatalog, reindex, type LoadProgress } from '../../../functions/search/domain/reindex';
import { MAPPING_VERSION, mappingVersionOf } from '../../../functions/search/index-definition';
import type { CatalogProducts, ProductIndexAdmin } from '../../../functions/search/ports';

export interface CatalogIndexing {
  /** The concrete index behind the alias. */
  index: string;
  /** `existing`: kept from an earlier run; `created`: made and loaded now; `rebuilt`: reindexed for a new mapping. */
  how: 'existing' | 'created' | 'rebuilt';
  /** Products written in this start. */
  indexed: number;
}

export interface IndexCatalogOptions {
  index: ProductIndexAdmin;
  catalog: CatalogProducts;
  onProgress?: (done: number, total: number) => void;
}

const progress = (options: IndexCatalogOptions) => (p: LoadProgress) => {
  // The catch-up pass of a rebuild re-reads what the load read: only the load is worth a bar.
  if (p.pass === 'load') options.onProgress?.(p.done, p.total);
};

export async function indexCatalog(options: IndexCatalogOptions): Promise<CatalogIndexing> {
  const targets = await options.index.aliasTargets();
  if (targets.length > 0 && targets.every((t) => mappingVersionOf(t) === MAPPING_VERSION))
    return { index: targets[0]!, how: 'existing', indexed: 0 };
  if (targets.length > 0) {
    const rebuilt = await reindex(
      {
        index: options.index,
        catalog: options.catalog,
        clock: { now: () => new Date() },
        sleep: async () => undefined,
      },
      { onProgress: progress(options), graceMs: 0 },
    );
    return { index: rebuilt.index, how: 'rebuilt', indexed: rebuilt.load.indexed };
  }
  const { index } = await ensureProductsIndex(options.index);
  try {
    const loaded = await loadCatalog(options.catalog, options.index, {
      target: index,
      activeOnly: true,
      pass: 'load',
      onProgress: progress(options),
    });
    if (loaded.failures.length)
      throw new Error(
        `${loaded.failures.length} product(s) not indexed, e.g. ${loaded.failures[0]!.id}: ${loaded.failures[0]!.reason}`,
      );
    await options.index.refresh(index);
    return { index, how: 'created', indexed: loaded.indexed };
  } catch (error) {
    // Made but not loaded: gone again, so that the next start makes and loads it anew.
    await options.index.deleteIndex(index).catch(() => undefined);
    throw error;
  }
}
