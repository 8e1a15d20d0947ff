/**
 * npm run replay -- <fixture>
 *   events/apigw/<case>.json            invoke the route's handler with the API Gateway event
 *   events/sfn/<TaskState>/<case>.json  invoke one saga step's handler with that state
 *   events/sfn/execution/<case>.json    run a whole saga execution with that input and wait for its end
 * like `sam local invoke -e`, against the running local platform (`npm start`) or one it starts for the
 * call, and print the result.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { DescribeExecutionCommand, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { routes } from '../lib/routes';
import { orderSaga } from '../lib/saga';
import { localInvoker } from '../lib/local/lambda-context';
import { projectRoot, runtimeFile, startPlatform, type Platform } from '../lib/local/platform';

const { positionals } = parseArgs({ allowPositionals: true });
const file = positionals[0];
if (!file) {
  console.error('usage: npm run replay -- events/apigw/<case>.json | events/sfn/<TaskState>/<case>.json | events/sfn/execution/<case>.json');
  process.exit(2);
}
const fixture = JSON.parse(readFileSync(path.resolve(file), 'utf8')) as unknown;
const [kind, group] = path.relative(path.join(projectRoot, 'events'), path.resolve(file)).split(path.sep);

/** What the fixture runs, decided before any platform starts, so a bad fixture fails fast. */
function target(): { name: string; run: () => Promise<unknown> } {
  if (kind === 'apigw') {
    const event = fixture as APIGatewayProxyEvent;
    const route = routes.find((r) => r.method === event.httpMethod && r.path.replace(/^\/v1/, '') === event.resource);
    if (!route) throw new Error(`No route serves ${event.httpMethod} ${event.resource}; fixtures carry the resource path without /v1`);
    return {
      name: route.id,
      run: async () => {
        const result = (await localInvoker(projectRoot, route)(event)) as { statusCode: number; headers?: unknown; body: string };
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
        const sfn = new SFNClient({});
        const { executionArn } = await sfn.send(
          new StartExecutionCommand({ stateMachineArn: process.env.ORDER_SAGA_ARN, name: `replay-${Date.now()}`, input: JSON.stringify(fixture) }),
        );
        for (;;) {
          const execution = await sfn.send(new DescribeExecutionCommand({ executionArn }));
          if (execution.status !== 'RUNNING') {
            return { status: execution.status, output: execution.output ? JSON.parse(execution.output) : undefined, error: execution.error, cause: execution.cause };
          }
          await new Promise((r) => setTimeout(r, 200));
        }
      },
    };
  }
  const task = kind === 'sfn' ? orderSaga.tasks.find((t) => t.state === group) : undefined;
  if (!task) throw new Error(`Not a fixture replay knows: ${file} (expected events/apigw/, events/sfn/<TaskState>/ or events/sfn/execution/)`);
  return {
    name: task.state,
    run: async () => {
      try {
        return { output: await localInvoker(projectRoot, task)(fixture) };
      } catch (e) {
        // A saga step's failure is an outcome the state machine acts on: show it as the state machine sees it.
        return { error: (e as Error).name, cause: (e as Error).message };
      }
    },
  };
}

let started: Platform | undefined;
try {
  const { name, run } = target();
  const dataDir = path.resolve(projectRoot, process.env.LOCAL_DATA_DIR ?? '.local');
  const running = existsSync(runtimeFile(dataDir))
    ? (JSON.parse(readFileSync(runtimeFile(dataDir), 'utf8')) as { apiUrl: string; env: Record<string, string> })
    : undefined;
  const alive = running && (await fetch(`${running.apiUrl}/v1/health`).then(() => true, () => false));
  if (alive) {
    Object.assign(process.env, running.env);
    console.error(`Using the local platform at ${running.apiUrl}`);
  } else {
    console.error('No local platform is running; starting one for this call…');
    started = await startPlatform({
      dataDir,
      port: Number(process.env.PORT ?? 3000),
      seed: 'dataset',
      datasetDir: path.resolve(projectRoot, process.env.DATASET_DIR ?? '../shared/data/online-retail'),
    });
  }
  console.log(JSON.stringify({ target: name, ...((await run()) as object) }, null, 2));
} catch (e) {
  console.error((e as Error).message);
  process.exitCode = 1;
} finally {
  await started?.stop();
}
