import '../support/handler-log-level';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Platform } from '@ecicomm/local-platform/platform';
import { startSwitchboard, type Switchboard } from '../support/model-switchboard';
import { startPlatformControl } from '../support/platform-control';
import { startPlatformOnFreePorts } from '../support/platform-on-free-ports';
import { writeTestModel } from '../support/recommendation-model';

export interface PlatformInfo {
  apiUrl: string;
  dynamoEndpoint: string;
  cognitoEndpoint: string;
  region: string;
  userPoolId: string;
  clientId: string;
  admin: { email: string; password: string; userId: string };
  tableNames: Platform['tableNames'];
  pids: number[];
  /** The process the platform runs in (its in-process servers: the edge, SQS, Step Functions, Lambda, kinesalite, the model server). */
  pid: number;
  /** The environment the handlers run with, for tests that invoke handler modules directly. */
  env: Record<string, string>;
  sqsEndpoint: string;
  stepFunctionsEndpoint: string;
  orderSagaArn: string;
  compensationDeadLetterQueueUrl: string;
  /** kinesalite, and the clickstream stream's name on it. */
  kinesisEndpoint: string;
  clickstreamStream: string;
  /** The Lambda Invoke API serving the consumers, saga tasks and jobs by id. */
  lambdaEndpoint: string;
  /** The local search engine (OpenSearch's REST subset), signed with the run's credentials in `env`. */
  searchEndpoint: string;
  /** The model server (serving test/support/recommendation-model.ts) and the switchboard in front of it. */
  recommendations: { modelUrl: string; switchboardUrl: string; breakerHalfOpenMs: number };
  /**
   * The stream consumers' on-failure queues by consumer id, and the control server (test/support/
   * platform-control.ts) through which a test waits for the pipeline and reads the platform's warehouse.
   */
  analytics: { controlUrl: string; failureQueueUrls: Record<string, string> };
}

/** Short, so the suite can watch the breaker open and close again; production waits 10 s. */
const BREAKER_HALF_OPEN_MS = 1000;

/** What the tests get of the platform (through ECICOMM_TEST_PLATFORM): plain data, no handles. */
function platformInfo(platform: Platform, switchboard: Switchboard, controlUrl: string): PlatformInfo {
  return {
    apiUrl: platform.apiUrl,
    dynamoEndpoint: platform.dynamoEndpoint,
    cognitoEndpoint: platform.cognitoEndpoint,
    region: platform.region,
    userPoolId: platform.userPoolId,
    clientId: platform.clientId,
    admin: platform.admin,
    tableNames: platform.tableNames,
    pids: platform.pids,
    pid: process.pid,
    env: platform.env,
    sqsEndpoint: platform.sqsEndpoint,
    stepFunctionsEndpoint: platform.stepFunctionsEndpoint,
    orderSagaArn: platform.orderSagaArn,
    compensationDeadLetterQueueUrl: platform.compensationDeadLetterQueueUrl,
    kinesisEndpoint: platform.kinesisEndpoint,
    clickstreamStream: platform.clickstreamStream,
    lambdaEndpoint: platform.lambdaEndpoint,
    searchEndpoint: platform.search.endpoint,
    recommendations: {
      modelUrl: platform.modelUrl,
      switchboardUrl: switchboard.controlUrl,
      breakerHalfOpenMs: BREAKER_HALF_OPEN_MS,
    },
    analytics: { controlUrl, failureQueueUrls: platform.analytics.failureQueueUrls },
  };
}

/**
 * One local platform for the whole integration run, on free ports, stopped by pid however the run ends.
 * jest-global-setup.mjs passes what it answers to the tests (support/api.ts `platform()`), and `stop` to the teardown.
 */
export default async function setup(): Promise<{ platform: PlatformInfo; stop: () => Promise<void> }> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'ecicomm-test-'));
  // The recommendations function calls the switchboard, which passes calls on to the model server (a
  // hand-made model on a free port) unless a test makes it fail.
  const switchboard = await startSwitchboard();
  const model = {
    dir: writeTestModel(path.join(dataDir, 'test-model')),
    port: 0,
    endpointUrl: switchboard.endpointUrl,
    breakerHalfOpenMs: BREAKER_HALF_OPEN_MS,
  };
  const platform = await startPlatformOnFreePorts({ dataDir, seed: 'demo', model }).catch(async (e: unknown) => {
    await switchboard.stop();
    throw e;
  });
  switchboard.setTarget(platform.modelUrl);
  const control = await startPlatformControl(platform);
  const killAll = () =>
    platform.pids.forEach((pid) => {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        /* gone */
      }
    });
  process.once('exit', killAll);
  const info = platformInfo(platform, switchboard, control.url);
  const stop = async () => {
    await control.stop();
    await platform.stop();
    await switchboard.stop();
    process.off('exit', killAll);
    rmSync(dataDir, { recursive: true, force: true });
  };
  return { platform: info, stop };
}
