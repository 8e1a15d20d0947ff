/**
 * The completion suggester: `{"<name>": {"prefix": "cake st", "completion": {"field", "size", "skip_duplicates",
 * "fuzzy"}}}`. The prefix is analyzed by the field's search analyzer and matched against the start of each input
 * and of each later word of it (./completion-index.ts). Fuzzy matching is the completion suggester's: once the
 * prefix has `min_length` characters (3 by default), the first `prefix_length` (1) must match and the rest may
 * differ by the fuzziness's edits (AUTO by the prefix's length; a transposition is one edit unless
 * `transpositions: false`); a suggestion scores its weight times the number of leading characters it shares with
 * the prefix (Lucene's FuzzyCompletionQuery), or its weight without fuzzy. Each document is suggested once (by its
 * best input); `skip_duplicates` drops a suggestion whose text an earlier one had.
 */
import { expectBoolean, expectInteger, expectObject, expectString, isObject, onlyKeys, type JsonObject } from './dsl';
import { illegalArgument, parsingError, unsupported } from './errors';
import { chars, editsFor, prefixDistance } from './fuzzy';
import type { SearchIndex } from './search-index';
import type { SourceFilter } from './source-filter';

interface Fuzzy {
  fuzziness: unknown;
  minLength: number;
  prefixLength: number;
  transpositions: boolean;
}

interface Option {
  index: SearchIndex;
  indexOrder: number;
  key: number;
  text: string;
  score: number;
  atStart: boolean;
}

export function suggest(body: JsonObject, indexes: SearchIndex[], filter: SourceFilter): JsonObject {
  const globalText = body.text === undefined ? undefined : expectString(body.text, 'suggest.text');
  const result: JsonObject = {};
  for (const [name, spec] of Object.entries(body)) {
    if (name === 'text') continue;
    const options = expectObject(spec, `suggest.${name}`);
    onlyKeys(options, `suggest.${name}`, ['prefix', 'text', 'completion', 'term', 'phrase', 'regex']);
    if (options.term !== undefined || options.phrase !== undefined)
      throw unsupported(`The [${options.term !== undefined ? 'term' : 'phrase'}] suggester`);
    if (options.regex !== undefined) throw unsupported('A [regex] completion');
    const prefix = expectString(options.prefix ?? options.text ?? globalText, `suggest.${name}.prefix`);
    result[name] = [
      {
        text: prefix,
        offset: 0,
        length: prefix.length,
        options: completion(prefix, expectObject(options.completion, `suggest.${name}.completion`), indexes, filter),
      },
    ];
  }
  return result;
}

function completion(prefix: string, options: JsonObject, indexes: SearchIndex[], filter: SourceFilter): JsonObject[] {
  onlyKeys(options, 'completion', ['field', 'size', 'skip_duplicates', 'fuzzy', 'analyzer']);
  const path = expectString(options.field, 'completion.field');
  const size = options.size === undefined ? 5 : expectInteger(options.size, 'completion.size', 1);
  const skipDuplicates =
    options.skip_duplicates === undefined
      ? false
      : expectBoolean(options.skip_duplicates, 'completion.skip_duplicates');
  const fuzzy = parseFuzzy(options.fuzzy);
  const best = new Map<string, Option>();
  indexes.forEach((index, indexOrder) => {
    const completionIndex = index.completionIndexes.get(path);
    if (!completionIndex) throw illegalArgument(`Field [${path}] is not a completion suggest field`);
    const query = completionIndex.analyzeQuery(prefix).join(' ');
    for (const candidate of candidates(completionIndex, query, fuzzy)) {
      const option = { index, indexOrder, ...candidate };
      const id = `${indexOrder}/${candidate.key}`;
      if (!best.has(id) || rank(option, best.get(id)!) < 0) best.set(id, option);
    }
  });
  const ranked = [...best.values()].sort(rank);
  const seen = new Set<string>();
  const chosen = ranked
    .filter((option) => !(skipDuplicates && (seen.has(option.text) || !seen.add(option.text))))
    .slice(0, size);
  return chosen.map((option) => {
    const document = option.index.byKey.get(option.key)!;
    return {
      text: option.text,
      _index: option.index.name,
      _id: document.id,
      _score: option.score,
      ...(filter && { _source: filter(document.source) }),
    };
  });
}

const rank = (a: Option, b: Option) =>
  b.score - a.score ||
  Number(b.atStart) - Number(a.atStart) ||
  (a.text < b.text ? -1 : a.text > b.text ? 1 : 0) ||
  a.indexOrder - b.indexOrder ||
  a.key - b.key;

function* candidates(index: import('./completion-index').CompletionIndex, query: string, fuzzy: Fuzzy | undefined) {
  const queryChars = chars(query);
  const edits = fuzzy && queryChars.length >= fuzzy.minLength ? editsFor(fuzzy.fuzziness, queryChars.length) : 0;
  const fixed = edits === 0 ? query : query.slice(0, fuzzy!.prefixLength);
  for (const [form, entries] of index.startingWith(fixed)) {
    const formChars = chars(form);
    if (edits > 0 && prefixDistance(queryChars, formChars, edits, fuzzy!.transpositions) > edits) continue;
    const shared = fuzzy ? commonPrefixLength(queryChars, formChars) : 1;
    for (const entry of entries)
      yield { key: entry.key, text: entry.input, score: entry.weight * shared, atStart: entry.atStart };
  }
}

function commonPrefixLength(a: ArrayLike<string>, b: ArrayLike<string>): number {
  let n = 0;
  while (n < a.length && n < b.length && a[n] === b[n]) n++;
  return n;
}

function parseFuzzy(value: unknown): Fuzzy | undefined {
  if (value === undefined || value === false) return undefined;
  const options = value === true ? {} : isObject(value) ? value : undefined;
  if (!options) throw parsingError('[completion] fuzzy must be a boolean or an object');
  onlyKeys(options, 'completion.fuzzy', [
    'fuzziness',
    'min_length',
    'prefix_length',
    'transpositions',
    'unicode_aware',
  ]);
  const fuzziness = options.fuzziness ?? 'AUTO';
  editsFor(fuzziness, 0);
  return {
    fuzziness,
    minLength: options.min_length === undefined ? 3 : expectInteger(options.min_length, 'fuzzy.min_length'),
    prefixLength: options.prefix_length === undefined ? 1 : expectInteger(options.prefix_length, 'fuzzy.prefix_length'),
    transpositions:
      options.transpositions === undefined ? true : expectBoolean(options.transpositions, 'fuzzy.transpositions'),
  };
}
