/**
 * npm run replay -- events/apigw/<case>.json [--platform]
 * Invokes the handler the event belongs to, like `sam local invoke -e`, against the running local
 * platform (`npm start`), or one it starts for the call, and prints the response.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { routes } from '../lib/routes';
import { lambdaContext } from '../lib/local/lambda-context';
import { projectRoot, runtimeFile, startPlatform, type Platform } from '../lib/local/platform';

const { positionals } = parseArgs({ allowPositionals: true });
const file = positionals[0];
if (!file) {
  console.error('usage: npm run replay -- events/apigw/<case>.json');
  process.exit(2);
}

const event = JSON.parse(readFileSync(path.resolve(file), 'utf8')) as APIGatewayProxyEvent;
const route = routes.find((r) => r.method === event.httpMethod && r.path.replace(/^\/v1/, '') === event.resource);
if (!route) {
  console.error(`No route serves ${event.httpMethod} ${event.resource}; fixtures carry the resource path without /v1`);
  process.exit(2);
}

const dataDir = path.resolve(projectRoot, process.env.LOCAL_DATA_DIR ?? '.local');
let started: Platform | undefined;
const running = existsSync(runtimeFile(dataDir))
  ? (JSON.parse(readFileSync(runtimeFile(dataDir), 'utf8')) as { apiUrl: string; env: Record<string, string> })
  : undefined;
const alive = running && (await fetch(`${running.apiUrl}/v1/health`).then(() => true, () => false));

try {
  if (alive) {
    Object.assign(process.env, running.env);
    console.error(`Using the local platform at ${running.apiUrl}`);
  } else {
    console.error('No local platform is running; starting one for this call…');
    started = await startPlatform({ dataDir, port: Number(process.env.PORT ?? 3000), seed: 'dataset', datasetDir: path.resolve(projectRoot, process.env.DATASET_DIR ?? '../shared/data/online-retail') });
  }
  const module = (await import(pathToFileURL(path.join(projectRoot, route.handler)).href)) as {
    handler: (e: APIGatewayProxyEvent, c: Context) => Promise<APIGatewayProxyResult>;
  };
  const result = await module.handler(event, lambdaContext(route.id));
  let body: unknown = result.body;
  try {
    body = JSON.parse(result.body);
  } catch {
    // Not JSON: print as is.
  }
  console.log(JSON.stringify({ route: route.id, statusCode: result.statusCode, headers: result.headers, body }, null, 2));
} finally {
  await started?.stop();
}
