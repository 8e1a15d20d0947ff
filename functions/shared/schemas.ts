import * as z from 'zod/mini';

const typeOf = (v: unknown) => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v);

// zod/mini ships no locale (that is what keeps handlers small); these are the messages clients see.
z.config({
  customError: (issue) => {
    if (issue.input === undefined && (issue.code === 'invalid_type' || issue.code === 'invalid_value'))
      return 'Is required';
    switch (issue.code) {
      case 'invalid_type':
        return `Expected ${issue.expected}, received ${typeOf(issue.input)}`;
      case 'unrecognized_keys':
        return `Unknown field${issue.keys.length > 1 ? 's' : ''}: ${issue.keys.join(', ')}`;
      case 'invalid_value':
        return `Must be one of ${issue.values.map(String).join(', ')}`;
      case 'too_small':
        return `Must be at least ${String(issue.minimum)}${issue.origin === 'string' ? ' characters' : issue.origin === 'array' ? ' items' : ''}`;
      case 'too_big':
        return `Must be at most ${String(issue.maximum)}${issue.origin === 'string' ? ' characters' : issue.origin === 'array' ? ' items' : ''}`;
      case 'invalid_format':
        return issue.format === 'email' ? 'Must be a valid email address' : `Must be a valid ${issue.format}`;
      case 'invalid_union':
        return 'Has an unsupported type';
      default:
        return undefined;
    }
  },
});

// Characters no legitimate text field needs: C0/C1 controls (NUL included), markup brackets, and the
// bidi embedding/override/isolate controls that make text display other than it reads ("Trojan Source").
// The plain direction marks U+200E/U+200F stay allowed: right-to-left names need them. \p{Cc} is exactly
// U+0000-U+001F and U+007F-U+009F; multi-line text keeps tab, LF and CR.
const CONTROL_OR_MARKUP = /(?![\t\n\r])[\p{Cc}<>\u202a-\u202e\u2066-\u2069]/u;
const CONTROL_OR_MARKUP_SINGLE_LINE = /[\p{Cc}<>\u202a-\u202e\u2066-\u2069]/u;

/** Free text shown to shoppers: trimmed, bounded, no control characters or markup. */
export const text = (max: number, { min = 1, multiline = false } = {}) =>
  z.string().check(
    z.trim(),
    z.minLength(min, min === 1 ? 'Must not be empty' : `Must be at least ${min} characters`),
    z.maxLength(max, `Must be at most ${max} characters`),
    z.refine((s) => !(multiline ? CONTROL_OR_MARKUP : CONTROL_OR_MARKUP_SINGLE_LINE).test(s), {
      message: 'Must not contain control characters, bidi overrides or < >',
    }),
  );

/** Opaque ids in paths and bodies: what DynamoDB keys and URLs carry safely. */
export const Id = z
  .string()
  .check(z.regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'Must be 1-64 letters, digits, dot, dash or underscore'));

/** Money is integer minor units (API.md). */
export const MinorUnits = z
  .int('Must be an integer number of minor units')
  .check(z.minimum(0, 'Must not be negative'), z.maximum(100_000_000_00, 'Is too large'));

export const SUPPORTED_CURRENCIES = ['GBP', 'EUR', 'USD'] as const;
export const Currency = z.enum(SUPPORTED_CURRENCIES);

/** Query-string integers arrive as strings. */
export const queryInt = (min: number, max: number, fallback: number) =>
  z.prefault(
    z.pipe(
      z.string().check(z.regex(/^\d{1,9}$/, 'Must be a whole number')),
      z.pipe(
        z.transform((s: string) => Number(s)),
        z.number().check(z.minimum(min, `Must be at least ${min}`), z.maximum(max, `Must be at most ${max}`)),
      ),
    ),
    String(fallback),
  );

export const Limit = queryInt(1, 100, 20);
export const Cursor = z.optional(
  z.string().check(z.maxLength(2048, 'Cursor is too long'), z.regex(/^[A-Za-z0-9_-]+$/, 'Cursor is not valid')),
);

/** A key of a flat record: letters, digits, underscores. */
export const RecordKey = z
  .string()
  .check(z.regex(/^[A-Za-z][A-Za-z0-9_]{0,39}$/, 'Keys are 1-40 letters, digits or underscores'));
/** A value of a flat record: a short text, a finite number or a boolean. */
export const ScalarValue = z.union([
  text(500, { min: 0 }),
  z.number().check(z.refine(Number.isFinite, 'Must be finite')),
  z.boolean(),
]);

/** Flat attributes of a product or preferences of a user: small, scalar, safe keys. */
export const ScalarRecord = (maxKeys: number) =>
  z.record(RecordKey, ScalarValue).check(z.refine((r) => Object.keys(r).length <= maxKeys, `At most ${maxKeys} keys`));
