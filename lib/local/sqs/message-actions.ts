/** The actions on messages: sending, receiving (with long polls), deleting and changing visibility, one or in batches. */
import { batchError, invalidAttributeName, missingParameter, SqsError } from './errors';
import { optEntries, optInt, optStringList, reqString } from './input';
import { attributesSize, readMessageAttributes } from './message-attributes';
import {
  buildMessage,
  MESSAGE_SYSTEM_ATTRIBUTES,
  nextVisibleAt,
  renderMessage,
  sendResult,
  type MessageLimits,
} from './messages';
import { intAttribute } from './queue-attributes';
import type { QueueStore } from './store';
import type { Action } from './action';
import type { Input, Queue, RequestContext } from './types';

/** Runs each batch entry, collecting per-entry failures as SQS does. */
function batch(entries: Input[], run: (entry: Input) => Record<string, unknown>) {
  const Successful: Record<string, unknown>[] = [];
  const Failed: Record<string, unknown>[] = [];
  for (const entry of entries) {
    try {
      Successful.push({ Id: entry.Id, ...run(entry) });
    } catch (e) {
      if (!(e instanceof SqsError)) throw e;
      Failed.push({ Id: entry.Id, SenderFault: true, Code: e.queryCode, Message: e.message });
    }
  }
  return { Successful, Failed };
}

const limitsOf = (q: Queue): MessageLimits => ({
  delaySeconds: intAttribute(q, 'DelaySeconds'),
  maximumMessageSize: intAttribute(q, 'MaximumMessageSize'),
});

/** A batch is refused whole when its entries' bodies and attributes together exceed the queue's MaximumMessageSize. */
function checkBatchSize(q: Queue, entries: Input[]): void {
  const entrySize = (e: Input) => {
    let attributes = 0;
    try {
      attributes = attributesSize(readMessageAttributes(e.MessageAttributes, 'MessageAttributes', false));
    } catch {
      // The entry fails on its own below.
    }
    return (typeof e.MessageBody === 'string' ? Buffer.byteLength(e.MessageBody) : 0) + attributes;
  };
  const total = entries.reduce((sum, e) => sum + entrySize(e), 0);
  const limit = intAttribute(q, 'MaximumMessageSize');
  if (total > limit) {
    throw batchError(
      'BatchRequestTooLong',
      `Batch requests cannot be longer than ${limit} bytes. You have sent ${total} bytes.`,
    );
  }
}

/** ReceiveMessage's options, validated against the queue's defaults. */
function receiveOptions(q: Queue, input: Input) {
  const max = optInt(input, 'MaxNumberOfMessages', 1, 10, 'Must be between 1 and 10, if provided') ?? 1;
  const visibility = optInt(input, 'VisibilityTimeout', 0, 43_200) ?? intAttribute(q, 'VisibilityTimeout');
  const wait =
    optInt(input, 'WaitTimeSeconds', 0, 20, 'Must be >= 0 and <= 20, if provided') ??
    intAttribute(q, 'ReceiveMessageWaitTimeSeconds');
  const systemNames = [
    ...optStringList(input, 'AttributeNames'),
    ...optStringList(input, 'MessageSystemAttributeNames'),
  ];
  for (const name of systemNames)
    if (name !== 'All' && !MESSAGE_SYSTEM_ATTRIBUTES.has(name)) throw invalidAttributeName(name);
  const attributeNames = optStringList(input, 'MessageAttributeNames');
  return { max, visibility, wait, systemNames, attributeNames };
}

const queueOf = (store: QueueStore, input: Input) => store.byUrl(reqString(input, 'QueueUrl'));

/** Long poll: answers as soon as anything can be received, or empty at the deadline, a hang-up or a stop. */
async function receive(store: QueueStore, q: Queue, input: Input, context: RequestContext) {
  const { max, visibility, wait, systemNames, attributeNames } = receiveOptions(q, input);
  const deadline = Date.now() + wait * 1000;
  let taken = store.take(q, max, visibility);
  while (!taken.length && Date.now() < deadline && !context.signal.aborted && store.holds(q)) {
    await store.sleep(q.name, Math.min(deadline, nextVisibleAt(q, Date.now())), context.signal);
    if (context.signal.aborted || !store.holds(q)) break;
    taken = store.take(q, max, visibility);
  }
  // SQS leaves Messages out of an empty answer.
  return taken.length ? { Messages: taken.map((m) => renderMessage(q, m, systemNames, attributeNames)) } : {};
}

export const messageActions: Record<string, Action> = {
  SendMessage(store, input, context) {
    const q = queueOf(store, input);
    const m = buildMessage(input, context, limitsOf(q));
    q.messages.set(m.id, m);
    store.changed(q);
    return sendResult(m);
  },

  SendMessageBatch(store, input, context) {
    const q = queueOf(store, input);
    const entries = optEntries(input, 'Entries');
    checkBatchSize(q, entries);
    const result = batch(entries, (entry) => {
      const m = buildMessage(entry, context, limitsOf(q));
      q.messages.set(m.id, m);
      return sendResult(m);
    });
    store.changed(q);
    return result;
  },

  ReceiveMessage: (store, input, context) => receive(store, queueOf(store, input), input, context),

  DeleteMessage(store, input) {
    const q = queueOf(store, input);
    store.deleteMessage(q, reqString(input, 'ReceiptHandle'));
    return {};
  },

  DeleteMessageBatch(store, input) {
    const q = queueOf(store, input);
    return batch(optEntries(input, 'Entries'), (entry) => {
      store.deleteMessage(q, reqString(entry, 'ReceiptHandle'));
      return {};
    });
  },

  ChangeMessageVisibility(store, input) {
    const q = queueOf(store, input);
    const handle = reqString(input, 'ReceiptHandle');
    const seconds = optInt(input, 'VisibilityTimeout', 0, 43_200);
    if (seconds === undefined) throw missingParameter('VisibilityTimeout');
    store.changeVisibility(q, handle, seconds);
    return {};
  },

  ChangeMessageVisibilityBatch(store, input) {
    const q = queueOf(store, input);
    return batch(optEntries(input, 'Entries'), (entry) => {
      const seconds = optInt(entry, 'VisibilityTimeout', 0, 43_200) ?? 0;
      store.changeVisibility(q, reqString(entry, 'ReceiptHandle'), seconds);
      return {};
    });
  },
};
