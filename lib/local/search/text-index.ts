/**
 * The inverted index of one text or keyword field, on MiniSearch (npm `minisearch`): it keeps the postings,
 * field lengths and document counts and computes BM25 (Lucene's parameters: k1 1.2, b 0.75, no BM25+ delta).
 * What OpenSearch does differently from MiniSearch's own query features is done here, around it:
 * - analysis is the field's analyzer (./analysis.ts), run once at index time and once per query;
 * - fuzziness is OpenSearch's: each query term expands to the index's terms within its edits counted as
 *   Damerau–Levenshtein (a transposition is one edit), at most `max_expansions` of them, each weighted by its
 *   similarity (1 − edits / shorter length) and scored with the largest document frequency of its expansions
 *   (Lucene's FuzzyQuery rewrite, TopTermsBlendedFreqScoringRewrite), so a typo's rare neighbour does not
 *   outrank the common word;
 * - `operator` applies within the field: `and` needs every query term (or one of its expansions) in the field;
 * - the score is Lucene's: MiniSearch's (k1 + 1) factor and its multiplication by the number of matched query
 *   terms are taken back out.
 */
import MiniSearch from 'minisearch';
import { analyzer, type Analyzer } from './analysis';
import { chars, osaDistance } from './fuzzy';
import type { ResolvedField } from './mapping';

const K1 = 1.2;
const LUCENE_BM25 = { k: K1, b: 0.75, d: 0 };
/** Tokens travel to MiniSearch already analyzed, joined by a character no analyzer emits. */
const SEPARATOR = '\u0000';

interface FieldDocument {
  key: number;
  tokens: string[];
}

export interface MatchOptions {
  operator: 'and' | 'or';
  /** Edits allowed for a term of n characters. */
  edits: (length: number) => number;
  prefixLength: number;
  maxExpansions: number;
  transpositions: boolean;
}

export const EXACT: MatchOptions = {
  operator: 'or',
  edits: () => 0,
  prefixLength: 0,
  maxExpansions: 50,
  transpositions: true,
};

interface Expansion {
  term: string;
  similarity: number;
}

export class TextIndex {
  readonly analyze: Analyzer;
  readonly analyzeQuery: Analyzer;
  private readonly mini = new MiniSearch<FieldDocument>({
    idField: 'key',
    fields: ['tokens'],
    storeFields: [],
    extractField: (document, field) => (field === 'key' ? document.key : document.tokens.join(SEPARATOR)) as never,
    tokenize: (text) => (text ? text.split(SEPARATOR) : []),
    processTerm: (term) => term,
    autoVacuum: false,
    searchOptions: {
      tokenize: (text) => [text],
      processTerm: (term) => term,
      bm25: LUCENE_BM25,
      fuzzy: false,
      prefix: false,
    },
  });
  /** Document frequency of each term, and the terms by length (where fuzzy expansion looks). */
  private readonly documentFrequency = new Map<string, number>();
  private readonly termsByLength = new Map<number, Set<string>>();
  private readonly tokensOf = new Map<number, string[]>();

  constructor(readonly field: ResolvedField) {
    const keywordLimit = field.type === 'keyword' ? field.ignoreAbove : undefined;
    this.analyze =
      keywordLimit === undefined ? analyzer(field.analyzer) : (text) => (text.length > keywordLimit ? [] : [text]);
    this.analyzeQuery = field.type === 'keyword' ? (text) => [text] : analyzer(field.searchAnalyzer);
  }

  add(key: number, texts: string[]): void {
    const tokens = texts.flatMap((text) => this.analyze(text));
    if (tokens.length === 0) return;
    this.mini.add({ key, tokens });
    this.tokensOf.set(key, tokens);
    for (const term of new Set(tokens)) {
      const frequency = (this.documentFrequency.get(term) ?? 0) + 1;
      this.documentFrequency.set(term, frequency);
      if (frequency === 1) this.lengthBucket(chars(term).length).add(term);
    }
  }

  remove(key: number): void {
    const tokens = this.tokensOf.get(key);
    if (!tokens) return;
    this.mini.remove({ key, tokens });
    this.tokensOf.delete(key);
    for (const term of new Set(tokens)) {
      const frequency = this.documentFrequency.get(term)! - 1;
      if (frequency > 0) this.documentFrequency.set(term, frequency);
      else {
        this.documentFrequency.delete(term);
        this.lengthBucket(chars(term).length).delete(term);
      }
    }
  }

  hasTerm(key: number, term: string): boolean {
    return this.tokensOf.get(key)?.includes(term) ?? false;
  }

  /** BM25 scores of the documents matching the (analyzed) query terms in this field. */
  match(terms: string[], options: MatchOptions): Map<number, number> {
    const groups = terms.map((term) => this.expand(term, options));
    const documents = this.mini.documentCount;
    const weights = new Map<string, number>();
    for (const group of groups) {
      const blended = Math.max(0, ...group.map((expansion) => this.documentFrequency.get(expansion.term)!));
      for (const { term, similarity } of group) {
        const weight = (similarity * idf(documents, blended)) / idf(documents, this.documentFrequency.get(term)!);
        weights.set(term, Math.max(weights.get(term) ?? 0, weight));
      }
    }
    const query = {
      combineWith: options.operator.toUpperCase() as 'AND' | 'OR',
      queries: groups.map((group) => ({ combineWith: 'OR' as const, queries: group.map((e) => e.term) })),
    };
    const results = this.mini.search(query, { boostTerm: (term) => weights.get(term) ?? 1 });
    return new Map(
      results.map((result) => [result.id as number, result.score / Math.max(1, result.queryTerms.length) / (K1 + 1)]),
    );
  }

  /** The index's terms within the allowed edits of `term`, best first (Lucene's top-terms by boost, then term). */
  private expand(term: string, options: MatchOptions): Expansion[] {
    const query = chars(term);
    const edits = options.edits(query.length);
    if (edits === 0) return this.documentFrequency.has(term) ? [{ term, similarity: 1 }] : [];
    const prefix = term.slice(0, options.prefixLength);
    const found: Expansion[] = [];
    for (let length = query.length - edits; length <= query.length + edits; length++) {
      for (const candidate of this.termsByLength.get(length) ?? []) {
        if (!candidate.startsWith(prefix)) continue;
        const candidateChars = chars(candidate);
        const distance = osaDistance(query, candidateChars, edits, options.transpositions);
        if (distance <= edits)
          found.push({ term: candidate, similarity: 1 - distance / Math.min(query.length, candidateChars.length) });
      }
    }
    found.sort((a, b) => b.similarity - a.similarity || (a.term < b.term ? -1 : 1));
    return found.slice(0, options.maxExpansions);
  }

  private lengthBucket(length: number): Set<string> {
    let bucket = this.termsByLength.get(length);
    if (!bucket) this.termsByLength.set(length, (bucket = new Set()));
    return bucket;
  }
}

/** BM25's inverse document frequency, as Lucene and MiniSearch compute it. */
const idf = (documents: number, frequency: number) => Math.log(1 + (documents - frequency + 0.5) / (frequency + 0.5));
