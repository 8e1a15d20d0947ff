/**
 * What a platform has started, filled in as each part starts, and the two ways of stopping it: a clean stop
 * (each part after what uses it) and the cleanup of a start that failed half-way (errors ignored).
 */
import { rmSync } from 'node:fs';
import type { Server } from 'node:http';
import type { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { AnalyticsPipeline, LocalWarehouse } from '../analytics';
import type { Emulator } from '../emulators';
import type { LocalKinesis } from '../kinesis';
import type { LambdaEmulator } from '../lambda/types';
import type { LocalRecommendations } from '../recommendations';
import type { LocalInsights } from '../insights-model';
import type { LocalSageMakerRuntime } from './sagemaker-runtime';
import { runtimeFile } from '../running-platform';
import type { LocalSearch } from '../search-platform/start';
import type { LocalEventBus } from '../eventbridge/platform';
import type { LocalS3 } from '../s3/server';
import type { LocalStreamArchive } from '../firehose/archive';
import type { SqsEmulator } from '../sqs/server';
import type { LocalSes } from '../ses/server';
import type { StepFunctionsEmulator } from '../stepfunctions/server';
import { releaseDataDir } from './data-dir';
import { stopDatabaseEmulators } from './database-emulators';

export interface PlatformParts {
  dataDir: string;
  emulators: Emulator[];
  dynamoClient?: DynamoDBClient;
  cognito?: CognitoIdentityProviderClient;
  server?: Server;
  sqs?: SqsEmulator;
  stepFunctions?: StepFunctionsEmulator;
  kinesis?: LocalKinesis;
  stopSweeper: () => void;
  /** The archive of old orders' timer (lib/local/archive). */
  stopArchiveTimer?: () => void;
  recommendations?: LocalRecommendations;
  insights?: LocalInsights;
  /** The one SageMaker runtime in front of both model servers. */
  sagemakerRuntime?: LocalSageMakerRuntime;
  analytics?: AnalyticsPipeline;
  warehouse?: LocalWarehouse;
  lambda?: LambdaEmulator;
  search?: LocalSearch;
  s3?: LocalS3;
  events?: LocalEventBus;
  ses?: LocalSes;
  /** The audit stream's archive to S3 (Firehose in AWS). */
  auditArchive?: LocalStreamArchive;
}

export const noParts = (dataDir: string): PlatformParts => ({ dataDir, emulators: [], stopSweeper: () => undefined });

async function stopEmulators(parts: PlatformParts) {
  await stopDatabaseEmulators(parts.emulators);
  releaseDataDir(parts.dataDir);
}

/** Stops a platform that started. */
export async function stopParts(parts: PlatformParts) {
  const { server } = parts;
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server?.closeAllConnections();
  await parts.lambda?.stop();
  parts.stopSweeper();
  parts.stopArchiveTimer?.();
  // Before the emulators it reads from and reports to; it closes the warehouse last.
  await parts.analytics?.stop();
  await parts.auditArchive?.stop();
  await parts.warehouse?.stop();
  // Once the indexer is stopped: no write is in flight.
  await parts.search?.stop();
  // The runtime before the model servers behind it.
  await parts.sagemakerRuntime?.stop();
  await parts.recommendations?.stop();
  await parts.insights?.stop();
  await parts.stepFunctions?.stop();
  // Before SQS, its targets' and dead letters' queues.
  await parts.events?.stop();
  // After the bus, whose notifications target sends here.
  await parts.ses?.stop();
  await parts.sqs?.stop();
  await parts.kinesis?.stop();
  // After the functions it notifies have stopped being invoked by anything else.
  await parts.s3?.stop();
  parts.dynamoClient?.destroy();
  parts.cognito?.destroy();
  await stopEmulators(parts);
  rmSync(runtimeFile(parts.dataDir), { force: true });
}

/** Stops what a start that failed had started. */
export async function abandonParts(parts: PlatformParts) {
  parts.server?.close();
  parts.stopSweeper();
  parts.stopArchiveTimer?.();
  await parts.lambda?.stop().catch(() => undefined);
  await parts.analytics?.stop().catch(() => undefined);
  await parts.auditArchive?.stop().catch(() => undefined);
  await parts.warehouse?.stop().catch(() => undefined);
  await parts.search?.stop().catch(() => undefined);
  await parts.sagemakerRuntime?.stop().catch(() => undefined);
  await parts.recommendations?.stop().catch(() => undefined);
  await parts.insights?.stop().catch(() => undefined);
  await parts.stepFunctions?.stop().catch(() => undefined);
  await parts.events?.stop().catch(() => undefined);
  await parts.sqs?.stop().catch(() => undefined);
  await parts.kinesis?.stop().catch(() => undefined);
  await parts.s3?.stop().catch(() => undefined);
  await stopEmulators(parts);
}
