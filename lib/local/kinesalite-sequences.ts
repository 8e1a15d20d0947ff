/**
 * kinesalite's sequence-number and hash-key arithmetic on native BigInt.
 *
 * kinesalite (3.3.3) does this arithmetic with bignumber.js: every record put parses the shard's starting
 * sequence number, builds its own sequence number and compares its hash key with each shard's range from
 * their decimal strings, and every record read parses its sequence number again. Profiled over a replayed
 * month (27,000 records), that was 2.7 s of the local platform's main thread: the largest single cost of
 * carrying a clickstream record. The functions here give the same strings and objects (a test checks them
 * against kinesalite's own on generated inputs) and hand anything they do not recognise to the original,
 * so errors and edge cases stay kinesalite's.
 *
 * `useNativeSequenceArithmetic` swaps them into kinesalite's db module, whose actions call them through its
 * exports object (`db.parseSequence(…)`), so one assignment per function covers every action.
 */
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';

export interface SequenceObject {
  shardCreateTime: number;
  seqIx?: string | number;
  byte1?: string;
  seqTime?: number;
  seqRand?: string;
  shardIx?: number;
  version?: number | null;
}

/** The part of kinesalite's db module replaced here. */
export interface KinesaliteSequenceFunctions {
  parseSequence(seq: string): SequenceObject;
  stringifySequence(obj: SequenceObject): string;
  incrementSequence(seqObj: SequenceObject | string, seqTime?: number | null): string;
  partitionKeyToHashKey(partitionKey: string): { comparedTo(other: unknown): number };
}

const POW_2_124 = 1n << 124n;
const POW_2_124_NEXT = (1n << 125n) * 16n;
const POW_2_185 = 1n << 185n;
const POW_2_185_NEXT = (1n << 184n) * 3n; // 2^185 × 1.5
const DECIMAL = /^\d+$/;
const HEX = /^[0-9a-f]+$/;
const MAX_SHARD_CREATE_SECS = 16025175000;

/**
 * Shard ranges and starting sequence numbers recur on every put: their parsed forms are kept. The memo is
 * small and emptied when full, since every record read brings a sequence number never seen again.
 */
const MEMO_LIMIT = 256;
function memoised<K, V>(compute: (key: K) => V): (key: K) => V {
  const memo = new Map<K, V>();
  return (key) => {
    let value = memo.get(key);
    if (value === undefined) {
      value = compute(key);
      if (memo.size >= MEMO_LIMIT) memo.clear();
      memo.set(key, value);
    }
    return value;
  };
}
const decimalBigInt = memoised((s: string) => BigInt(s));

const pad = (s: string, width: number) => s.padStart(width, '0').slice(-width);
const secondsHex = (ms: number) => pad(Math.floor(ms / 1000).toString(16), 9);
const shardIxToHex = (shardIx: number | undefined) => ('0000000' + (shardIx || 0).toString(16)).slice(-8);

/** A hash key with the one bignumber.js method kinesalite's puts call on it. */
class HashKey {
  constructor(readonly value: bigint) {}

  comparedTo(other: unknown): number {
    const o =
      typeof other === 'string' && DECIMAL.test(other)
        ? decimalBigInt(other)
        : BigInt(
            typeof other === 'object' && other !== null && 'toFixed' in other
              ? (other as { toFixed(): string }).toFixed()
              : (other as number),
          );
    return this.value < o ? -1 : this.value > o ? 1 : 0;
  }

  toFixed(): string {
    return this.value.toString();
  }

  toString(base?: number): string {
    return this.value.toString(base);
  }
}

/**
 * Native versions of the four functions, falling back to `original` for input outside what Kinesis issues
 * (a sequence number that is not plain decimal digits, a fractional or negative index).
 */
export function nativeSequenceFunctions(original: KinesaliteSequenceFunctions): KinesaliteSequenceFunctions {
  function parseUncached(seq: string): SequenceObject {
    if (typeof seq !== 'string' || !DECIMAL.test(seq)) return original.parseSequence(seq);
    let seqNum = BigInt(seq);
    if (seqNum < POW_2_124) seqNum += POW_2_124;
    const hex = seqNum.toString(16);
    const version =
      seqNum < POW_2_124_NEXT
        ? 0
        : seqNum > POW_2_185 && seqNum < POW_2_185_NEXT
          ? parseInt(hex.slice(hex.length - 1), 16)
          : null;
    if (version === 2) {
      const seqIxHex = hex.slice(11, 27);
      let shardIxHex = hex.slice(38, 46);
      if (parseInt(seqIxHex[0]!, 16) > 7) throw new Error('Sequence index too high');
      if (parseInt(shardIxHex[0]!, 16) > 7) shardIxHex = '-' + shardIxHex;
      const shardCreateSecs = parseInt(hex.slice(1, 10), 16);
      if (shardCreateSecs >= MAX_SHARD_CREATE_SECS) throw new Error('Date too large: ' + shardCreateSecs);
      return {
        shardCreateTime: shardCreateSecs * 1000,
        seqIx: BigInt('0x' + seqIxHex).toString(),
        byte1: hex.slice(27, 29),
        seqTime: parseInt(hex.slice(29, 38), 16) * 1000,
        shardIx: parseInt(shardIxHex, 16),
        version,
      };
    }
    // Versions 0 and 1 come only from streams kinesalite did not create this way: its own code decodes them.
    return original.parseSequence(seq);
  }
  const parsedStart = memoised(parseUncached);
  // Callers may change the object they get (getRecords keeps it on the record): each gets its own copy.
  const parseSequence = (seq: string): SequenceObject => ({ ...parsedStart(seq) });

  function stringifySequence(obj: SequenceObject): string {
    const seqIx = obj.seqIx || 0;
    const plainIndex = typeof seqIx === 'number' ? Number.isSafeInteger(seqIx) && seqIx >= 0 : DECIMAL.test(seqIx);
    if (!(obj.version == null || obj.version == 2) || !plainIndex) return original.stringifySequence(obj);
    const hex = [
      '2',
      pad(Math.floor(obj.shardCreateTime / 1000).toString(16), 9),
      (obj.shardIx || 0).toString(16).slice(-1),
      pad(BigInt(seqIx).toString(16), 16),
      obj.byte1 || '00',
      secondsHex(obj.seqTime || obj.shardCreateTime),
      shardIxToHex(obj.shardIx),
      '2',
    ].join('');
    if (!HEX.test(hex)) return original.stringifySequence(obj);
    return BigInt('0x' + hex).toString();
  }

  function incrementSequence(seqObj: SequenceObject | string, seqTime?: number | null): string {
    const from = typeof seqObj === 'string' ? parseSequence(seqObj) : seqObj;
    return stringifySequence({
      shardCreateTime: from.shardCreateTime,
      seqIx: from.seqIx,
      seqTime: seqTime || from.seqTime! + 1000,
      shardIx: from.shardIx,
    });
  }

  // The key's md5 as a 128-bit number, as kinesalite computes it.
  const partitionKeyToHashKey = (partitionKey: string) =>
    new HashKey(BigInt('0x' + createHash('md5').update(partitionKey, 'utf8').digest('hex')));

  return { parseSequence, stringifySequence, incrementSequence, partitionKeyToHashKey };
}

let installed = false;

/** Puts the native functions in place of kinesalite's own, once per process. */
export function useNativeSequenceArithmetic(): void {
  if (installed) return;
  const db = createRequire(import.meta.url)('kinesalite/db') as KinesaliteSequenceFunctions;
  Object.assign(db, nativeSequenceFunctions({ ...db }));
  installed = true;
}
