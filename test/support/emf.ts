/**
 * CloudWatch embedded metric format, as CloudWatch Logs reads it from a function's log: a JSON object whose `_aws`
 * block names a Timestamp (epoch milliseconds) and CloudWatchMetrics directives — a Namespace, the Dimensions (sets of
 * key names, each key a top-level string member) and the Metrics (Name, Unit), each metric's value a top-level number
 * (or array of numbers). Checked by hand rather than by Powertools, which wrote the lines under test.
 */
export interface EmfMetric {
  namespace: string;
  name: string;
  unit: string;
  value: number;
  dimensions: Record<string, string>;
}

const UNITS = new Set(['Count', 'Milliseconds', 'Seconds', 'Microseconds', 'Bytes', 'Percent', 'None']);

/** The lines of a log that are EMF documents, parsed; other lines (plain logs, JSON logs without `_aws`) skipped. */
export function emfDocuments(log: string): Record<string, unknown>[] {
  return log
    .split('\n')
    .filter((line) => line.includes('"_aws"'))
    .map((line) => JSON.parse(line.slice(line.indexOf('{'))) as Record<string, unknown>);
}

/** The metrics one EMF document carries; throws, naming the fault, when it is not valid EMF. */
export function emfMetrics(doc: Record<string, unknown>): EmfMetric[] {
  const aws = doc._aws as { Timestamp?: unknown; CloudWatchMetrics?: unknown } | undefined;
  const fail = (why: string) => {
    throw new Error(`not valid EMF (${why}): ${JSON.stringify(doc)}`);
  };
  if (!aws || typeof aws !== 'object') fail('no _aws block');
  if (typeof aws!.Timestamp !== 'number' || !Number.isInteger(aws!.Timestamp) || aws!.Timestamp <= 0)
    fail('Timestamp is not epoch milliseconds');
  const directives = aws!.CloudWatchMetrics;
  if (!Array.isArray(directives) || directives.length === 0) fail('no CloudWatchMetrics directives');
  return (directives as Record<string, unknown>[]).flatMap((d) => {
    if (typeof d.Namespace !== 'string' || d.Namespace.length === 0) fail('a directive without Namespace');
    const sets = d.Dimensions;
    if (!Array.isArray(sets) || !sets.every((set) => Array.isArray(set) && set.length <= 30)) fail('bad Dimensions');
    const dimensionSets = sets as string[][];
    for (const key of dimensionSets.flat())
      if (typeof doc[key] !== 'string') fail(`dimension ${key} has no string value`);
    const metrics = d.Metrics as { Name?: unknown; Unit?: unknown }[];
    if (!Array.isArray(metrics) || metrics.length === 0 || metrics.length > 100) fail('bad Metrics');
    return metrics.flatMap((m) => {
      if (typeof m.Name !== 'string' || m.Name.length === 0) fail('a metric without Name');
      if (typeof m.Unit !== 'string' || !UNITS.has(m.Unit)) fail(`metric ${String(m.Name)} has unit ${String(m.Unit)}`);
      const raw = doc[m.Name as string];
      const values = Array.isArray(raw) ? raw : [raw];
      if (values.length === 0 || !values.every((v) => typeof v === 'number' && Number.isFinite(v)))
        fail(`metric ${String(m.Name)} has no numeric value`);
      return dimensionSets.map((set) => ({
        namespace: d.Namespace as string,
        name: m.Name as string,
        unit: m.Unit as string,
        value: (values as number[]).reduce((a, b) => a + b, 0),
        dimensions: Object.fromEntries(set.map((key) => [key, doc[key] as string])),
      }));
    });
  });
}
