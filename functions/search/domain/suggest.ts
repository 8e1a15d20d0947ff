/**
 * GET /v1/search/suggest: type-ahead completions of product names, from the completion field `suggest`. Pure.
 *
 * Every indexed product's `suggest.input` holds its name and the name from each later word on
 * (documents.ts suggestInputs), because OpenSearch's completion suggester matches a prefix only at an input's
 * start: "cake st" then finds "Red Retrospot Cake Stand" through its input "Cake Stand". The suggester answers
 * one option per document, whose text is the input it matched; so it is asked not to drop options with the same
 * text (two products named "Red Cake Stand" and "Blue Cake Stand" both match "Cake Stand"), and the names are
 * deduplicated here instead, from each option's `_source`.
 */
import * as z from 'zod/mini';

/** OpenSearch's AUTO fuzziness is kept off shorter prefixes, where one edit matches almost anything. */
export const FUZZY_FROM_CHARACTERS = 4;
/** Options asked for per suggestion wanted: names repeat across products (sizes, colours), and are dropped. */
const OVERFETCH = 3;
const MAX_OPTIONS = 60;

export interface SuggestRequestBody {
  size: 0;
  _source: ['id', 'name'];
  suggest: {
    names: {
      prefix: string;
      completion: {
        field: 'suggest';
        size: number;
        skip_duplicates: boolean;
        fuzzy?: { fuzziness: 'AUTO'; min_length: number; transpositions: true };
      };
    };
  };
}

/** The prefix as typed, white space runs made one space. */
export const suggestPrefix = (q: string) => q.replace(/\s+/gu, ' ').trim();

export function suggestBody(q: string, limit: number): SuggestRequestBody {
  const prefix = suggestPrefix(q);
  const fuzzy =
    [...prefix].length >= FUZZY_FROM_CHARACTERS
      ? { fuzzy: { fuzziness: 'AUTO' as const, min_length: FUZZY_FROM_CHARACTERS, transpositions: true as const } }
      : {};
  return {
    size: 0,
    _source: ['id', 'name'],
    suggest: {
      names: {
        prefix,
        completion: {
          field: 'suggest',
          size: Math.min(limit * OVERFETCH, MAX_OPTIONS),
          skip_duplicates: false,
          ...fuzzy,
        },
      },
    },
  };
}

const Option = z.object({
  text: z.optional(z.string()),
  _id: z.string(),
  _score: z.optional(z.nullable(z.number())),
  _source: z.object({ id: z.optional(z.string()), name: z.string() }),
});

export const EngineSuggestResponse = z.object({
  suggest: z.object({ names: z.array(z.object({ options: z.array(Option) })) }),
});
export type EngineSuggestResponse = z.infer<typeof EngineSuggestResponse>;

/** The options in the engine's order (best first), one per name (case-insensitive), at most `limit`. */
export function suggestionsFrom(
  response: EngineSuggestResponse,
  limit: number,
): { items: { id: string; name: string }[] } {
  const seen = new Set<string>();
  const items: { id: string; name: string }[] = [];
  for (const option of response.suggest.names.flatMap((entry) => entry.options)) {
    const key = option._source.name.toLocaleLowerCase('en-GB');
    if (seen.has(key)) continue;
    seen.add(key);
    items.push({ id: option._source.id ?? option._id, name: option._source.name });
    if (items.length === limit) break;
  }
  return { items };
}
