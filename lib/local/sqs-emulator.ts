/**
 * A local Amazon SQS: an in-process HTTP server speaking the AWS JSON 1.0 protocol that @aws-sdk/client-sqs v3
 * uses (`POST /`, `X-Amz-Target: AmazonSQS.<Action>`, `content-type: application/x-amz-json-1.0`). Standard
 * queues only. Errors are `{"__type": "com.amazonaws.sqs#<Code>", "message": …}` plus the
 * `x-amzn-query-error: <query code>;Sender` header, which the SDK (SQS is "awsQueryCompatible") reads first to
 * pick the exception class: `AWS.SimpleQueueService.NonExistentQueue` becomes `QueueDoesNotExist`, and so on.
 *
 * The SDK checks MD5OfMessageBody (SendMessage, SendMessageBatch) and MD5OfBody (ReceiveMessage) itself; it does
 * not check MD5OfMessageAttributes, which this emulator still computes with SQS's algorithm (see
 * `md5OfMessageAttributes`) so that clients that do check it, and code that logs it, see the real value.
 *
 * Not emulated: request signatures (the credential scope is read only for the region and the sender id), FIFO
 * queues, permissions and policies (Policy and RedriveAllowPolicy are stored, not enforced), KMS, message move
 * tasks, the 60-second cool-downs after PurgeQueue and DeleteQueue, and the query (XML) protocol of older SDKs.
 */
import { createHash, randomUUID } from 'node:crypto';
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { PortInUseError } from './emulators';

export const SQS_ACCOUNT_ID = '000000000000';
const DEFAULT_REGION = 'eu-west-2';
const JSON_CONTENT_TYPE = 'application/x-amz-json-1.0';
/** Ten 1 MiB messages, base64 attributes and JSON framing fit; anything larger is refused unread. */
const MAX_REQUEST_BYTES = 16 * 1024 * 1024;
const PERSIST_DEBOUNCE_MS = 200;
const DATA_FILE_VERSION = 1;

export interface SqsEmulatorOptions {
  port: number;
  /** Interface to listen on; 127.0.0.1 unless told. */
  host?: string;
  /** Where queues and messages are kept across restarts; in memory only when absent. */
  dataFile?: string;
  /** Region for queue ARNs when a request carries no SigV4 credential scope. Default eu-west-2. */
  region?: string;
}

export interface SqsMessageAttribute {
  DataType: string;
  StringValue?: string;
  /** Base64, as on the wire. */
  BinaryValue?: string;
}

export interface SqsMessageSnapshot {
  messageId: string;
  body: string;
  messageAttributes: Record<string, SqsMessageAttribute>;
  sentTimestamp: number;
  receiveCount: number;
  state: 'visible' | 'in-flight' | 'delayed';
  /** Set on a message that was moved here by a redrive policy. */
  deadLetterQueueSourceArn?: string;
}

export interface SqsQueueSnapshot {
  name: string;
  url: string;
  arn: string;
  /** As GetQueueAttributes with AttributeNames ['All'] returns them. */
  attributes: Record<string, string>;
  messages: SqsMessageSnapshot[];
}

export interface SqsEmulator {
  name: 'sqs';
  endpoint: string;
  /** Ends long polls, closes the server and writes the data file one last time. */
  stop(): Promise<void>;
  /** What every queue holds right now, for dashboards, logs and tests. */
  queues(): SqsQueueSnapshot[];
}

// ---------------------------------------------------------------------------------------------------------
// Errors

class SqsError extends Error {
  /**
   * @param code the shape name the JSON body carries in `__type`
   * @param queryCode the awsQuery error code the `x-amzn-query-error` header carries
   */
  constructor(
    readonly code: string,
    message: string,
    readonly queryCode: string = code,
    readonly status = 400,
  ) {
    super(message);
  }
}

const nonExistentQueue = () =>
  new SqsError('QueueDoesNotExist', 'The specified queue does not exist.', 'AWS.SimpleQueueService.NonExistentQueue');
const invalidParameter = (name: string, value: unknown, reason: string) =>
  new SqsError('InvalidParameterValue', `Value ${typeof value === 'string' ? value : JSON.stringify(value)} for parameter ${name} is invalid. Reason: ${reason}.`);
const missingParameter = (name: string) => new SqsError('MissingParameter', `The request must contain the parameter ${name}.`);
const invalidAttributeValue = (name: string, reason = '') =>
  new SqsError('InvalidAttributeValue', `Invalid value for the parameter ${name}.${reason ? ` Reason: ${reason}` : ''}`);
const invalidAttributeName = (name: string) => new SqsError('InvalidAttributeName', `Unknown Attribute ${name}.`);
const unsupported = (what: string) =>
  new SqsError('UnsupportedOperation', `${what} is not supported by the local SQS emulator.`, 'AWS.SimpleQueueService.UnsupportedOperation');
const receiptHandleIsInvalid = (handle: string) =>
  new SqsError('ReceiptHandleIsInvalid', `The input receipt handle "${handle}" is not a valid receipt handle.`, 'ReceiptHandleIsInvalid', 404);
const batchError = (code: string, message: string) => new SqsError(code, message, `AWS.SimpleQueueService.${code}`);

// ---------------------------------------------------------------------------------------------------------
// Reading request members

type Input = Record<string, unknown>;

const optString = (input: Input, key: string): string | undefined => {
  const v = input[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw invalidParameter(key, v, 'must be a string');
  return v;
};
const reqString = (input: Input, key: string): string => {
  const v = optString(input, key);
  if (v === undefined) throw missingParameter(key);
  return v;
};
const optInt = (input: Input, key: string, min: number, max: number, reason?: string): number | undefined => {
  const v = input[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v)) throw invalidParameter(key, v, 'must be an integer');
  if (v < min || v > max) throw invalidParameter(key, v, reason ?? `must be between ${min} and ${max}`);
  return v;
};
const optStringList = (input: Input, key: string): string[] => {
  const v = input[key];
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v) || v.some((s) => typeof s !== 'string')) throw invalidParameter(key, v, 'must be a list of strings');
  return v as string[];
};
const optStringMap = (input: Input, key: string): Record<string, string> => {
  const v = input[key];
  if (v === undefined || v === null) return {};
  if (typeof v !== 'object' || Array.isArray(v) || Object.values(v).some((s) => typeof s !== 'string')) {
    throw invalidParameter(key, v, 'must be a map of strings');
  }
  return v as Record<string, string>;
};
const optEntries = (input: Input, key: string): Input[] => {
  const v = input[key];
  if (v === undefined || v === null || (Array.isArray(v) && v.length === 0)) {
    throw batchError('EmptyBatchRequest', 'There should be at least one entry in the request.');
  }
  if (!Array.isArray(v) || v.some((e) => typeof e !== 'object' || e === null || Array.isArray(e))) throw invalidParameter(key, v, 'must be a list of entries');
  if (v.length > 10) throw batchError('TooManyEntriesInBatchRequest', `Maximum number of entries per request are 10. You have sent ${v.length}.`);
  const ids = new Set<string>();
  for (const entry of v as Input[]) {
    const id = entry.Id;
    if (typeof id !== 'string' || !/^[\w-]{1,80}$/.test(id)) {
      throw batchError('InvalidBatchEntryId', 'A batch entry id can only contain alphanumeric characters, hyphens and underscores. It can be at most 80 letters long.');
    }
    if (ids.has(id)) throw batchError('BatchEntryIdsNotDistinct', `Id ${id} repeated.`);
    ids.add(id);
  }
  return v as Input[];
};

// ---------------------------------------------------------------------------------------------------------
// Queue attributes

/** Settable integer attributes: [min, max, default]. */
const INTEGER_ATTRIBUTES: Record<string, [number, number, number]> = {
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
const SHOWN_DEFAULTS = ['VisibilityTimeout', 'MessageRetentionPeriod', 'DelaySeconds', 'ReceiveMessageWaitTimeSeconds', 'MaximumMessageSize'];

const MESSAGE_SYSTEM_ATTRIBUTES = new Set([
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

interface RedrivePolicy {
  deadLetterTargetArn: string;
  maxReceiveCount: number;
}

// ---------------------------------------------------------------------------------------------------------
// State

interface StoredMessage {
  id: string;
  body: string;
  md5OfBody: string;
  attributes: Record<string, SqsMessageAttribute>;
  systemAttributes: Record<string, SqsMessageAttribute>;
  senderId: string;
  groupId?: string;
  sentAt: number;
  /** Not receivable before this (DelaySeconds). */
  delayUntil: number;
  /** Not receivable before this (visibility timeout after a receive). */
  invisibleUntil: number;
  receiveCount: number;
  firstReceiveAt?: number;
  /** Nonce of the latest receive: only the latest receipt handle deletes the message, as in SQS. */
  receipt?: string;
  deadLetterSourceArn?: string;
}

interface Queue {
  name: string;
  region: string;
  createdAt: number;
  modifiedAt: number;
  /** Settable attributes as given (normalized); defaults are not stored. */
  attributes: Record<string, string>;
  tags: Record<string, string>;
  /** In order of arrival. */
  messages: Map<string, StoredMessage>;
}

interface DataFile {
  version: number;
  queues: Array<Omit<Queue, 'messages'> & { messages: StoredMessage[] }>;
}

const md5 = (data: string | Buffer) => createHash('md5').update(data).digest('hex');

/**
 * SQS's digest of message attributes: for each attribute in order of name, the name, the data type and the
 * value, each as a 4-byte big-endian length and its bytes, with a transport byte (1 string, 2 binary) before
 * the value; then MD5 over the whole.
 */
export function md5OfMessageAttributes(attributes: Record<string, SqsMessageAttribute>): string | undefined {
  const names = Object.keys(attributes).sort();
  if (names.length === 0) return undefined;
  const parts: Buffer[] = [];
  const lengthPrefixed = (bytes: Buffer) => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(bytes.length);
    parts.push(length, bytes);
  };
  for (const name of names) {
    const { DataType, StringValue, BinaryValue } = attributes[name]!;
    lengthPrefixed(Buffer.from(name, 'utf8'));
    lengthPrefixed(Buffer.from(DataType, 'utf8'));
    if (BinaryValue !== undefined) {
      parts.push(Buffer.from([2]));
      lengthPrefixed(Buffer.from(BinaryValue, 'base64'));
    } else {
      parts.push(Buffer.from([1]));
      lengthPrefixed(Buffer.from(StringValue ?? '', 'utf8'));
    }
  }
  return md5(Buffer.concat(parts));
}

const INVALID_BODY_CHARACTERS = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;
const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

function readMessageAttributes(raw: unknown, field: string, system: boolean): Record<string, SqsMessageAttribute> {
  if (raw === undefined || raw === null) return {};
  if (typeof raw !== 'object' || Array.isArray(raw)) throw invalidParameter(field, raw, 'must be a map of attributes');
  const entries = Object.entries(raw as Record<string, unknown>);
  if (entries.length > 10) throw invalidParameter(field, entries.length, `Number of message attributes [${entries.length}] exceeds the allowed maximum [10]`);
  const out: Record<string, SqsMessageAttribute> = {};
  for (const [name, value] of entries) {
    if (system) {
      if (name !== 'AWSTraceHeader') throw invalidParameter(field, name, 'Only the AWSTraceHeader message system attribute may be sent');
    } else if (
      !/^[A-Za-z0-9_.-]{1,256}$/.test(name) ||
      name.startsWith('.') ||
      name.endsWith('.') ||
      name.includes('..') ||
      /^(aws\.|amazon\.)/i.test(name)
    ) {
      throw invalidParameter(field, name, `Message attribute name '${name}' is invalid`);
    }
    if (typeof value !== 'object' || value === null) throw invalidParameter(field, name, `The message attribute '${name}' must be an object`);
    const { DataType, StringValue, BinaryValue, StringListValues, BinaryListValues } = value as Record<string, unknown>;
    if (typeof DataType !== 'string' || DataType === '') {
      throw invalidParameter(field, name, `The message attribute '${name}' must contain non-empty message attribute type`);
    }
    if ((Array.isArray(StringListValues) && StringListValues.length) || (Array.isArray(BinaryListValues) && BinaryListValues.length)) {
      throw invalidParameter(field, name, 'StringListValues and BinaryListValues are reserved for future use');
    }
    const base = DataType.split('.')[0];
    if (base === 'Binary') {
      if (typeof BinaryValue !== 'string' || BinaryValue === '' || !BASE64.test(BinaryValue)) {
        throw invalidParameter(field, name, `The message attribute '${name}' must contain non-empty message attribute value for message attribute type '${DataType}'`);
      }
      out[name] = { DataType, BinaryValue };
    } else if (base === 'String' || base === 'Number') {
      if (typeof StringValue !== 'string' || StringValue === '') {
        throw invalidParameter(field, name, `The message attribute '${name}' must contain non-empty message attribute value for message attribute type '${DataType}'`);
      }
      if (base === 'Number' && !NUMBER.test(StringValue)) {
        throw invalidParameter(field, name, `Can't cast the value of message (user) attribute '${name}' to a number`);
      }
      if (INVALID_BODY_CHARACTERS.test(StringValue)) throw invalidParameter(field, name, `The message attribute '${name}' contains invalid characters`);
      out[name] = { DataType, StringValue };
    } else {
      throw invalidParameter(
        field,
        name,
        `The type of message (user) attribute '${name}' is invalid. You must use only the following supported type prefixes: Binary, Number, String`,
      );
    }
  }
  return out;
}

const attributesSize = (attributes: Record<string, SqsMessageAttribute>) =>
  Object.entries(attributes).reduce(
    (sum, [name, a]) =>
      sum +
      Buffer.byteLength(name) +
      Buffer.byteLength(a.DataType) +
      (a.BinaryValue !== undefined ? Buffer.from(a.BinaryValue, 'base64').length : Buffer.byteLength(a.StringValue ?? '')),
    0,
  );

class RequestTooLarge extends Error {}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  if (Number(req.headers['content-length'] ?? 0) > MAX_REQUEST_BYTES) throw new RequestTooLarge();
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_REQUEST_BYTES) throw new RequestTooLarge();
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/** SQS operations in the SDK's model that this emulator answers with UnsupportedOperation. */
const UNSUPPORTED_ACTIONS = new Set(['AddPermission', 'RemovePermission', 'StartMessageMoveTask', 'CancelMessageMoveTask', 'ListMessageMoveTasks']);

interface RequestContext {
  region: string;
  senderId: string;
  /** Aborted when the client goes away or the emulator stops. */
  signal: AbortSignal;
}

type Action = (input: Input, context: RequestContext) => Record<string, unknown> | Promise<Record<string, unknown>>;

// ---------------------------------------------------------------------------------------------------------

export async function startSqsEmulator(options: SqsEmulatorOptions): Promise<SqsEmulator> {
  const host = options.host ?? '127.0.0.1';
  const defaultRegion = options.region ?? DEFAULT_REGION;
  const queues = new Map<string, Queue>();
  const waiters = new Map<string, Set<() => void>>();
  const stopController = new AbortController();
  let endpoint = '';

  // --- persistence --------------------------------------------------------------------------------------
  let persistTimer: NodeJS.Timeout | undefined;
  /** Queues changed since the data file was last written. */
  let unsaved = false;

  function load(file: string) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw e;
    }
    let data: DataFile;
    try {
      data = JSON.parse(text) as DataFile;
      if (data.version !== DATA_FILE_VERSION || !Array.isArray(data.queues)) throw new Error(`unknown format (version ${data.version})`);
    } catch (e) {
      throw new Error(`${file} is not a readable SQS emulator data file (${(e as Error).message}); move it away to start with no queues`);
    }
    for (const { messages, ...queue } of data.queues) {
      queues.set(queue.name, { ...queue, messages: new Map(messages.map((m) => [m.id, m])) });
    }
  }

  function snapshotForFile(): DataFile {
    return { version: DATA_FILE_VERSION, queues: [...queues.values()].map((q) => ({ ...q, messages: [...q.messages.values()] })) };
  }

  /**
   * Writes the whole state to a temporary file, flushes it to disk and renames it over the data file: a request
   * that changed a queue is answered only after this, so what SQS said it accepted (a dead letter) survives a
   * kill -9 or a power cut. Synchronous, so no other request's change interleaves with a write.
   */
  function persist(): void {
    const file = options.dataFile;
    clearTimeout(persistTimer);
    persistTimer = undefined;
    if (!file) return;
    mkdirSync(path.dirname(file), { recursive: true });
    const temporary = `${file}.${process.pid}.tmp`;
    const fd = openSync(temporary, 'w');
    try {
      writeSync(fd, JSON.stringify(snapshotForFile()));
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temporary, file);
    unsaved = false;
  }

  /** For changes no request waits on (expired messages dropped by a sweep). */
  function schedulePersist() {
    unsaved = true;
    if (!options.dataFile || persistTimer || stopController.signal.aborted) return;
    persistTimer = setTimeout(() => {
      try {
        persist();
      } catch (e) {
        console.error(`sqs emulator: could not write ${options.dataFile}`, e);
      }
    }, PERSIST_DEBOUNCE_MS);
  }

  // --- queue helpers ------------------------------------------------------------------------------------
  const queueUrl = (q: Queue) => `${endpoint}/${SQS_ACCOUNT_ID}/${q.name}`;
  const queueArn = (q: Queue) => `arn:aws:sqs:${q.region}:${SQS_ACCOUNT_ID}:${q.name}`;
  const intAttribute = (q: Queue, name: string) => Number(q.attributes[name] ?? INTEGER_ATTRIBUTES[name]![2]);

  /** Wakes long polls on the queue and marks the data file out of date (the request writes it before answering). */
  function changed(q: Queue) {
    for (const wake of [...(waiters.get(q.name) ?? [])]) wake();
    schedulePersist();
  }

  function queueByUrl(url: string): Queue {
    let pathname: string;
    try {
      pathname = new URL(url).pathname;
    } catch {
      throw new SqsError('InvalidAddress', `The address ${url} is not valid for this endpoint.`, 'InvalidAddress', 404);
    }
    const [account, name, ...rest] = pathname.split('/').filter(Boolean);
    const q = account === SQS_ACCOUNT_ID && name && rest.length === 0 ? queues.get(name) : undefined;
    if (!q) throw nonExistentQueue();
    return q;
  }

  function queueByArn(arn: string): Queue | undefined {
    const m = /^arn:aws[\w-]*:sqs:[\w-]+:(\d{12}):([\w-]{1,80})$/.exec(arn);
    return m && m[1] === SQS_ACCOUNT_ID ? queues.get(m[2]!) : undefined;
  }

  function redrivePolicy(q: Queue): RedrivePolicy | undefined {
    return q.attributes.RedrivePolicy ? (JSON.parse(q.attributes.RedrivePolicy) as RedrivePolicy) : undefined;
  }

  /** Drops messages older than the queue's retention period. */
  function sweep(q: Queue, now: number) {
    const oldest = now - intAttribute(q, 'MessageRetentionPeriod') * 1000;
    let dropped = false;
    for (const m of q.messages.values()) {
      if (m.sentAt <= oldest) {
        q.messages.delete(m.id);
        dropped = true;
      }
    }
    if (dropped) schedulePersist();
  }

  const messageState = (m: StoredMessage, now: number): SqsMessageSnapshot['state'] =>
    now < m.delayUntil ? 'delayed' : now < m.invisibleUntil ? 'in-flight' : 'visible';

  function queueAttributes(q: Queue, names: string[]): Record<string, string> {
    const now = Date.now();
    sweep(q, now);
    const all = names.includes('All');
    const wanted = (name: string) => all || names.includes(name);
    const known = new Set([...COMPUTED_ATTRIBUTES, ...Object.keys(INTEGER_ATTRIBUTES), ...OPAQUE_ATTRIBUTES, 'RedrivePolicy', 'All']);
    for (const name of names) if (!known.has(name)) throw invalidAttributeName(name);
    const out: Record<string, string> = {};
    const counts = { visible: 0, 'in-flight': 0, delayed: 0 };
    for (const m of q.messages.values()) counts[messageState(m, now)]++;
    const computed: Record<string, string> = {
      QueueArn: queueArn(q),
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

  /** Validates settable attributes and returns them normalized (as they would be stored and shown). */
  function normalizeAttributes(raw: Record<string, string>, creating: boolean): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [name, value] of Object.entries(raw)) {
      const range = INTEGER_ATTRIBUTES[name];
      if (range) {
        const n = /^\d+$/.test(value.trim()) ? Number(value.trim()) : NaN;
        if (!(n >= range[0] && n <= range[1])) throw invalidAttributeValue(name, `must be an integer between ${range[0]} and ${range[1]}`);
        out[name] = String(n);
      } else if (name === 'RedrivePolicy') {
        out[name] = value === '' ? '' : normalizeRedrivePolicy(value);
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

  function normalizeRedrivePolicy(value: string): string {
    let policy: Record<string, unknown>;
    try {
      policy = JSON.parse(value) as Record<string, unknown>;
    } catch {
      throw invalidParameter('RedrivePolicy', value, 'Redrive policy is not a valid JSON map');
    }
    if (typeof policy !== 'object' || policy === null) throw invalidParameter('RedrivePolicy', value, 'Redrive policy is not a valid JSON map');
    const { deadLetterTargetArn, maxReceiveCount } = policy;
    const count = typeof maxReceiveCount === 'string' && /^\d+$/.test(maxReceiveCount) ? Number(maxReceiveCount) : maxReceiveCount;
    if (typeof count !== 'number' || !Number.isInteger(count) || count < 1 || count > 1000) {
      throw invalidParameter('RedrivePolicy', value, 'Invalid value for maxReceiveCount: must be an integer from 1 to 1000');
    }
    if (typeof deadLetterTargetArn !== 'string' || !queueByArn(deadLetterTargetArn)) {
      throw invalidParameter('RedrivePolicy', value, 'Dead letter target does not exist');
    }
    return JSON.stringify({ deadLetterTargetArn, maxReceiveCount: count });
  }

  /** Validates one message, returning it ready to store. */
  function buildMessage(q: Queue, input: Input, context: RequestContext): StoredMessage {
    const body = reqString(input, 'MessageBody');
    if (body === '') throw invalidParameter('MessageBody', body, 'Message body must not be empty');
    if (INVALID_BODY_CHARACTERS.test(body)) {
      throw new SqsError(
        'InvalidMessageContents',
        'Invalid characters found. Valid unicode characters are #x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF',
      );
    }
    const delay = optInt(input, 'DelaySeconds', 0, 900) ?? intAttribute(q, 'DelaySeconds');
    const attributes = readMessageAttributes(input.MessageAttributes, 'MessageAttributes', false);
    const systemAttributes = readMessageAttributes(input.MessageSystemAttributes, 'MessageSystemAttributes', true);
    if (optString(input, 'MessageDeduplicationId') !== undefined) {
      throw invalidParameter('MessageDeduplicationId', input.MessageDeduplicationId, 'The request includes a parameter that is not valid for this queue type');
    }
    const size = Buffer.byteLength(body) + attributesSize(attributes);
    const limit = intAttribute(q, 'MaximumMessageSize');
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

  const sendResult = (m: StoredMessage) =>
    compact({
      MessageId: m.id,
      MD5OfMessageBody: m.md5OfBody,
      MD5OfMessageAttributes: md5OfMessageAttributes(m.attributes),
      MD5OfMessageSystemAttributes: md5OfMessageAttributes(m.systemAttributes),
    });

  const encodeReceipt = (q: Queue, m: StoredMessage) => Buffer.from(JSON.stringify([q.name, m.id, m.receipt])).toString('base64url');
  function decodeReceipt(q: Queue, handle: string): { id: string; nonce: string } {
    try {
      const parsed: unknown = JSON.parse(Buffer.from(handle, 'base64url').toString('utf8'));
      if (Array.isArray(parsed) && parsed.length === 3 && parsed.every((p) => typeof p === 'string') && parsed[0] === q.name) {
        return { id: parsed[1] as string, nonce: parsed[2] as string };
      }
    } catch {
      // fall through
    }
    throw receiptHandleIsInvalid(handle);
  }

  /** Takes up to `max` visible messages, making them invisible for `visibility` seconds; redrives on the way. */
  function take(q: Queue, max: number, visibility: number): StoredMessage[] {
    const now = Date.now();
    sweep(q, now);
    const policy = redrivePolicy(q);
    const deadLetterQueue = policy && queueByArn(policy.deadLetterTargetArn);
    const taken: StoredMessage[] = [];
    for (const m of q.messages.values()) {
      if (taken.length >= max) break;
      if (messageState(m, now) !== 'visible') continue;
      if (policy && deadLetterQueue && deadLetterQueue !== q && m.receiveCount >= policy.maxReceiveCount) {
        q.messages.delete(m.id);
        Object.assign(m, { delayUntil: 0, invisibleUntil: 0, receipt: undefined, deadLetterSourceArn: queueArn(q) });
        deadLetterQueue.messages.set(m.id, m);
        changed(deadLetterQueue);
        changed(q);
        continue;
      }
      m.receiveCount += 1;
      m.firstReceiveAt ??= now;
      m.invisibleUntil = now + visibility * 1000;
      m.receipt = randomUUID();
      taken.push(m);
    }
    if (taken.length) changed(q);
    return taken;
  }

  /** Resolves when the queue changes, at `until`, or on abort, whichever comes first. */
  function sleep(name: string, until: number, signal: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      if (signal.aborted) return resolve();
      let set = waiters.get(name);
      if (!set) waiters.set(name, (set = new Set()));
      const done = () => {
        clearTimeout(timer);
        set.delete(done);
        if (set.size === 0 && waiters.get(name) === set) waiters.delete(name);
        signal.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, Math.max(0, until - Date.now()));
      set.add(done);
      signal.addEventListener('abort', done);
    });
  }

  const nextVisibleAt = (q: Queue, now: number) => {
    let next = Infinity;
    for (const m of q.messages.values()) {
      const at = Math.max(m.delayUntil, m.invisibleUntil);
      if (at > now && at < next) next = at;
    }
    return next;
  };

  function renderMessage(q: Queue, m: StoredMessage, systemNames: string[], attributeNames: string[]) {
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
      Object.entries(m.attributes).filter(([name]) => allUser || attributeNames.includes(name) || prefixes.some((p) => name.startsWith(p))),
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

  function changeVisibility(q: Queue, handle: string, seconds: number) {
    const { id, nonce } = decodeReceipt(q, handle);
    const m = q.messages.get(id);
    const now = Date.now();
    if (!m || m.receipt !== nonce) {
      throw invalidParameter('ReceiptHandle', handle, 'Message does not exist or is not available for visibility timeout change');
    }
    if (messageState(m, now) !== 'in-flight') {
      throw new SqsError('MessageNotInflight', 'The message referred to is not in flight.', 'AWS.SimpleQueueService.MessageNotInflight');
    }
    m.invisibleUntil = now + seconds * 1000;
    changed(q);
  }

  /** Deletes only with the latest receipt handle; an older one succeeds and deletes nothing, as in SQS. */
  function deleteMessage(q: Queue, handle: string) {
    const { id, nonce } = decodeReceipt(q, handle);
    const m = q.messages.get(id);
    if (m && m.receipt === nonce) {
      q.messages.delete(id);
      changed(q);
    }
  }

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

  const listPage = (urls: string[], input: Input, key: string) => {
    const max = optInt(input, 'MaxResults', 1, 1000);
    const token = optString(input, 'NextToken');
    const start = token ? Number(Buffer.from(token, 'base64url').toString()) : 0;
    if (!Number.isInteger(start) || start < 0) throw invalidParameter('NextToken', token, 'Invalid NextToken value');
    const page = urls.slice(start, start + (max ?? 1000));
    const next = max !== undefined && start + page.length < urls.length ? Buffer.from(String(start + page.length)).toString('base64url') : undefined;
    return compact({ [key]: page.length ? page : undefined, NextToken: next });
  };

  // --- actions ------------------------------------------------------------------------------------------
  const actions: Record<string, Action> = {
    CreateQueue(input, context) {
      const name = reqString(input, 'QueueName');
      if (name.endsWith('.fifo')) throw unsupported('A FIFO queue');
      if (!/^[\w-]{1,80}$/.test(name)) {
        throw invalidParameter('QueueName', name, 'Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length');
      }
      const attributes = normalizeAttributes(optStringMap(input, 'Attributes'), true);
      const tags = optStringMap(input, 'tags');
      const existing = queues.get(name);
      if (existing) {
        for (const [attribute, value] of Object.entries(attributes)) {
          const current = existing.attributes[attribute] ?? (INTEGER_ATTRIBUTES[attribute] ? String(intAttribute(existing, attribute)) : '');
          if (current !== value) {
            throw new SqsError(
              'QueueNameExists',
              `A queue already exists with the same name and a different value for attribute ${attribute}`,
              'QueueAlreadyExists',
            );
          }
        }
        return { QueueUrl: queueUrl(existing) };
      }
      if (attributes.RedrivePolicy === '') delete attributes.RedrivePolicy;
      const now = Date.now();
      const q: Queue = { name, region: context.region, createdAt: now, modifiedAt: now, attributes, tags: { ...tags }, messages: new Map() };
      queues.set(name, q);
      changed(q);
      return { QueueUrl: queueUrl(q) };
    },

    GetQueueUrl(input) {
      const name = reqString(input, 'QueueName');
      const owner = optString(input, 'QueueOwnerAWSAccountId');
      const q = queues.get(name);
      if (!q || (owner !== undefined && owner !== SQS_ACCOUNT_ID)) throw nonExistentQueue();
      return { QueueUrl: queueUrl(q) };
    },

    ListQueues(input) {
      const prefix = optString(input, 'QueueNamePrefix') ?? '';
      const urls = [...queues.values()]
        .filter((q) => q.name.startsWith(prefix))
        .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
        .map(queueUrl);
      return listPage(urls, input, 'QueueUrls');
    },

    ListDeadLetterSourceQueues(input) {
      const target = queueArn(queueByUrl(reqString(input, 'QueueUrl')));
      const urls = [...queues.values()]
        .filter((q) => redrivePolicy(q)?.deadLetterTargetArn === target)
        .sort((a, b) => (a.name < b.name ? -1 : 1))
        .map(queueUrl);
      return { queueUrls: [], ...listPage(urls, input, 'queueUrls') };
    },

    GetQueueAttributes(input) {
      const q = queueByUrl(reqString(input, 'QueueUrl'));
      const attributes = queueAttributes(q, optStringList(input, 'AttributeNames'));
      return compact({ Attributes: Object.keys(attributes).length ? attributes : undefined });
    },

    SetQueueAttributes(input) {
      const q = queueByUrl(reqString(input, 'QueueUrl'));
      const raw = optStringMap(input, 'Attributes');
      const attributes = normalizeAttributes(raw, false);
      for (const [name, value] of Object.entries(attributes)) {
        if (name === 'RedrivePolicy' && value === '') delete q.attributes.RedrivePolicy;
        else q.attributes[name] = value;
      }
      q.modifiedAt = Date.now();
      changed(q);
      return {};
    },

    DeleteQueue(input) {
      const q = queueByUrl(reqString(input, 'QueueUrl'));
      queues.delete(q.name);
      changed(q);
      return {};
    },

    PurgeQueue(input) {
      const q = queueByUrl(reqString(input, 'QueueUrl'));
      q.messages.clear();
      changed(q);
      return {};
    },

    TagQueue(input) {
      const q = queueByUrl(reqString(input, 'QueueUrl'));
      Object.assign(q.tags, optStringMap(input, 'Tags'));
      changed(q);
      return {};
    },

    UntagQueue(input) {
      const q = queueByUrl(reqString(input, 'QueueUrl'));
      for (const key of optStringList(input, 'TagKeys')) delete q.tags[key];
      changed(q);
      return {};
    },

    ListQueueTags(input) {
      const q = queueByUrl(reqString(input, 'QueueUrl'));
      return compact({ Tags: Object.keys(q.tags).length ? { ...q.tags } : undefined });
    },

    SendMessage(input, context) {
      const q = queueByUrl(reqString(input, 'QueueUrl'));
      const m = buildMessage(q, input, context);
      q.messages.set(m.id, m);
      changed(q);
      return sendResult(m);
    },

    SendMessageBatch(input, context) {
      const q = queueByUrl(reqString(input, 'QueueUrl'));
      const entries = optEntries(input, 'Entries');
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
        throw batchError('BatchRequestTooLong', `Batch requests cannot be longer than ${limit} bytes. You have sent ${total} bytes.`);
      }
      const result = batch(entries, (entry) => {
        const m = buildMessage(q, entry, context);
        q.messages.set(m.id, m);
        return sendResult(m);
      });
      changed(q);
      return result;
    },

    async ReceiveMessage(input, context) {
      const q = queueByUrl(reqString(input, 'QueueUrl'));
      const max = optInt(input, 'MaxNumberOfMessages', 1, 10, 'Must be between 1 and 10, if provided') ?? 1;
      const visibility = optInt(input, 'VisibilityTimeout', 0, 43_200) ?? intAttribute(q, 'VisibilityTimeout');
      const wait = optInt(input, 'WaitTimeSeconds', 0, 20, 'Must be >= 0 and <= 20, if provided') ?? intAttribute(q, 'ReceiveMessageWaitTimeSeconds');
      const systemNames = [...optStringList(input, 'AttributeNames'), ...optStringList(input, 'MessageSystemAttributeNames')];
      for (const name of systemNames) if (name !== 'All' && !MESSAGE_SYSTEM_ATTRIBUTES.has(name)) throw invalidAttributeName(name);
      const attributeNames = optStringList(input, 'MessageAttributeNames');
      const deadline = Date.now() + wait * 1000;
      let taken = take(q, max, visibility);
      // Long poll: answer as soon as anything can be received, or empty at the deadline.
      while (!taken.length && Date.now() < deadline && !context.signal.aborted && queues.get(q.name) === q) {
        await sleep(q.name, Math.min(deadline, nextVisibleAt(q, Date.now())), context.signal);
        if (context.signal.aborted || queues.get(q.name) !== q) break;
        taken = take(q, max, visibility);
      }
      // SQS leaves Messages out of an empty answer.
      return taken.length ? { Messages: taken.map((m) => renderMessage(q, m, systemNames, attributeNames)) } : {};
    },

    DeleteMessage(input) {
      const q = queueByUrl(reqString(input, 'QueueUrl'));
      deleteMessage(q, reqString(input, 'ReceiptHandle'));
      return {};
    },

    DeleteMessageBatch(input) {
      const q = queueByUrl(reqString(input, 'QueueUrl'));
      return batch(optEntries(input, 'Entries'), (entry) => {
        deleteMessage(q, reqString(entry, 'ReceiptHandle'));
        return {};
      });
    },

    ChangeMessageVisibility(input) {
      const q = queueByUrl(reqString(input, 'QueueUrl'));
      const handle = reqString(input, 'ReceiptHandle');
      const seconds = optInt(input, 'VisibilityTimeout', 0, 43_200);
      if (seconds === undefined) throw missingParameter('VisibilityTimeout');
      changeVisibility(q, handle, seconds);
      return {};
    },

    ChangeMessageVisibilityBatch(input) {
      const q = queueByUrl(reqString(input, 'QueueUrl'));
      return batch(optEntries(input, 'Entries'), (entry) => {
        const seconds = optInt(entry, 'VisibilityTimeout', 0, 43_200) ?? 0;
        changeVisibility(q, reqString(entry, 'ReceiptHandle'), seconds);
        return {};
      });
    },
  };

  // --- HTTP ---------------------------------------------------------------------------------------------
  async function handle(req: IncomingMessage, res: ServerResponse) {
    const requestId = randomUUID();
    const reply = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      if (res.headersSent || res.destroyed) return;
      const stopping = stopController.signal.aborted ? { connection: 'close' } : {};
      res.writeHead(status, { 'content-type': JSON_CONTENT_TYPE, 'x-amzn-requestid': requestId, ...stopping, ...headers });
      res.end(JSON.stringify(body));
    };
    const fail = (e: SqsError) =>
      reply(e.status, { __type: `com.amazonaws.sqs#${e.code}`, message: e.message }, { 'x-amzn-query-error': `${e.queryCode};Sender` });

    // Aborted when the client hangs up before its answer (a long poll must not take messages then) or on stop.
    const requestController = new AbortController();
    res.once('close', () => requestController.abort());
    const signal = AbortSignal.any([requestController.signal, stopController.signal]);

    try {
      if (stopController.signal.aborted) {
        return reply(503, { __type: 'com.amazonaws.sqs#ServiceUnavailable', message: 'The local SQS emulator is stopping.' }, {
          'x-amzn-query-error': 'ServiceUnavailable;Receiver',
        });
      }
      let raw: Buffer;
      try {
        raw = await readBody(req);
      } catch (e) {
        if (e instanceof RequestTooLarge) return fail(new SqsError('RequestEntityTooLarge', `Requests must be at most ${MAX_REQUEST_BYTES} bytes.`, 'RequestEntityTooLarge', 413));
        throw e;
      }
      const target = req.headers['x-amz-target'];
      if (req.method !== 'POST' || typeof target !== 'string') {
        throw new SqsError(
          'InvalidAction',
          'The local SQS emulator speaks only the AWS JSON protocol: POST / with X-Amz-Target: AmazonSQS.<Action> and content-type application/x-amz-json-1.0.',
        );
      }
      const actionName = /^AmazonSQS\.(\w+)$/.exec(target)?.[1];
      const action = actionName !== undefined && Object.hasOwn(actions, actionName) ? actions[actionName]! : undefined;
      if (!action) {
        if (actionName && UNSUPPORTED_ACTIONS.has(actionName)) throw unsupported(`The ${actionName} action`);
        throw new SqsError('InvalidAction', `The action or operation requested is invalid: ${target}.`);
      }
      let input: unknown;
      try {
        input = raw.length ? JSON.parse(raw.toString('utf8')) : {};
      } catch {
        throw new SqsError('SerializationException', 'The request body is not valid JSON.');
      }
      if (typeof input !== 'object' || input === null || Array.isArray(input)) {
        throw new SqsError('SerializationException', 'The request body must be a JSON object.');
      }
      // SigV4: Authorization: AWS4-HMAC-SHA256 Credential=<access key>/<date>/<region>/<service>/aws4_request, …
      const credential = /Credential=([^/,\s]+)\/\d{8}\/([^/,\s]+)\//.exec(req.headers.authorization ?? '');
      const context: RequestContext = { region: credential?.[2] ?? defaultRegion, senderId: credential?.[1] ?? SQS_ACCOUNT_ID, signal };
      const result = await action(input as Input, context);
      if (unsaved) persist();
      reply(200, result);
    } catch (e) {
      if (e instanceof SqsError) return fail(e);
      console.error('sqs emulator error', e);
      reply(500, { __type: 'com.amazonaws.sqs#InternalError', message: 'Internal error' }, { 'x-amzn-query-error': 'InternalError;Receiver' });
    }
  }

  if (options.dataFile) load(options.dataFile);
  const server = createServer((req, res) => void handle(req, res));
  await new Promise<void>((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) => reject(e.code === 'EADDRINUSE' ? new PortInUseError(options.port, 'SQS emulator') : e));
    server.listen(options.port, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const urlHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  endpoint = `http://${urlHost}:${port}`;

  let stopped: Promise<void> | undefined;
  return {
    name: 'sqs',
    endpoint,
    stop() {
      stopped ??= (async () => {
        // Long polls see the abort and answer empty; their connections close after the answer.
        stopController.abort();
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeIdleConnections();
        const force = setTimeout(() => server.closeAllConnections(), 2000);
        await closed;
        clearTimeout(force);
        try {
          persist();
        } catch (e) {
          console.error(`sqs emulator: could not write ${options.dataFile}`, e);
        }
      })();
      return stopped;
    },
    queues() {
      const now = Date.now();
      return [...queues.values()].map((q) => ({
        name: q.name,
        url: queueUrl(q),
        arn: queueArn(q),
        attributes: queueAttributes(q, ['All']),
        messages: [...q.messages.values()].map((m) => ({
          messageId: m.id,
          body: m.body,
          messageAttributes: structuredClone(m.attributes),
          sentTimestamp: m.sentAt,
          receiveCount: m.receiveCount,
          state: messageState(m, now),
          ...(m.deadLetterSourceArn ? { deadLetterQueueSourceArn: m.deadLetterSourceArn } : {}),
        })),
      }));
    },
  };
}

/** Drops undefined members, which JSON would drop anyway, so that results read as SQS sends them. */
function compact<T extends Record<string, unknown>>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}
