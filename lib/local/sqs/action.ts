import type { QueueStore } from './store';
import type { Input, RequestContext } from './types';

/** One SQS action: its answer to a request's input, over the emulator's queues. */
export type Action = (
  store: QueueStore,
  input: Input,
  context: RequestContext,
) => Record<string, unknown> | Promise<Record<string, unknown>>;
