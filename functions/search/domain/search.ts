import { dependencyUnavailable } from '../../shared/errors';
import { SearchUnavailableError, type SearchDeps } from '../ports';
import type { SearchQuery, SearchResults, Suggestions, SuggestQuery } from '../schemas';
import { canRelax, searchBody, searchResultsFrom, searchText, type MatchOperator } from './query';
import { suggestBody, suggestionsFrom } from './suggest';

/** How long a search waits for its clickstream event to be written before answering anyway. */
export const SIGNAL_TIMEOUT_MS = 300;

async function ask<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof SearchUnavailableError) throw dependencyUnavailable('Search');
    throw error;
  }
}

/**
 * The search as a shopper sees it. Words must all match (in one field, typos tolerated) first; when that finds
 * nothing for a query of several words, any of them may (ranked by how many and how well), so a shopper who typed
 * one word too many still finds something. Facets describe the result that answered.
 */
export async function searchProducts(
  input: SearchQuery,
  deps: SearchDeps,
  context: { sessionId?: string } = {},
): Promise<SearchResults> {
  let operator: MatchOperator = 'and';
  let answer = await ask(() => deps.products.search(searchBody(input, operator)));
  if (canRelax(input, operator, answer.hits.total.value)) {
    operator = 'or';
    answer = await ask(() => deps.products.search(searchBody(input, operator)));
  }
  const results = searchResultsFrom(answer, input.sort);
  const query = searchText(input.q);
  if (query !== undefined) await signal(deps, { query, results: results.total, sessionId: context.sessionId });
  return results;
}

/**
 * Tells analytics what was searched and how much was found. Never fails the search, and never holds it up for
 * long: a stream that is down or slow loses the event, with a warning.
 */
async function signal(deps: SearchDeps, event: { query: string; results: number; sessionId?: string }): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>(
    (resolve) => (timer = setTimeout(() => resolve('timeout'), SIGNAL_TIMEOUT_MS)),
  );
  try {
    const outcome = await Promise.race([deps.events.searched(event).then(() => 'written' as const), timeout]);
    if (outcome === 'timeout')
      deps.log.warn('search event not written in time; answering without it', { timeoutMs: SIGNAL_TIMEOUT_MS });
  } catch (error) {
    deps.log.warn('search event not written', { error: (error as Error)?.message ?? String(error) });
  } finally {
    clearTimeout(timer);
  }
}

export async function suggestProducts(input: SuggestQuery, deps: Pick<SearchDeps, 'products'>): Promise<Suggestions> {
  const answer = await ask(() => deps.products.suggest(suggestBody(input.q, input.limit)));
  return suggestionsFrom(answer, input.limit);
}
