/**
 * npm run replay -- <fixture>  |  npm run replay -- [--function <id>] --event FILE
 *   events/apigw/<case>.json            invoke the route's handler with the API Gateway event
 *   events/sfn/<TaskState>/<case>.json  invoke one saga step's handler with that state
 *   events/sfn/execution/<case>.json    run a whole saga execution with that input and wait for its end
 *   events/dynamodb-stream/<case>.json  invoke the stream consumers of the table its records come from (each in turn)
 *   events/kinesis/<case>.json          invoke the consumers of the Kinesis stream its records come from
 * like `sam local invoke -e`, against the running local platform (`npm start`) or one it starts for the
 * call, and print the result. `--function <id>` names the function to invoke with the event as it is (any
 * event, any path); without it, the fixture's folder under events/ — or, elsewhere, the event's shape — says.
 * Every function is invoked through the platform's Lambda Invoke API, never in this process: the platform's
 * process owns what its functions share, such as the warehouse (PGlite).
 *
 * A saga fixture first gets the world it needs (lib/ops/replay/saga-givens.ts: its order PENDING, stock, the
 * steps before its own); an execution is reported as it really ended — CONFIRMED, or COMPENSATED with its
 * failure reason (exit 1) — whatever the state machine's status says. What a replay writes or hands to a
 * consumer is marked as test data, which the analytics loaders skip, unless --into-analytics.
 */
import path from 'node:path';
import { DescribeExecutionCommand, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { routes } from '../lib/routes';
import { orderSaga } from '../lib/saga';
import { consumersOfStreamEvent } from '../lib/ops/stream-consumers';
import { projectRoot } from '@ecicomm/local-platform/platform/project-root';
import type { Platform } from '@ecicomm/local-platform/platform';
import { findRunningPlatform } from '@ecicomm/local-platform/running-platform';
import { eventKind, httpResult, invocableFunction, type InvocableFunction } from '../lib/ops/replay-functions';
import { apiEventAsTestData, streamEventAsTestData } from '../lib/ops/replay/test-data';
import { givenSagaFixture, reportOfExecution } from '../lib/ops/replay/saga-fixture';
import { exitCodeOf } from '../lib/ops/replay/saga-outcome';
import { fixturePathOf } from '../lib/ops/replay/fixture-path';
import { command, EXIT, fail, readJsonFile, usageError } from './cli';

const usage =
  'events/apigw/<case>.json | events/sfn/<TaskState>/<case>.json | events/sfn/execution/<case>.json\n' +
  '  | events/dynamodb-stream/<case>.json | events/kinesis/<case>.json';
const program = command(
  'npm run replay --',
  'Invoke a function of the local platform with an event, as sam local invoke -e does, and print the result',
)
  .argument('[fixture]', `a fixture: ${usage}`)
  .option('--event <file>', 'the event to invoke with, anywhere (npm run generate-event writes one)')
  .option('--function <id>', 'the function to invoke (a route, stream consumer, saga task or job id)')
  .option(
    '--into-analytics',
    "let what the replay writes reach the analysts' figures (it is marked as test data otherwise)",
  )
  .addHelpText(
    'after',
    '\nexit codes: 0 invoked (whatever the function answered), 1 the replay failed or a checkout compensated, 2 bad usage or unreadable event',
  )
  .parse();
const cli = program.opts<{ event?: string; function?: string; intoAnalytics?: boolean }>();
if (program.args[0] && cli.event) usageError(program, 'name the event once: a fixture or --event FILE');
const file = program.args[0] ?? cli.event;
if (!file) usageError(program, 'name the event: a fixture or --event FILE');
const intoAnalytics = cli.intoAnalytics === true;
let named: InvocableFunction | undefined;
try {
  named = cli.function === undefined ? undefined : invocableFunction(cli.function);
} catch (e) {
  fail((e as Error).message);
}
const fixture = readJsonFile(file);
/** Where under events/ the fixture lives (`sfn/execution/visa.json`), when it lives under an events/ folder. */
const fixturePath = fixturePathOf(file) ?? file;
const [kind, group] = fixturePathOf(file) === undefined ? [eventKind(fixture)] : fixturePath.split('/');
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
  if (named) {
    const { id } = named;
    const event = intoAnalytics ? fixture : eventAsTestData(fixture);
    const run = async () => {
      const invoked = await invoke(id, event);
      return named?.kind === 'route' && 'output' in invoked ? httpResult(invoked.output) : invoked;
    };
    return [{ name: id, run }];
  }
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

/** Any event marked as test data by its shape (API Gateway, a table's stream, Kinesis); others as they are. */
function eventAsTestData(event: unknown): unknown {
  const shape = eventKind(event);
  if (shape === 'apigw') return apiEventAsTestData(event as APIGatewayProxyEvent);
  if (shape === 'dynamodb-stream' || shape === 'kinesis')
    return streamEventAsTestData(event, shape === 'kinesis' ? 'kinesis' : 'dynamodb');
  return event;
}

function target(): Target {
  if (kind === 'apigw') {
    const event = (intoAnalytics ? fixture : eventAsTestData(fixture)) as APIGatewayProxyEvent;
    const route = routes.find((r) => r.method === event.httpMethod && r.path.replace(/^\/v1/, '') === event.resource);
    if (!route)
      throw new Error(
        `No route serves ${event.httpMethod} ${event.resource}; fixtures carry the resource path without /v1`,
      );
    return {
      name: route.id,
      run: async () => {
        const invoked = await invoke(route.id, event);
        return 'output' in invoked ? httpResult(invoked.output) : invoked;
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
  if (!task)
    throw new Error(
      `Not a fixture replay knows: ${file}: name the function with --function <id> (npm run replay -- --help)`,
    );
  // A saga step's failure is an outcome the state machine acts on: shown as the state machine sees it.
  return {
    name: task.state,
    run: async () => {
      await givenSagaFixture(fixturePath, fixture, { invoke, intoAnalytics });
      return invoke(task.id, fixture);
    },
  };
}

let chosen: Target[] = [];
try {
  chosen = targets();
} catch (e) {
  fail((e as Error).message);
}
let started: Platform | undefined;
try {
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
  process.exitCode = EXIT.failed;
} finally {
  await started?.stop();
}
