/**
 * The products index as the search context defines it: explicit settings and mappings, never dynamic ones
 * (`dynamic: strict` refuses a document with a field not listed here). Functions read and write only the alias
 * PRODUCTS_ALIAS; the concrete index behind it is `products-v<MAPPING_VERSION>-<yyyymmddhhmmssSSS>`. A change of
 * mapping is a new MAPPING_VERSION and a reindex (`npm run search:reindex`), which builds the new index beside the
 * old one and swaps the alias to it: the mapping is versioned like the warehouse's migrations.
 */
export const MAPPING_VERSION = 2;

/** The one name the functions use for reads and writes. */
export const PRODUCTS_ALIAS = 'products';

const CONCRETE_INDEX = /^products-v(\d+)-(\d{17})$/;

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** `products-v<MAPPING_VERSION>-<yyyymmddhhmmssSSS>` (UTC): a new concrete index for a reindex started at `at`. */
export function concreteIndexName(at: Date, mappingVersion = MAPPING_VERSION): string {
  const stamp =
    `${at.getUTCFullYear()}${pad(at.getUTCMonth() + 1)}${pad(at.getUTCDate())}` +
    `${pad(at.getUTCHours())}${pad(at.getUTCMinutes())}${pad(at.getUTCSeconds())}${pad(at.getUTCMilliseconds(), 3)}`;
  return `products-v${mappingVersion}-${stamp}`;
}

/**
 * The index created when the alias does not exist yet (first start, first batch of a new stage). Its name is the
 * same for every caller, so two indexers starting at once create one index between them (the second creation is
 * refused as already there) rather than two indexes behind one alias, which would refuse every write.
 */
export const bootstrapIndexName = (mappingVersion = MAPPING_VERSION) => `products-v${mappingVersion}-${'0'.repeat(17)}`;

/** The mapping version of a concrete index, from its name; undefined for a name this context did not make. */
export function mappingVersionOf(indexName: string): number | undefined {
  const match = CONCRETE_INDEX.exec(indexName);
  return match ? Number(match[1]) : undefined;
}

/** English analysis (lower case, stop words, stemming) at index and query time; the raw value beside it. */
const englishText = { type: 'text', analyzer: 'english', fields: { keyword: { type: 'keyword' } } } as const;

export const productIndexDefinition = {
  settings: {
    number_of_shards: 1,
    // A copy on a second data node: one node lost keeps search up (and the cluster green).
    number_of_replicas: 1,
  },
  mappings: {
    dynamic: 'strict',
    properties: {
      id: { type: 'keyword' },
      // `plain` keeps the words unstemmed for fuzzy matching: a typo of a word the stemmer cuts short
      // (chocolate → chocol, decoration → decor) is an edit or two from the whole word, not from its stem.
      name: { ...englishText, fields: { ...englishText.fields, plain: { type: 'text', analyzer: 'standard' } } },
      // Searched only: a keyword copy of up to 5,000 characters would serve no filter, sort or facet.
      description: { type: 'text', analyzer: 'english' },
      category: englishText,
      brand: { type: 'keyword' },
      /** Minor units: up to 10^10, past an integer's range. */
      price: { type: 'long' },
      currency: { type: 'keyword' },
      popularity: { type: 'float' },
      status: { type: 'keyword' },
      createdAt: { type: 'date' },
      updatedAt: { type: 'date' },
      version: { type: 'long' },
      suggest: { type: 'completion' },
    },
  },
} as const;

export type ProductIndexDefinition = typeof productIndexDefinition;
