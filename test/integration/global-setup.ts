import '../support/handler-log-level';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Platform } from '@ecicomm/local-platform/platform';
import { removeMemoryDatabase } from '@ecicomm/local-platform/platform/database-emulators';
import { startSwitchboard, type Switchboard } from '../support/model-switchboard';
import { startPlatformControl } from '../support/platform-control';
import { capturePlatformLog, secretsIn } from '../support/platform-log';
import { startPlatformOnFreePorts } from '../support/platform-on-free-ports';
import { writeTestInsightsModel } from '../support/insights-model';
import { writeTestModel } from '../support/recommendation-model';

export interface PlatformInfo {
  apiUrl: string;
  dynamoEndpoint: string;
  cognitoEndpoint: string;
  region: string;
  userPoolId: string;
  clientId: string;
  admin: { email: string; password: string; userId: string };
  /** The partners' API keys the edge accepts on partner routes (x-api-key). */
  partnerKeys: Platform['partnerKeys'];
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
  /**
   * The model server (serving test/support/recommendation-model.ts) and the switchboard in front of the SageMaker
   * runtime (both endpoints: the functions' AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME).
   */
  recommendations: { modelUrl: string; switchboardUrl: string; breakerHalfOpenMs: number };
  /** The insights model server (serving test/support/insights-model.ts) and the runtime the switchboard passes calls to. */
  insights: { modelUrl: string; runtimeUrl: string; endpointName: string };
  /**
   * The stream consumers' on-failure queues by consumer id, and the control server (test/support/
   * platform-control.ts) through which a test waits for the pipeline and reads the platform's warehouse.
   */
  analytics: { controlUrl: string; failureQueueUrls: Record<string, string> };
  /** The handlers' logs and metrics (JSON documents, in the order written) of the whole run so far (support/platform-log.ts). */
  logFile: string;
}

/** Short, so the suite can watch the breaker open and close again; production waits 10 s. */
const BREAKER_HALF_OPEN_MS = 1000;

/** What the tests get of the platform (through ECICOMM_TEST_PLATFORM): plain data, no handles. */
function platformInfo(platform: Platform, switchboard: Switchboard, controlUrl: string, logFile: string): PlatformInfo {
  return {
    logFile,
    apiUrl: platform.apiUrl,
    dynamoEndpoint: platform.dynamoEndpoint,
    cognitoEndpoint: platform.cognitoEndpoint,
    region: platform.region,
    userPoolId: platform.userPoolId,
    clientId: platform.clientId,
    admin: platform.admin,
    partnerKeys: platform.partnerKeys,
    tableNames: platform.tableNames,
    pids: platform.pids,
    pid: process.pid,
    // For handlers a test invokes in its own worker, whose output jest prints, not the platform's log: as quiet as
    // the suite was before the platform's log went to a file (errors only, no metrics).
    env: { ...platform.env, POWERTOOLS_LOG_LEVEL: 'ERROR', POWERTOOLS_METRICS_DISABLED: 'true' },
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
    insights: {
      modelUrl: platform.insights.modelUrl,
      runtimeUrl: platform.sagemakerRuntimeUrl,
      endpointName: platform.env.INSIGHTS_ENDPOINT_NAME,
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
  // Apart from the data dir: a log that holds a secret is kept for whoever looks into it.
  const logFile = path.join(mkdtempSync(path.join(tmpdir(), 'ecicomm-test-log-')), 'platform.log');
  const log = capturePlatformLog(logFile);
  // The functions call the switchboard, which passes calls on to the platform's SageMaker runtime (in front of
  // the two model servers, each with a hand-made model on a free port) unless a test makes it fail.
  const switchboard = await startSwitchboard();
  const model = {
    dir: writeTestModel(path.join(dataDir, 'test-model')),
    port: 0,
    endpointUrl: switchboard.endpointUrl,
    breakerHalfOpenMs: BREAKER_HALF_OPEN_MS,
  };
  const insights = { dir: writeTestInsightsModel(path.join(dataDir, 'test-insights-model')) };
  const platform = await startPlatformOnFreePorts({ dataDir, seed: 'demo', model, insights }).catch(
    async (e: unknown) => {
      await switchboard.stop();
      log.restore();
      throw e;
    },
  );
  switchboard.setTarget(platform.sagemakerRuntimeUrl);
  const control = await startPlatformControl(platform);
  const killAll = () => {
    platform.pids.forEach((pid) => {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        /* gone */
      }
    });
    removeMemoryDatabase(dataDir);
  };
  process.once('exit', killAll);
  const info = platformInfo(platform, switchboard, control.url, logFile);
  const stop = async () => {
    await control.stop();
    await platform.stop();
    await switchboard.stop();
    process.off('exit', killAll);
    rmSync(dataDir, { recursive: true, force: true });
    log.restore();
    checkLog(logFile);
  };
  return { platform: info, stop };
}

/**
 * Every file's run, whatever it provoked (errors logged with their causes, declined payments, compensations), left
 * no credential or payment token in the handlers' logs: the run fails otherwise, and the log is kept to look at.
 */
function checkLog(logFile: string): void {
  const found = secretsIn(readFileSync(logFile, 'utf8'));
  if (found.length > 0)
    throw new Error(`The handlers logged secrets (log kept at ${logFile}):\n${found.slice(0, 20).join('\n')}`);
  rmSync(path.dirname(logFile), { recursive: true, force: true });
}
