/**
 * The search relevance set: typo'd shopper queries written for this project, each with the words the shopper
 * meant. What is relevant to a query is computed from the catalog being searched, never stored: a product is
 * relevant when its name holds every intended word (case-insensitive, whole words, singular or plural on either
 * side — "candles" counts for "candle", "butterflies" for "butterfly", "glasses" for "glass"). Nothing here comes
 * from the dataset; the relevant sets are
 * derived afresh from whatever catalog is loaded (the Online Retail data, or the demo catalog without it).
 *
 * Precision@10 of a query: the share of the first 10 results that are relevant, out of min(10, |relevant|),
 * so a query with 4 relevant products is perfect when those 4 lead the list. A query whose relevant set is
 * empty in the loaded catalog (the demo catalog has no pendants) does not apply there and is left out of the
 * mean, and the report says so.
 */

export type TypoKind = 'transposition' | 'missing letter' | 'extra letter' | 'phonetic';

export interface RelevanceQuery {
  /** What the shopper typed. */
  readonly query: string;
  /** What they meant: the words a relevant product's name holds. */
  readonly intended: string;
  readonly typo: TypoKind;
}

export const RELEVANCE_QUERIES: readonly RelevanceQuery[] = [
  { query: 'neckalce', intended: 'necklace', typo: 'transposition' },
  { query: 'braclet', intended: 'bracelet', typo: 'missing letter' },
  { query: 'earings', intended: 'earrings', typo: 'missing letter' },
  { query: 'candel', intended: 'candle', typo: 'transposition' },
  { query: 'cushon', intended: 'cushion', typo: 'missing letter' },
  { query: 'miror', intended: 'mirror', typo: 'missing letter' },
  { query: 'butterfley', intended: 'butterfly', typo: 'extra letter' },
  { query: 'lantren', intended: 'lantern', typo: 'transposition' },
  { query: 'umbrela', intended: 'umbrella', typo: 'missing letter' },
  { query: 'doormatt', intended: 'doormat', typo: 'extra letter' },
  { query: 'notbook', intended: 'notebook', typo: 'missing letter' },
  { query: 'ceramik', intended: 'ceramic', typo: 'phonetic' },
  { query: 'cristal', intended: 'crystal', typo: 'phonetic' },
  { query: 'garlnad', intended: 'garland', typo: 'transposition' },
  { query: 'incence', intended: 'incense', typo: 'phonetic' },
  { query: 'strawbery', intended: 'strawberry', typo: 'missing letter' },
  { query: 'choclate', intended: 'chocolate', typo: 'missing letter' },
  { query: 'pendent', intended: 'pendant', typo: 'phonetic' },
  { query: 'babuska', intended: 'babushka', typo: 'missing letter' },
  { query: 'lavendar', intended: 'lavender', typo: 'phonetic' },
  { query: 'diamonte', intended: 'diamante', typo: 'phonetic' },
  { query: 'cutlary', intended: 'cutlery', typo: 'phonetic' },
  { query: 'parasoll', intended: 'parasol', typo: 'extra letter' },
  { query: 'buntting', intended: 'bunting', typo: 'extra letter' },
  // Two and three words: one misspelt among correct ones.
  { query: 'chrismas decoration', intended: 'christmas decoration', typo: 'missing letter' },
  { query: 'cake stnad', intended: 'cake stand', typo: 'transposition' },
  { query: 'hot water botle', intended: 'hot water bottle', typo: 'missing letter' },
  { query: 'photo frme', intended: 'photo frame', typo: 'missing letter' },
  { query: 'wall clokc', intended: 'wall clock', typo: 'transposition' },
  { query: 'heart decoraton', intended: 'heart decoration', typo: 'missing letter' },
  { query: 'travle card wallet', intended: 'travel card wallet', typo: 'transposition' },
  { query: 'silver neckalce', intended: 'silver necklace', typo: 'transposition' },
];

/** An English plural's singular (regular plurals only): butterflies → butterfly, glasses → glass, candles → candle. */
export function singular(word: string): string {
  if (word.length > 4 && word.endsWith('ies')) return `${word.slice(0, -3)}y`;
  if (/(sses|ches|shes|xes|zes)$/.test(word)) return word.slice(0, -2);
  if (word.length > 3 && word.endsWith('s') && !word.endsWith('ss')) return word.slice(0, -1);
  return word;
}

/** A name's words as the relevance rule compares them: lower case, letters and digits, singular. */
export function nameWords(text: string): string[] {
  return text
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean)
    .map(singular);
}

/** The ids of the products whose names hold every intended word. */
export function relevantIds(intended: string, products: readonly { id: string; name: string }[]): Set<string> {
  const wanted = nameWords(intended);
  return new Set(
    products
      .filter((p) => {
        const words = new Set(nameWords(p.name));
        return wanted.every((w) => words.has(w));
      })
      .map((p) => p.id),
  );
}

export const CUTOFF = 10;

/** Relevant among the first 10 returned, out of min(10, |relevant|); undefined when nothing is relevant. */
export function precisionAt10(returnedIds: readonly string[], relevant: ReadonlySet<string>): number | undefined {
  if (relevant.size === 0) return undefined;
  const hits = returnedIds.slice(0, CUTOFF).filter((id) => relevant.has(id)).length;
  return hits / Math.min(CUTOFF, relevant.size);
}

export interface QueryOutcome extends RelevanceQuery {
  relevant: number;
  returned: number;
  /** Undefined: the query does not apply to this catalog (nothing relevant). */
  precisionAt10?: number;
  /** The same with the intended words spelt right: what ranking alone achieves, the typo aside. */
  correctlySpeltPrecisionAt10?: number;
  /** The first 10 names returned, relevant ones marked ✓, for reading the report. */
  top: string[];
}

export interface RelevanceReport {
  catalog: { source: 'dataset' | 'demo'; products: number };
  rule: string;
  cutoff: number;
  meanPrecisionAt10: number;
  /** The control: the intended words, spelt right, through the same search. */
  meanCorrectlySpeltPrecisionAt10: number;
  applicable: number;
  /** Applicable queries that found nothing at all. */
  foundNothing: string[];
  notApplicable: string[];
  queries: QueryOutcome[];
}

export const RELEVANCE_RULE =
  'relevant = every product whose name holds all the intended words (case-insensitive, whole words, singular or regular plural); P@10 = relevant among the first 10 results / min(10, |relevant|); queries with nothing relevant in the catalog are left out of the mean';

/** Runs every query through `search` (the API) and scores it against the catalog. */
export async function measureRelevance(
  catalog: RelevanceReport['catalog'] & { items: readonly { id: string; name: string }[] },
  search: (query: string) => Promise<{ id: string; name: string }[]>,
): Promise<RelevanceReport> {
  const queries: QueryOutcome[] = [];
  for (const q of RELEVANCE_QUERIES) {
    const relevant = relevantIds(q.intended, catalog.items);
    const results = await search(q.query);
    const control = await search(q.intended);
    queries.push({
      ...q,
      relevant: relevant.size,
      returned: results.length,
      precisionAt10: precisionAt10(
        results.map((r) => r.id),
        relevant,
      ),
      correctlySpeltPrecisionAt10: precisionAt10(
        control.map((r) => r.id),
        relevant,
      ),
      top: results.slice(0, CUTOFF).map((r) => `${relevant.has(r.id) ? '✓' : '✗'} ${r.name}`),
    });
  }
  const scored = queries.filter((q) => q.precisionAt10 !== undefined);
  const mean = (values: number[]) => values.reduce((sum, v) => sum + v, 0) / Math.max(1, values.length);
  return {
    catalog: { source: catalog.source, products: catalog.products },
    rule: RELEVANCE_RULE,
    cutoff: CUTOFF,
    meanPrecisionAt10: mean(scored.map((q) => q.precisionAt10!)),
    meanCorrectlySpeltPrecisionAt10: mean(scored.map((q) => q.correctlySpeltPrecisionAt10!)),
    applicable: scored.length,
    foundNothing: scored.filter((q) => q.returned === 0).map((q) => q.query),
    notApplicable: queries.filter((q) => q.precisionAt10 === undefined).map((q) => q.query),
    queries,
  };
}
