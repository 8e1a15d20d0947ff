import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { freePort } from '../../lib/local/emulators';
import { startPlatform, type Platform } from '../../lib/local/platform';

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
  /** The environment the handlers run with, for tests that invoke handler modules directly. */
  env: Record<string, string>;
  sqsEndpoint: string;
  stepFunctionsEndpoint: string;
  orderSagaArn: string;
  compensationDeadLetterQueueUrl: string;
}

declare module 'vitest' {
  export interface ProvidedContext {
    platform: PlatformInfo;
  }
}

/** One local platform for the whole integration run, on free ports, stopped by pid however the run ends. */
export default async function setup(project: TestProject) {
  // Handlers log expected failures (declined payments, compensations) at WARN; tests provoke thousands.
  process.env.POWERTOOLS_LOG_LEVEL ??= 'ERROR';
  const dataDir = mkdtempSync(path.join(tmpdir(), 'ecicomm-test-'));
  const [port, dynamoPort, cognitoPort, sqsPort, stepFunctionsPort] = [await freePort(), await freePort(), await freePort(), await freePort(), await freePort()];
  const platform = await startPlatform({ port, dynamoPort, cognitoPort, sqsPort, stepFunctionsPort, sweepEverySeconds: 0, dataDir, persist: false, seed: 'demo' });
  const killAll = () => platform.pids.forEach((pid) => { try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ } });
  process.once('exit', killAll);
  project.provide('platform', {
    apiUrl: platform.apiUrl,
    dynamoEndpoint: platform.dynamoEndpoint,
    cognitoEndpoint: platform.cognitoEndpoint,
    region: platform.region,
    userPoolId: platform.userPoolId,
    clientId: platform.clientId,
    admin: platform.admin,
    tableNames: platform.tableNames,
    pids: platform.pids,
    env: platform.env,
    sqsEndpoint: platform.sqsEndpoint,
    stepFunctionsEndpoint: platform.stepFunctionsEndpoint,
    orderSagaArn: platform.orderSagaArn,
    compensationDeadLetterQueueUrl: platform.compensationDeadLetterQueueUrl,
  });
  return async () => {
    await platform.stop();
    process.off('exit', killAll);
    rmSync(dataDir, { recursive: true, force: true });
  };
}
