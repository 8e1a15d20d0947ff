/** A queue's attributes: which can be set and to what, their defaults, and what GetQueueAttributes shows. */
import { invalidAttributeName, invalidAttributeValue, invalidParameter, unsupported } from './errors';
import { messageState } from './messages';
import type { Queue } from './types';

/** Settable integer attributes: [min, max, default]. */
export const INTEGER_ATTRIBUTES: Record<string, [number, number, number]> = {
  VisibilityTimeout: [0, 43_200, 30],
  MessageRetentionPeriod: [60, 1_209_600, 345_600],
  DelaySeconds: [0, 900, 0],
  ReceiveMessageWaitTimeSeconds: [0, 20, 0],
  MaximumMessageSize: [1024, 1_048_576, 262_144],
  KmsDataKeyReusePeriodSeconds: [60, 86_400, 300],
};
/** Settable attributes kept as given, with no effect here. */
const OPAQUE_ATTRIBUTES = new Set(['Policy', 'RedriveAllowPolicy', 'KmsMasterKeyId', 'SqsManagedSseEnabled']);
const COMPUTED_ATTRIBUTES = [
  'QueueArn',
  'ApproximateNumberOfMessages',
  'ApproximateNumberOfMessagesNotVisible',
  'ApproximateNumberOfMessagesDelayed',
  'CreatedTimestamp',
  'LastModifiedTimestamp',
];
const SHOWN_DEFAULTS = [
  'VisibilityTimeout',
  'MessageRetentionPeriod',
  'DelaySeconds',
  'ReceiveMessageWaitTimeSeconds',
  'MaximumMessageSize',
];
const KNOWN_ATTRIBUTES = new Set([
  ...COMPUTED_ATTRIBUTES,
  ...Object.keys(INTEGER_ATTRIBUTES),
  ...OPAQUE_ATTRIBUTES,
  'RedrivePolicy',
  'All',
]);

/** An integer attribute's value, or its default. */
export const intAttribute = (q: Queue, name: string) => Number(q.attributes[name] ?? INTEGER_ATTRIBUTES[name]![2]);

/** The attributes `names` asks for (`All` for every one), computed ones included; call after sweeping expired messages. */
export function describeAttributes(q: Queue, queueArn: string, names: string[], now: number): Record<string, string> {
  const all = names.includes('All');
  const wanted = (name: string) => all || names.includes(name);
  for (const name of names) if (!KNOWN_ATTRIBUTES.has(name)) throw invalidAttributeName(name);
  const out: Record<string, string> = {};
  const counts = { visible: 0, 'in-flight': 0, delayed: 0 };
  for (const m of q.messages.values()) counts[messageState(m, now)]++;
  const computed: Record<string, string> = {
    QueueArn: queueArn,
    ApproximateNumberOfMessages: String(counts.visible),
    ApproximateNumberOfMessagesNotVisible: String(counts['in-flight']),
    ApproximateNumberOfMessagesDelayed: String(counts.delayed),
    CreatedTimestamp: String(Math.floor(q.createdAt / 1000)),
    LastModifiedTimestamp: String(Math.floor(q.modifiedAt / 1000)),
  };
  for (const [name, value] of Object.entries(computed)) if (wanted(name)) out[name] = value;
  for (const name of SHOWN_DEFAULTS) if (wanted(name)) out[name] = String(intAttribute(q, name));
  for (const [name, value] of Object.entries(q.attributes)) if (wanted(name)) out[name] = value;
  return out;
}

/**
 * Validates settable attributes and returns them normalized (as they would be stored and shown).
 * `queueExists` tells whether a redrive policy's dead-letter target is a queue here.
 */
export function normalizeAttributes(
  raw: Record<string, string>,
  creating: boolean,
  queueExists: (arn: string) => boolean,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(raw)) {
    const range = INTEGER_ATTRIBUTES[name];
    if (range) {
      const n = /^\d+$/.test(value.trim()) ? Number(value.trim()) : NaN;
      if (!(n >= range[0] && n <= range[1]))
        throw invalidAttributeValue(name, `must be an integer between ${range[0]} and ${range[1]}`);
      out[name] = String(n);
    } else if (name === 'RedrivePolicy') {
      out[name] = value === '' ? '' : normalizeRedrivePolicy(value, queueExists);
    } else if (OPAQUE_ATTRIBUTES.has(name)) {
      out[name] = value;
    } else if (name === 'FifoQueue' && creating) {
      if (value === 'true') throw unsupported('A FIFO queue');
      if (value !== 'false') throw invalidAttributeValue(name);
    } else {
      throw invalidAttributeName(name);
    }
  }
  return out;
}

function normalizeRedrivePolicy(value: string, queueExists: (arn: string) => boolean): string {
  let policy: Record<string, unknown>;
  try {
    policy = JSON.parse(value) as Record<string, unknown>;
  } catch {
    throw invalidParameter('RedrivePolicy', value, 'Redrive policy is not a valid JSON map');
  }
  if (typeof policy !== 'object' || policy === null)
    throw invalidParameter('RedrivePolicy', value, 'Redrive policy is not a valid JSON map');
  const { deadLetterTargetArn, maxReceiveCount } = policy;
  const count =
    typeof maxReceiveCount === 'string' && /^\d+$/.test(maxReceiveCount) ? Number(maxReceiveCount) : maxReceiveCount;
  if (typeof count !== 'number' || !Number.isInteger(count) || count < 1 || count > 1000) {
    throw invalidParameter(
      'RedrivePolicy',
      value,
      'Invalid value for maxReceiveCount: must be an integer from 1 to 1000',
    );
  }
  if (typeof deadLetterTargetArn !== 'string' || !queueExists(deadLetterTargetArn)) {
    throw invalidParameter('RedrivePolicy', value, 'Dead letter target does not exist');
  }
  return JSON.stringify({ deadLetterTargetArn, maxReceiveCount: count });
}
