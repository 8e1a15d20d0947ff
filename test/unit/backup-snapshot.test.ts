/**
 * A table's file in a snapshot holds every attribute type as DynamoDB's JSON wire format does, bytes in base64:
 * an item written to the file and read back is the same item, byte for byte (the analytics result cache keeps
 * gzipped answers as `B` values, and a restore that wrote them back as `{"0":31,…}` maps lost them).
 */
import { describe, expect, it } from '@jest/globals';
import { canonicalJson, parseItemLine, tableFileText, type Item } from '../../lib/ops/backup/snapshot';

const bytes = (...values: number[]) => new Uint8Array(values);

const item: Item = {
  id: { S: 'analytics-cache#x' },
  value: { B: bytes(31, 139, 8, 0, 255) },
  versions: { BS: [bytes(1), bytes(2, 3)] },
  nested: { M: { inner: { B: bytes(0, 0, 7) }, list: { L: [{ B: bytes(9) }, { N: '1.50' }, { NULL: true }] } } },
  count: { N: '007' },
  tags: { SS: ['a', 'b'] },
  flag: { BOOL: false },
};

describe('a snapshot table file', () => {
  it('writes bytes in base64, as the wire format does, not as a map of indexes', () => {
    const line = tableFileText([item]).trimEnd();
    expect(JSON.parse(line)).toMatchObject({ value: { B: 'H4sIAP8=' }, versions: { BS: ['AQ==', 'AgM='] } });
    expect(line).not.toContain('"0":');
  });

  it('reads every line back to the same item, bytes as bytes', () => {
    const back = parseItemLine(tableFileText([item]).trimEnd());
    expect(back.value.B).toBeInstanceOf(Uint8Array);
    expect([...(back.value.B ?? [])]).toEqual([31, 139, 8, 0, 255]);
    expect([...(back.nested.M?.inner.B ?? [])]).toEqual([0, 0, 7]);
    expect([...(back.nested.M?.list.L?.[0].B ?? [])]).toEqual([9]);
    expect(back.versions.BS?.map((b) => [...b])).toEqual([[1], [2, 3]]);
    expect(canonicalJson(back)).toBe(canonicalJson(item));
    expect(back.count).toEqual({ N: '007' });
  });

  it('describes a Buffer and a Uint8Array holding the same bytes alike', () => {
    expect(canonicalJson({ B: Buffer.from([1, 2]) })).toBe(canonicalJson({ B: bytes(1, 2) }));
  });

  it('still reads a file written before, whose bytes were maps of index to byte', () => {
    const back = parseItemLine('{"id":{"S":"x"},"value":{"B":{"0":31,"1":139,"2":8}}}');
    expect([...(back.value.B ?? [])]).toEqual([31, 139, 8]);
  });
});
