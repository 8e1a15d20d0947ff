/**
 * Edit distances as OpenSearch's fuzzy matching counts them: Damerau–Levenshtein in its optimal-string-alignment
 * form (Lucene's LevenshteinAutomata with transpositions), where swapping two adjacent characters is ONE edit
 * (`stnad` → `stand`), and `fuzziness: AUTO` (0 edits for 1–2 characters, 1 for 3–5, 2 beyond).
 */
import { parsingError } from './errors';

/** Lucene's automata go to 2 edits at most; so does every fuzziness OpenSearch accepts. */
export const MAX_EDITS = 2;

/** Edits allowed for a term of `length` characters (code points) under a `fuzziness` value. */
export function editsFor(fuzziness: unknown, length: number): number {
  if (fuzziness === undefined || fuzziness === null) return 0;
  if (typeof fuzziness === 'number' || /^\d+$/.test(String(fuzziness))) {
    const edits = Number(fuzziness);
    if (!Number.isInteger(edits) || edits < 0 || edits > MAX_EDITS)
      throw parsingError(`[fuzziness] must be one of 0, 1, 2 or AUTO but was [${String(fuzziness)}]`);
    return edits;
  }
  const auto = /^AUTO(?::(\d+),(\d+))?$/i.exec(String(fuzziness));
  if (!auto)
    throw parsingError(`[fuzziness] must be one of 0, 1, 2, AUTO or AUTO:low,high but was [${String(fuzziness)}]`);
  const [low, high] = auto[1] === undefined ? [3, 6] : [Number(auto[1]), Number(auto[2])];
  return length < low ? 0 : length < high ? 1 : 2;
}

/** Optimal-string-alignment distance, or `limit + 1` as soon as it is known to exceed `limit`. */
export function osaDistance(a: Chars, b: Chars, limit: number, transpositions = true): number {
  if (Math.abs(a.length - b.length) > limit) return limit + 1;
  const row = lastRow(a, b, limit, transpositions);
  return row ? Math.min(row[b.length]!, limit + 1) : limit + 1;
}

/**
 * The fewest edits that turn `query` into SOME prefix of `key` (a fuzzy prefix match, as the completion
 * suggester's FuzzyCompletionQuery accepts), or `limit + 1`.
 */
export function prefixDistance(query: Chars, key: Chars, limit: number, transpositions = true): number {
  const row = lastRow(query, key.slice(0, query.length + limit), limit, transpositions);
  return row ? Math.min(limit + 1, ...row) : limit + 1;
}

/** The last row of the alignment table of a against b (distances of all of a to each prefix of b), or undefined past `limit`. */
function lastRow(a: Chars, b: Chars, limit: number, transpositions: boolean): number[] | undefined {
  let beforePrevious: number[] = [];
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + cost);
      if (transpositions && i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        best = Math.min(best, beforePrevious[j - 2]! + 1);
      current.push(best);
      rowMin = Math.min(rowMin, best);
    }
    if (rowMin > limit) return undefined;
    beforePrevious = previous;
    previous = current;
  }
  return previous;
}

/** A term as characters: the string itself when it has no surrogate pairs, else its code points (Lucene counts code points). */
export type Chars = string | readonly string[];
export const chars = (text: string): Chars => (/[\uD800-\uDFFF]/.test(text) ? Array.from(text) : text);
