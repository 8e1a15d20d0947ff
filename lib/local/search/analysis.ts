/**
 * The analyzers the mappings may name, as OpenSearch defines them:
 * - `standard`: the standard tokenizer (words of letters and digits, apostrophes and dots inside a word kept,
 *   as Unicode's word-break rules do) and lowercase;
 * - `english`: standard tokenizer, English possessive removal (`'s`), lowercase, Lucene's English stop words,
 *   and the Porter stemmer (`porter_stem`, the original algorithm: npm `stemmer`);
 * - `simple`: runs of letters, lowercased (the completion field's default); `whitespace`; `keyword` (the whole
 *   value as one token).
 * The same analyzer runs at index and at query time.
 */
import { stemmer } from 'stemmer';

export type Analyzer = (text: string) => string[];

/** Lucene's EnglishAnalyzer.ENGLISH_STOP_WORDS_SET, the `_english_` stop words of OpenSearch's `english` analyzer. */
const ENGLISH_STOP_WORDS = new Set(
  'a an and are as at be but by for if in into is it no not of on or such that the their then there these they this to was will with'.split(
    ' ',
  ),
);

/** Letters, marks, digits and underscores; joined across ' ’ . : between word characters and , between digits. */
const STANDARD_TOKEN = /[\p{L}\p{M}\p{N}_]+(?:(?:['’.:]|(?<=\p{N}),(?=\p{N}))[\p{L}\p{M}\p{N}_]+)*/gu;
const LETTERS = /\p{L}+/gu;
/** The standard tokenizer's max_token_length. */
const MAX_TOKEN_LENGTH = 255;

const standardTokens = (text: string): string[] =>
  (text.match(STANDARD_TOKEN) ?? []).filter((token) => token.length <= MAX_TOKEN_LENGTH);
const lower = (tokens: string[]) => tokens.map((token) => token.toLowerCase());
const withoutPossessive = (token: string) => token.replace(/['’][sS]$/, '');

export const ANALYZERS: Record<string, Analyzer> = {
  standard: (text) => lower(standardTokens(text)),
  english: (text) =>
    lower(standardTokens(text).map(withoutPossessive))
      .filter((token) => token !== '' && !ENGLISH_STOP_WORDS.has(token))
      .map((token) => stemmer(token)),
  simple: (text) => lower(text.match(LETTERS) ?? []),
  whitespace: (text) => text.split(/\s+/u).filter(Boolean),
  keyword: (text) => [text],
};

export const isAnalyzer = (name: string): boolean => Object.hasOwn(ANALYZERS, name);
export const analyzer = (name: string): Analyzer => ANALYZERS[name]!;
