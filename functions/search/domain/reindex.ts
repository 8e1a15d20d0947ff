/**
 * The products index's migration and rebuild, over the ports (the same steps in AWS and locally).
 *
 * ensureProductsIndex: when the alias does not exist, creates the bootstrap index with the current mapping and
 * points the alias to it. Every caller creates the same index (bootstrapIndexName), so callers racing on a new
 * stage end with one index behind the alias.
 *
 * reindex: builds a new concrete index beside the live one and swaps the alias, so searches never stop:
 * 1. create `products-v<MAPPING_VERSION>-<now>` with the current mapping;
 * 2. load it from a scan of the products table (ACTIVE products, with their versions);
 * 3. swap the alias to it in one request — searches and the indexer's writes move at once;
 * 4. scan again and write every product through the new index (ACTIVE indexed, others deleted): whatever changed
 *    while the first scan ran went to the old index through the stream, and is caught up here. External
 *    versions make this harmless: what the indexer already wrote at the same or a newer version stays;
 * 5. after a grace period (searches already sent to the old index finish), delete the old index.
 */
import { bootstrapIndexName, concreteIndexName, productIndexDefinition } from '../index-definition';
import type { ActionOutcome, CatalogProducts, ProductIndexAdmin, ReindexDeps } from '../ports';
import { actionForProduct, MalformedProductError, parseStoredProduct, type IndexAction } from './documents';

export const REINDEX_PAGE_SIZE = 500;
export const OLD_INDEX_GRACE_MS = 2_000;

export interface LoadProgress {
  /** Products read from the table so far, in this pass. */
  done: number;
  /** About how many there are. */
  total: number;
  pass: 'load' | 'catch-up';
}

export interface LoadSummary {
  read: number;
  indexed: number;
  deleted: number;
  /** Already at that version or newer in the index: left as they were. */
  stale: number;
  /** Items the table holds that are not products, and writes the engine refused: each with why. */
  failures: { id: string; reason: string }[];
}

export interface ReindexSummary {
  index: string;
  previous: string[];
  load: LoadSummary;
  catchUp: LoadSummary;
}

/** Creates the index and alias when there is no alias yet; the index the alias points to either way. */
export async function ensureProductsIndex(index: ProductIndexAdmin): Promise<{ index: string; created: boolean }> {
  const targets = await index.aliasTargets();
  if (targets.length > 0) return { index: targets[0]!, created: false };
  const name = bootstrapIndexName();
  const created = await index.createIndex(name, productIndexDefinition);
  await index.pointAlias(name, []);
  return { index: name, created };
}

/**
 * Writes every product of the catalog to `target` (a concrete index name, or the alias when undefined), page by
 * page in one `_bulk` each. With `activeOnly`, other products are skipped rather than deleted (a new, empty index).
 */
export async function loadCatalog(
  catalog: CatalogProducts,
  writer: Pick<ProductIndexAdmin, 'bulk'>,
  options: {
    target?: string;
    activeOnly: boolean;
    pass: LoadProgress['pass'];
    onProgress?: (p: LoadProgress) => void;
    pageSize?: number;
  },
): Promise<LoadSummary> {
  const summary: LoadSummary = { read: 0, indexed: 0, deleted: 0, stale: 0, failures: [] };
  const total = await catalog.approximateCount().catch(() => 0);
  options.onProgress?.({ done: 0, total, pass: options.pass });
  for await (const page of catalog.pages(options.pageSize ?? REINDEX_PAGE_SIZE)) {
    const actions: IndexAction[] = [];
    for (const item of page) {
      try {
        const action = actionForProduct(parseStoredProduct(item, `Product ${(item as { id?: unknown })?.id ?? '?'}`));
        if (action.kind === 'index' || !options.activeOnly) actions.push(action);
      } catch (error) {
        if (!(error instanceof MalformedProductError)) throw error;
        summary.failures.push({ id: String((item as { id?: unknown })?.id ?? '?'), reason: error.message });
      }
    }
    const outcomes: ActionOutcome[] = actions.length ? await writer.bulk(actions, options.target) : [];
    outcomes.forEach((outcome, i) => {
      const action = actions[i]!;
      if (outcome.status === 'stale') summary.stale++;
      else if (outcome.status === 'failed') summary.failures.push({ id: action.id, reason: outcome.reason });
      else if (action.kind === 'index') summary.indexed++;
      else summary.deleted++;
    });
    summary.read += page.length;
    options.onProgress?.({ done: summary.read, total: Math.max(total, summary.read), pass: options.pass });
  }
  return summary;
}

export async function reindex(
  deps: ReindexDeps,
  options: { onProgress?: (p: LoadProgress) => void; graceMs?: number; pageSize?: number } = {},
): Promise<ReindexSummary> {
  const previous = await deps.index.aliasTargets();
  const name = concreteIndexName(deps.clock.now());
  if (previous.includes(name)) throw new Error(`The alias already points to ${name}`);
  await deps.index.createIndex(name, productIndexDefinition);
  let load: LoadSummary;
  try {
    load = await loadCatalog(deps.catalog, deps.index, {
      target: name,
      activeOnly: true,
      pass: 'load',
      onProgress: options.onProgress,
      pageSize: options.pageSize,
    });
    await deps.index.refresh(name);
    await deps.index.pointAlias(name, previous);
  } catch (error) {
    // Nothing points to the new index yet: the live one still serves, and the half-built one goes.
    await deps.index.deleteIndex(name).catch(() => undefined);
    throw error;
  }
  const catchUp = await loadCatalog(deps.catalog, deps.index, {
    target: name,
    activeOnly: false,
    pass: 'catch-up',
    onProgress: options.onProgress,
    pageSize: options.pageSize,
  });
  await deps.index.refresh(name);
  if (previous.length) await deps.sleep(options.graceMs ?? OLD_INDEX_GRACE_MS);
  for (const old of previous) await deps.index.deleteIndex(old);
  return { index: name, previous, load, catchUp };
}
