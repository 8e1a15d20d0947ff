/**
 * A batch of stream records → the archive's objects, as Firehose writes them: the records' data concatenated (the
 * producers end each record with a newline, so an object is JSON lines), gzipped, one object per prefix (the
 * records' arrival day). An object's name comes from the records it holds — the archive's name, the shard, the
 * first and last sequence numbers — so a batch delivered again writes the same objects again, never a copy.
 */
import { gzipSync } from 'node:zlib';
import { renderPrefix } from './prefix';

export interface ArchivedRecord {
  eventID?: string;
  kinesis: { data: string; sequenceNumber: string; approximateArrivalTimestamp: number };
}

export interface ArchiveObject {
  key: string;
  body: Buffer;
  records: number;
}

export function archiveObjects(
  records: readonly ArchivedRecord[],
  archive: { name: string; prefix: string; fileExtension: string },
): ArchiveObject[] {
  const byPrefix = new Map<string, ArchivedRecord[]>();
  for (const record of records) {
    const prefix = renderPrefix(archive.prefix, new Date(record.kinesis.approximateArrivalTimestamp * 1000));
    byPrefix.set(prefix, [...(byPrefix.get(prefix) ?? []), record]);
  }
  return [...byPrefix].map(([prefix, group]) => {
    const shard = group[0].eventID?.split(':')[0] ?? 'shard';
    const first = group[0].kinesis.sequenceNumber;
    const last = group.at(-1)!.kinesis.sequenceNumber;
    const data = Buffer.concat(group.map((r) => Buffer.from(r.kinesis.data, 'base64')));
    return {
      key: `${prefix}${archive.name}-${shard}-${first}-${last}${archive.fileExtension}`,
      body: gzipSync(data),
      records: group.length,
    };
  });
}
