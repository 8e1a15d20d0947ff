/**
 * Which stream consumers (lib/stream-consumers.ts) an event belongs to, from its records' eventSourceARN (the
 * products table's stream feeds two: analytics' loader and the search indexer) — what an event source mapping is
 * bound to in AWS: `…:table/<table>/stream/<label>` for a DynamoDB stream,
 * `…:stream/<name>` for Kinesis. Physical names may carry a stage prefix (`ecicomm-orders`), fixtures may
 * use the logical one (`orders`).
 */
import { streamConsumers, type StreamConsumer } from '../stream-consumers';
import { streams } from '../streams';
import { tables } from '../tables';

/** The logical key whose name the physical name is, or ends with after a `prefix-`; the longest such name wins. */
function keyOf<K extends string>(specs: Record<K, { name: string }>, physical: string): K | undefined {
  const matches = (Object.entries(specs) as [K, { name: string }][]).filter(
    ([, spec]) => physical === spec.name || physical.endsWith(`-${spec.name}`),
  );
  return matches.sort(([, a], [, b]) => b.name.length - a.name.length)[0]?.[0];
}

/** Every consumer of the event's source, in lib/stream-consumers.ts's order; throws when none reads it. */
export function consumersOfStreamEvent(event: unknown, kind: 'dynamodb' | 'kinesis'): StreamConsumer[] {
  const records = (event as { Records?: unknown } | null)?.Records;
  if (!Array.isArray(records) || !records.length)
    throw new Error('A stream event is { "Records": [...] } with at least one record');
  const arns = new Set(records.map((r) => (r as { eventSourceARN?: unknown } | null)?.eventSourceARN));
  const sources = new Set(records.map((r) => (r as { eventSource?: unknown } | null)?.eventSource));
  if (arns.size !== 1 || typeof [...arns][0] !== 'string')
    throw new Error('Every record of a stream event names the same eventSourceARN');
  const expected = kind === 'dynamodb' ? 'aws:dynamodb' : 'aws:kinesis';
  if (sources.size !== 1 || [...sources][0] !== expected)
    throw new Error(`Every record of this event must have eventSource "${expected}"`);
  const arn = [...arns][0] as string;
  const names = (source: StreamConsumer['source']) =>
    source.kind === 'table' ? `the ${source.table} table's stream` : `the ${source.stream} stream`;
  const known = streamConsumers.map((c) => `${c.id} (${names(c.source)})`).join(', ');

  if (kind === 'dynamodb') {
    const table = /^arn:aws[\w-]*:dynamodb:[^:]*:[^:]*:table\/([^/]+)\/stream\/.+$/.exec(arn)?.[1];
    if (!table) throw new Error(`${arn} is not a DynamoDB stream ARN`);
    const key = keyOf(tables, table);
    const consumers = key ? streamConsumers.filter((c) => c.source.kind === 'table' && c.source.table === key) : [];
    if (!consumers.length) throw new Error(`No stream consumer reads table ${table}'s stream; consumers: ${known}`);
    return consumers;
  }
  const stream = /^arn:aws[\w-]*:kinesis:[^:]*:[^:]*:stream\/(.+)$/.exec(arn)?.[1];
  if (!stream) throw new Error(`${arn} is not a Kinesis stream ARN`);
  const key = keyOf(streams, stream);
  const consumers = key ? streamConsumers.filter((c) => c.source.kind === 'stream' && c.source.stream === key) : [];
  if (!consumers.length) throw new Error(`No stream consumer reads Kinesis stream ${stream}; consumers: ${known}`);
  return consumers;
}
