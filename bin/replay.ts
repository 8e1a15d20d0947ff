/**
 * npm run replay -- <fixture>
 *   events/apigw/<case>.json            invoke the route's handler with the API Gateway event
 *   events/sfn/<TaskState>/<case>.json  invoke one saga step's handler with that state
 *   events/sfn/execution/<case>.json    run a whole saga execution with that input and wait for its end
 *   events/dynamodb-stream/<case>.json  invoke the stream consumers of the table its records come from (each in turn)
 *   events/kinesis/<case>.json          invoke the consumers of the Kinesis stream its records come from
 * like `sam local invoke -e`, against the running local platform (`npm start`) or one it starts for the
 * call, and print the result. Every function is invoked through the platform's Lambda Invoke API, never in
 * this process: the platform's process owns what its functions share, such as the warehouse (PGlite).
 *
 * A saga fixture first gets the world it needs (lib/ops/replay/saga-givens.ts: its order PENDING, stock, the
 * steps before its own); an execution is reported as it really ended — CONFIRMED, or COMPENSATED with its
 * failure reason (exit 1) — whatever the state machine's status says. What a replay writes or hands to a
 * consumer is marked as test data, which the analytics loaders skip, unless --into-analytics.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { DescribeExecutionCommand, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { routes } from '../lib/routes';
import { orderSaga } from '../lib/saga';
import { consumersOfStreamEvent } from '../lib/ops/stream-consumers';
import { projectRoot } from '@ecicomm/local-platform/platform/project-root';
import type { Platform } from '@ecicomm/local-platform/platform';
import { findRunningPlatform } from '@ecicomm/local-platform/running-platform';
import { apiEventAsTestData, streamEventAsTestData } from '../lib/ops/replay/test-data';
import { givenSagaFixture, reportOfExecution } from '../lib/ops/replay/saga-fixture';
import { exitCodeOf } from '../lib/ops/replay/saga-outcome';
import { fixturePathOf } from '../lib/ops/replay/fixture-path';

const usage =
  'usage: npm run replay -- [--into-analytics] events/apigw/<case>.json | events/sfn/<TaskState>/<case>.json | events/sfn/execution/<case>.json\n' +
  '                         | events/dynamodb-stream/<case>.json | events/kinesis/<case>.json';
const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: { 'into-analytics': { type: 'boolean', default: false } },
});
const intoAnalytics = values['into-analytics'];
const file = positionals[0];
if (!file) {
  console.error(usage);
  process.exit(2);
}
const fixture = JSON.parse(readFileSync(path.resolve(file), 'utf8')) as unknown;
const fixturePath = fixturePathOf(file) ?? file;
const [kind, group] = fixturePath.split('/');
/** The running platform's (or the started one's) Lambda Invoke API. */
let lambdaEndpoint: string | undefined;

/**
 * Invokes a function of the platform by name through its Lambda Invoke API, as another process would invoke
 * a deployed function: its result, or its error as Lambda reports it (for a saga step, the error name the
 * state machine catches).
 */
async function invoke(
  functionName: string,
  event: unknown,
): Promise<{ output: unknown } | { error?: string; cause?: string }> {
  const lambda = new LambdaClient({ endpoint: lambdaEndpoint });
  try {
    const out = await lambda.send(
      new InvokeCommand({ FunctionName: functionName, Payload: new TextEncoder().encode(JSON.stringify(event)) }),
    );
    const payload = out.Payload?.length ? (JSON.parse(new TextDecoder().decode(out.Payload)) as unknown) : undefined;
    if (out.FunctionError) {
      const error = payload as { errorType?: string; errorMessage?: string };
      return { error: error.errorType, cause: error.errorMessage };
    }
    return { output: payload };
  } finally {
    lambda.destroy();
  }
}

type Target = { name: string; run: () => Promise<unknown> };

/** What the fixture runs (a stream's records, every consumer of that stream), decided before any platform starts, so a bad fixture fails fast. */
function targets(): Target[] {
  if (kind === 'dynamodb-stream' || kind === 'kinesis') {
    const source = kind === 'kinesis' ? 'kinesis' : 'dynamodb';
    const event = intoAnalytics ? fixture : streamEventAsTestData(fixture, source);
    return consumersOfStreamEvent(fixture, source).map((consumer) => ({
      name: consumer.id,
      run: () => invoke(consumer.id, event),
    }));
  }
  return [target()];
}

function target(): Target {
  if (kind === 'apigw') {
    const event = intoAnalytics
      ? (fixture as APIGatewayProxyEvent)
      : apiEventAsTestData(fixture as APIGatewayProxyEvent);
    const route = routes.find((r) => r.method === event.httpMethod && r.path.replace(/^\/v1/, '') === event.resource);
    if (!route)
      throw new Error(
        `No route serves ${event.httpMethod} ${event.resource}; fixtures carry the resource path without /v1`,
      );
    return {
      name: route.id,
      run: async () => {
        const invoked = await invoke(route.id, event);
        if (!('output' in invoked)) return invoked;
        const result = invoked.output as { statusCode: number; headers?: unknown; body: string };
        let body: unknown = result.body;
        try {
          body = JSON.parse(result.body);
        } catch {
          // Not JSON: print as is.
        }
        return { statusCode: result.statusCode, headers: result.headers, body };
      },
    };
  }
  if (kind === 'sfn' && group === 'execution') {
    return {
      name: `${orderSaga.name} execution`,
      run: async () => {
        const orderId = await givenSagaFixture(fixturePath, fixture, { invoke, intoAnalytics });
        const sfn = new SFNClient({});
        const { executionArn } = await sfn.send(
          new StartExecutionCommand({
            stateMachineArn: process.env.ORDER_SAGA_ARN,
            name: `replay-${Date.now()}`,
            input: JSON.stringify(fixture),
          }),
        );
        for (;;) {
          const execution = await sfn.send(new DescribeExecutionCommand({ executionArn }));
          if (execution.status !== 'RUNNING') {
            const output = execution.output ? (JSON.parse(execution.output) as unknown) : undefined;
            const report = await reportOfExecution({ status: execution.status, output }, orderId);
            process.exitCode = exitCodeOf(report);
            return { ...report, status: execution.status, output, error: execution.error, cause: execution.cause };
          }
          await new Promise((r) => setTimeout(r, 200));
        }
      },
    };
  }
  const task = kind === 'sfn' ? orderSaga.tasks.find((t) => t.state === group) : undefined;
  if (!task) throw new Error(`Not a fixture replay knows: ${file}\n${usage}`);
  // A saga step's failure is an outcome the state machine acts on: shown as the state machine sees it.
  return {
    name: task.state,
    run: async () => {
      await givenSagaFixture(fixturePath, fixture, { invoke, intoAnalytics });
      return invoke(task.id, fixture);
    },
  };
}

let started: Platform | undefined;
try {
  const chosen = targets();
  const dataDir = path.resolve(projectRoot, process.env.LOCAL_DATA_DIR ?? '.local');
  const running = await findRunningPlatform(dataDir);
  if (running) {
    Object.assign(process.env, running.env);
    lambdaEndpoint = running.lambdaEndpoint;
    console.error(`Using the local platform at ${running.apiUrl}`);
  } else {
    console.error('No local platform is running; starting one for this call…');
    // Loaded only here: the whole local platform takes seconds to import, and a running one needs none of it.
    const { startPlatform } = await import('@ecicomm/local-platform/platform');
    started = await startPlatform({
      dataDir,
      port: Number(process.env.PORT ?? 3000),
      seed: 'dataset',
      datasetDir: path.resolve(projectRoot, process.env.DATASET_DIR ?? '../shared/data/online-retail'),
    });
    lambdaEndpoint = started.lambdaEndpoint;
  }
  for (const { name, run } of chosen)
    console.log(JSON.stringify({ target: name, ...((await run()) as object) }, null, 2));
} catch (e) {
  console.error((e as Error).message);
  process.exitCode = 1;
} finally {
  await started?.stop();
}
