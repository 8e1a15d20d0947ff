/**
 * What `npm run replay` can invoke, by id — the functions of the route table, the stream consumers, the saga's
 * Task functions, the scheduled jobs and the event rules' targets, the same ids the local Lambda Invoke API serves and the CDK app names
 * functions by — and what kind of event a file holds when its path under events/ does not say.
 */
import { eventRules } from '../events';
import { routes } from '../routes';
import { orderSaga, scheduledJobs } from '../saga';
import { streamConsumers } from '../stream-consumers';

export type FunctionKind = 'route' | 'stream consumer' | 'saga task' | 'scheduled job' | 'event rule target';

export interface InvocableFunction {
  id: string;
  kind: FunctionKind;
}

export const invocableFunctions: InvocableFunction[] = [
  ...routes.map(({ id }) => ({ id, kind: 'route' as const })),
  ...streamConsumers.map(({ id }) => ({ id, kind: 'stream consumer' as const })),
  ...orderSaga.tasks.map(({ id }) => ({ id, kind: 'saga task' as const })),
  ...scheduledJobs.map(({ id }) => ({ id, kind: 'scheduled job' as const })),
  ...eventRules.map(({ target }) => ({ id: target.id, kind: 'event rule target' as const })),
];

/** The function of that id; otherwise an error whose one line lists the valid ids. */
export function invocableFunction(id: string): InvocableFunction {
  const found = invocableFunctions.find((f) => f.id === id);
  if (found) return found;
  const byKind = (kind: FunctionKind) =>
    invocableFunctions
      .filter((f) => f.kind === kind)
      .map((f) => f.id)
      .join(', ');
  throw new Error(
    `No function is named "${id}". Routes: ${byKind('route')}; stream consumers: ${byKind('stream consumer')}; ` +
      `saga tasks: ${byKind('saga task')}; scheduled jobs: ${byKind('scheduled job')}; ` +
      `event rule targets: ${byKind('event rule target')}`,
  );
}

/** The events/ folder an event's fixture would live in, read from the event itself: `apigw`, `dynamodb-stream`, `kinesis`, `sqs`. */
export function eventKind(event: unknown): string | undefined {
  const e = event as { httpMethod?: unknown; resource?: unknown; Records?: { eventSource?: unknown }[] } | null;
  if (typeof e?.httpMethod === 'string' && typeof e.resource === 'string') return 'apigw';
  const source = Array.isArray(e?.Records) ? e.Records[0]?.eventSource : undefined;
  return ({ 'aws:dynamodb': 'dynamodb-stream', 'aws:kinesis': 'kinesis', 'aws:sqs': 'sqs' } as Record<string, string>)[
    String(source)
  ];
}

/** An API Gateway proxy result as replay prints it: its body parsed when it is JSON. */
export function httpResult(output: unknown): { statusCode: number; headers?: unknown; body: unknown } {
  const result = output as { statusCode: number; headers?: unknown; body: string };
  let body: unknown = result.body;
  try {
    body = JSON.parse(result.body);
  } catch {
    // Not JSON: printed as is.
  }
  return { statusCode: result.statusCode, headers: result.headers, body };
}
