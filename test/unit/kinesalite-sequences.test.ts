import { createRequire } from 'node:module';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  nativeSequenceFunctions,
  type KinesaliteSequenceFunctions,
  type SequenceObject,
} from '@ecicomm/local-platform/kinesalite-sequences';

// A fresh copy of kinesalite's own functions: the module object itself may already carry the native ones.
const require = createRequire(import.meta.url);
const kinesaliteDb = require('kinesalite/db') as KinesaliteSequenceFunctions;
const dbPath = require.resolve('kinesalite/db');
const original: KinesaliteSequenceFunctions = (() => {
  const cached = require.cache[dbPath];
  delete require.cache[dbPath];
  try {
    return { ...(require('kinesalite/db') as KinesaliteSequenceFunctions) };
  } finally {
    if (cached) require.cache[dbPath] = cached;
  }
})();
const native = nativeSequenceFunctions(original);

/** What a function gives, or the message it throws: both must match. */
const outcome = <T>(f: () => T): { value: T } | { error: string } => {
  try {
    return { value: f() };
  } catch (e) {
    return { error: (e as Error).message };
  }
};

// Kinesis-issued values: stream creation times in seconds, record times at or after it, indexes as kinesalite counts them.
const sequenceObject = fc.record({
  shardCreateTime: fc.integer({ min: 0, max: 4_000_000_000 }).map((s) => s * 1000 + 123),
  shardIx: fc.integer({ min: 0, max: 2_000 }),
  seqIx: fc.oneof(
    fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }),
    fc.bigInt({ min: 0n, max: (1n << 63n) - 1n }).map(String),
  ),
  seqTime: fc.option(fc.integer({ min: 1, max: 4_000_000_000_000 }), { nil: undefined }),
}) satisfies fc.Arbitrary<SequenceObject>;

describe('kinesalite sequence arithmetic on BigInt', () => {
  it('is a different function from kinesalite’s own (the comparison below compares two implementations)', () => {
    expect(native.parseSequence).not.toBe(original.parseSequence);
    expect(kinesaliteDb.parseSequence).toBeTypeOf('function');
  });

  it('stringifies a sequence object to the same number as kinesalite', () => {
    fc.assert(
      fc.property(sequenceObject, (obj) => {
        expect(native.stringifySequence(obj)).toBe(original.stringifySequence(obj));
      }),
      { numRuns: 2_000 },
    );
  });

  it('parses a sequence number it issued to the same object, every time (a caller may change what it got)', () => {
    fc.assert(
      fc.property(sequenceObject, (obj) => {
        const seq = original.stringifySequence(obj);
        const first = native.parseSequence(seq);
        expect(first).toEqual(original.parseSequence(seq));
        (first as { seqTime?: number }).seqTime = -1;
        expect(native.parseSequence(seq)).toEqual(original.parseSequence(seq));
      }),
      { numRuns: 2_000 },
    );
  });

  it('increments from an object or a string, with or without a time, as kinesalite does', () => {
    fc.assert(
      fc.property(
        sequenceObject,
        fc.option(fc.integer({ min: 1, max: 4_000_000_000_000 }), { nil: null }),
        (obj, seqTime) => {
          const seq = original.stringifySequence(obj);
          const parsed = original.parseSequence(seq);
          expect(native.incrementSequence(seq, seqTime)).toBe(original.incrementSequence(seq, seqTime));
          expect(native.incrementSequence(parsed, seqTime)).toBe(original.incrementSequence(parsed, seqTime));
        },
      ),
      { numRuns: 1_000 },
    );
  });

  it('agrees on any digit string, including those of old versions and out-of-range ones, or throws the same error', () => {
    const digits = fc.oneof(
      fc.bigInt({ min: 0n, max: 1n << 200n }).map(String),
      fc.bigInt({ min: 1n << 185n, max: (1n << 184n) * 3n }).map(String),
      fc.constantFrom('0', '1', '49590338271490256608559692538361571095921575989136588898'),
    );
    fc.assert(
      fc.property(digits, (seq) => {
        expect(outcome(() => native.parseSequence(seq))).toEqual(outcome(() => original.parseSequence(seq)));
      }),
      { numRuns: 2_000 },
    );
  });

  it('leaves what is not a plain sequence number to kinesalite: the same result or the same error', () => {
    for (const seq of ['', 'abc', '-5', '1.5', '1e60', ' 12']) {
      expect(outcome(() => native.parseSequence(seq))).toEqual(outcome(() => original.parseSequence(seq)));
    }
    for (const obj of [
      { shardCreateTime: 1_600_000_000_000, shardIx: -1 },
      { shardCreateTime: 1_600_000_000_000, seqIx: 1.5 },
      { shardCreateTime: 1_600_000_000_000, seqIx: '7fff' },
      { shardCreateTime: 1_600_000_000_000, version: 1, seqIx: 3, seqRand: '0123456789abcd' },
      { shardCreateTime: 1_600_000_000_000, version: 0 },
    ]) {
      expect(outcome(() => native.stringifySequence(obj))).toEqual(outcome(() => original.stringifySequence(obj)));
    }
  });

  it('places a partition key in the same shard range as kinesalite', () => {
    const bounds = fc.bigInt({ min: 0n, max: (1n << 128n) - 1n }).map(String);
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 256 }), bounds, (key, bound) => {
        const mine = native.partitionKeyToHashKey(key);
        const theirs = original.partitionKeyToHashKey(key);
        expect(mine.comparedTo(bound)).toBe(theirs.comparedTo(bound));
        expect(mine.comparedTo(theirs)).toBe(0);
      }),
      { numRuns: 2_000 },
    );
  });
});
