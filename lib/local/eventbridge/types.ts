/** The local EventBridge's resources, as its API describes them, and what a rule or archive keeps compiled. */
import type { CompiledPattern } from './pattern';

export const EVENTBRIDGE_ACCOUNT_ID = '000000000000';
export const DEFAULT_BUS = 'default';

/** An event as EventBridge delivers it to targets (and as TestEventPattern reads it). */
export interface BusEvent {
  version: '0';
  id: string;
  'detail-type': string;
  source: string;
  account: string;
  time: string;
  region: string;
  resources: string[];
  detail: Record<string, unknown>;
  /** Set on events a replay sends again. */
  'replay-name'?: string;
}

export interface RetryPolicy {
  MaximumRetryAttempts: number;
  MaximumEventAgeInSeconds: number;
}

export interface TargetSpec {
  Id: string;
  Arn: string;
  /** Sent instead of the event (JSON text). */
  Input?: string;
  /** The part of the event sent (a JSONPath such as `$.detail`). */
  InputPath?: string;
  RetryPolicy?: Partial<RetryPolicy>;
  DeadLetterConfig?: { Arn?: string };
}

export interface RuleSpec {
  Name: string;
  Arn: string;
  EventBusName: string;
  EventPattern: string;
  State: 'ENABLED' | 'DISABLED';
  Description?: string;
}

export interface Rule {
  spec: RuleSpec;
  pattern: CompiledPattern;
  targets: Map<string, TargetSpec>;
}

export interface ArchiveSpec {
  ArchiveName: string;
  ArchiveArn: string;
  EventSourceArn: string;
  EventPattern?: string;
  Description?: string;
  /** 0 keeps the events for ever. */
  RetentionDays: number;
  CreationTime: number;
}

export interface Archive {
  spec: ArchiveSpec;
  pattern?: CompiledPattern;
}

/** An event kept by an archive, with when it arrived (epoch ms), which replays select on. */
export interface ArchivedEvent {
  at: number;
  event: BusEvent;
}

export interface ReplaySpec {
  ReplayName: string;
  ReplayArn: string;
  EventSourceArn: string;
  Destination: { Arn: string; FilterArns?: string[] };
  EventStartTime: number;
  EventEndTime: number;
  State: 'STARTING' | 'RUNNING' | 'CANCELLING' | 'COMPLETED' | 'CANCELLED' | 'FAILED';
  StateReason?: string;
  ReplayStartTime: number;
  ReplayEndTime?: number;
  EventLastReplayedTime?: number;
  Description?: string;
}
