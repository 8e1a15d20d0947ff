/** The shapes the local SQS emulator's parts share, and those it shows the platform. */

export const SQS_ACCOUNT_ID = '000000000000';

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

export interface StoredMessage {
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

export interface Queue {
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

export interface RedrivePolicy {
  deadLetterTargetArn: string;
  maxReceiveCount: number;
}

/** A request's members, as the JSON body carries them. */
export type Input = Record<string, unknown>;

export interface RequestContext {
  region: string;
  senderId: string;
  /** Aborted when the client goes away or the emulator stops. */
  signal: AbortSignal;
}
