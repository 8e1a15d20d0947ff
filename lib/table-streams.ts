/**
 * Which tables have a DynamoDB stream: exactly those a stream consumer reads (lib/stream-consumers.ts), with both
 * images, which the consumers diff. A stream nobody reads is no help to anyone: DynamoDB Local writes a stream
 * record beside every item written to such a table (the checkout bench, four runs each way: DynamoDB Local's CPU per
 * checkout request 2.79–3.39 → 2.39–2.71 ms, 23.8 → 26.8 orders/s; the fresh start 14.45 → 12.6 s), and in AWS it
 * is one more way to read the data to govern. A table gains its stream when its first consumer is added to the list.
 */
import { streamConsumers } from './stream-consumers';
import { tables, type TableKey, type TableSpec } from './tables';

export const STREAM_VIEW_TYPE = 'NEW_AND_OLD_IMAGES';

/** The tables some consumer reads the stream of, in the consumers' order. */
export const streamedTables: readonly TableKey[] = [
  ...new Set(streamConsumers.flatMap((consumer) => (consumer.source.kind === 'table' ? [consumer.source.table] : []))),
];

const streamedTableNames: ReadonlySet<string> = new Set(streamedTables.map((key) => tables[key].name));

/** Whether the table described by `spec` has a stream. */
export const hasStream = (spec: Pick<TableSpec, 'name'>) => streamedTableNames.has(spec.name);
