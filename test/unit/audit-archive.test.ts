/**
 * The local archive of a stream to S3 (lib/local/firehose), the part that decides what is written: Firehose's
 * timestamp prefixes, one gzipped JSON-lines object per arrival day, and names that make a redelivered batch
 * overwrite its objects rather than add copies.
 */
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from '@jest/globals';
import { auditArchive } from '../../lib/audit';
import { archiveObjects, type ArchivedRecord } from '@ecicomm/local-platform/firehose/objects';
import { checkPrefix, renderPrefix } from '@ecicomm/local-platform/firehose/prefix';

const record = (sequenceNumber: string, at: string, line: object): ArchivedRecord => ({
  eventID: `shardId-000000000000:${sequenceNumber}`,
  kinesis: {
    sequenceNumber,
    approximateArrivalTimestamp: Date.parse(at) / 1000,
    data: Buffer.from(`${JSON.stringify(line)}\n`).toString('base64'),
  },
});
const archive = { name: 'local-audit-archive', prefix: auditArchive.prefix, fileExtension: auditArchive.fileExtension };

describe('Firehose prefixes', () => {
  it('renders the audit prefix at the UTC day of arrival', () => {
    expect(renderPrefix(auditArchive.prefix, new Date('2026-01-02T23:59:59.999Z'))).toBe('audit/2026/01/02/');
    expect(renderPrefix('x/!{timestamp:yyyy-MM-dd/HH}/', new Date('2026-12-07T05:00:00Z'))).toBe('x/2026-12-07/05/');
  });

  it('refuses a prefix it cannot render as Firehose would', () => {
    expect(() => checkPrefix(auditArchive.prefix)).not.toThrow();
    expect(() => checkPrefix('a/!{partitionKeyFromQuery:id}/')).toThrow(/cannot render/);
    expect(() => checkPrefix('a/!{timestamp:yyyy-ww}/')).toThrow(/cannot render/);
  });
});

describe('archive objects', () => {
  const batch = [
    record('101', '2026-12-06T23:59:59.000Z', { n: 1 }),
    record('102', '2026-12-07T00:00:01.000Z', { n: 2 }),
    record('103', '2026-12-07T08:00:00.000Z', { n: 3 }),
  ];

  it('writes one gzipped JSON-lines object per arrival day, records in order', () => {
    const objects = archiveObjects(batch, archive);
    expect(objects.map((o) => [o.key, o.records])).toEqual([
      ['audit/2026/12/06/local-audit-archive-shardId-000000000000-101-101.jsonl.gz', 1],
      ['audit/2026/12/07/local-audit-archive-shardId-000000000000-102-103.jsonl.gz', 2],
    ]);
    expect(gunzipSync(objects[1].body).toString('utf8')).toBe('{"n":2}\n{"n":3}\n');
  });

  it('names a redelivered batch’s objects as before, so they overwrite rather than duplicate', () => {
    expect(archiveObjects(batch, archive).map((o) => o.key)).toEqual(archiveObjects(batch, archive).map((o) => o.key));
  });
});
