/** One message: built from a SendMessage entry, its state at a moment, its receipt handles and how it is shown. */
import { randomUUID } from 'node:crypto';
import { invalidParameter, receiptHandleIsInvalid, SqsError } from './errors';
import { compact, optInt, optString, reqString } from './input';
import {
  attributesSize,
  INVALID_BODY_CHARACTERS,
  md5,
  md5OfMessageAttributes,
  readMessageAttributes,
} from './message-attributes';
import type { Input, Queue, RequestContext, SqsMessageSnapshot, StoredMessage } from './types';

/** The system attributes ReceiveMessage may ask for (besides All). */
export const MESSAGE_SYSTEM_ATTRIBUTES = new Set([
  'SenderId',
  'SentTimestamp',
  'ApproximateReceiveCount',
  'ApproximateFirstReceiveTimestamp',
  'SequenceNumber',
  'MessageDeduplicationId',
  'MessageGroupId',
  'AWSTraceHeader',
  'DeadLetterQueueSourceArn',
]);

export const messageState = (m: StoredMessage, now: number): SqsMessageSnapshot['state'] =>
  now < m.delayUntil ? 'delayed' : now < m.invisibleUntil ? 'in-flight' : 'visible';

/** When the next message that is delayed or in flight becomes visible; Infinity when none will. */
export const nextVisibleAt = (q: Queue, now: number) => {
  let next = Infinity;
  for (const m of q.messages.values()) {
    const at = Math.max(m.delayUntil, m.invisibleUntil);
    if (at > now && at < next) next = at;
  }
  return next;
};

/** The queue's settings a new message takes: its default delay and the largest message it accepts. */
export interface MessageLimits {
  delaySeconds: number;
  maximumMessageSize: number;
}

/** Validates one message, returning it ready to store. */
export function buildMessage(input: Input, context: RequestContext, limits: MessageLimits): StoredMessage {
  const body = reqString(input, 'MessageBody');
  if (body === '') throw invalidParameter('MessageBody', body, 'Message body must not be empty');
  if (INVALID_BODY_CHARACTERS.test(body)) {
    throw new SqsError(
      'InvalidMessageContents',
      'Invalid characters found. Valid unicode characters are #x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF',
    );
  }
  const delay = optInt(input, 'DelaySeconds', 0, 900) ?? limits.delaySeconds;
  const attributes = readMessageAttributes(input.MessageAttributes, 'MessageAttributes', false);
  const systemAttributes = readMessageAttributes(input.MessageSystemAttributes, 'MessageSystemAttributes', true);
  if (optString(input, 'MessageDeduplicationId') !== undefined) {
    throw invalidParameter(
      'MessageDeduplicationId',
      input.MessageDeduplicationId,
      'The request includes a parameter that is not valid for this queue type',
    );
  }
  const size = Buffer.byteLength(body) + attributesSize(attributes);
  const limit = limits.maximumMessageSize;
  if (size > limit) throw invalidParameter('MessageBody', '(message)', `Message must be shorter than ${limit} bytes`);
  const now = Date.now();
  return {
    id: randomUUID(),
    body,
    md5OfBody: md5(body),
    attributes,
    systemAttributes,
    senderId: context.senderId,
    groupId: optString(input, 'MessageGroupId'),
    sentAt: now,
    delayUntil: now + delay * 1000,
    invisibleUntil: 0,
    receiveCount: 0,
  };
}

/** SendMessage's answer (and a SendMessageBatch entry's). */
export const sendResult = (m: StoredMessage) =>
  compact({
    MessageId: m.id,
    MD5OfMessageBody: m.md5OfBody,
    MD5OfMessageAttributes: md5OfMessageAttributes(m.attributes),
    MD5OfMessageSystemAttributes: md5OfMessageAttributes(m.systemAttributes),
  });

/** A receipt handle names the queue, the message and the receive it came from. */
const encodeReceipt = (q: Queue, m: StoredMessage) =>
  Buffer.from(JSON.stringify([q.name, m.id, m.receipt])).toString('base64url');

export function decodeReceipt(q: Queue, handle: string): { id: string; nonce: string } {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(handle, 'base64url').toString('utf8'));
    if (
      Array.isArray(parsed) &&
      parsed.length === 3 &&
      parsed.every((p) => typeof p === 'string') &&
      parsed[0] === q.name
    ) {
      return { id: parsed[1] as string, nonce: parsed[2] as string };
    }
  } catch {
    // fall through
  }
  throw receiptHandleIsInvalid(handle);
}

/** A received message as ReceiveMessage answers it, with the system and user attributes asked for. */
export function renderMessage(q: Queue, m: StoredMessage, systemNames: string[], attributeNames: string[]) {
  const allSystem = systemNames.includes('All');
  const system: Record<string, string | undefined> = {
    SenderId: m.senderId,
    SentTimestamp: String(m.sentAt),
    ApproximateReceiveCount: String(m.receiveCount),
    ApproximateFirstReceiveTimestamp: m.firstReceiveAt === undefined ? undefined : String(m.firstReceiveAt),
    AWSTraceHeader: m.systemAttributes.AWSTraceHeader?.StringValue,
    MessageGroupId: m.groupId,
    DeadLetterQueueSourceArn: m.deadLetterSourceArn,
  };
  const Attributes = Object.fromEntries(
    Object.entries(system).filter(([name, value]) => value !== undefined && (allSystem || systemNames.includes(name))),
  ) as Record<string, string>;
  const allUser = attributeNames.includes('All') || attributeNames.includes('.*');
  const prefixes = attributeNames.filter((n) => n.endsWith('.*')).map((n) => n.slice(0, -1));
  const MessageAttributes = Object.fromEntries(
    Object.entries(m.attributes).filter(
      ([name]) => allUser || attributeNames.includes(name) || prefixes.some((p) => name.startsWith(p)),
    ),
  );
  return compact({
    MessageId: m.id,
    ReceiptHandle: encodeReceipt(q, m),
    MD5OfBody: m.md5OfBody,
    Body: m.body,
    Attributes: Object.keys(Attributes).length ? Attributes : undefined,
    MD5OfMessageAttributes: md5OfMessageAttributes(MessageAttributes),
    MessageAttributes: Object.keys(MessageAttributes).length ? MessageAttributes : undefined,
  });
}

/** A message as the emulator's `queues()` shows it. */
export const messageSnapshot = (m: StoredMessage, now: number): SqsMessageSnapshot => ({
  messageId: m.id,
  body: m.body,
  messageAttributes: structuredClone(m.attributes),
  sentTimestamp: m.sentAt,
  receiveCount: m.receiveCount,
  state: messageState(m, now),
  ...(m.deadLetterSourceArn ? { deadLetterQueueSourceArn: m.deadLetterSourceArn } : {}),
});
