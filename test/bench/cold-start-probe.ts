/**
 * What one whole-process cold start runs: a fresh Node process that imports a handler's bundle and invokes it once,
 * as the Lambda runtime does, and the first request it is given.
 */
import { randomBytes } from 'node:crypto';
import type { Route } from '../../lib/routes';

/**
 * The child. Phases are read from performance.now() (ms since the process started): Node's start up to the probe's
 * first line, the bundle's import (init), the first invocation. The X-Ray trace header is set per invocation, as
 * Lambda sets it. CPU is the whole process's (user + system, all threads), from its start.
 */
/** How long the child waits, its figures taken, before it exits: not in any figure but the wall time. */
export const EXIT_DELAY_MS = 25;

export const COLD_START_PROBE = `const EXIT_DELAY_MS = ${EXIT_DELAY_MS};
const startMs = performance.now();
let error, status;
let importMs = NaN, invokeMs = NaN;
try {
  const t0 = performance.now();
  const m = await import(process.argv[2]);
  const t1 = performance.now();
  importMs = t1 - t0;
  process.env._X_AMZN_TRACE_ID = process.env.BENCH_TRACE_HEADER;
  const context = {
    awsRequestId: 'bench-cold-start', functionName: process.env.AWS_LAMBDA_FUNCTION_NAME, functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:eu-west-2:000000000000:function:bench', memoryLimitInMB: '512',
    logGroupName: '/aws/lambda/bench', logStreamName: 'bench', callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => 10000,
  };
  const result = await m.handler(JSON.parse(process.env.BENCH_EVENT), context);
  invokeMs = performance.now() - t1;
  status = result && result.statusCode;
} catch (e) {
  error = String((e && e.message) || e).split('\\n')[0];
}
const cpu = process.cpuUsage();
process.stdout.write('\\n' + JSON.stringify({ startMs, importMs, invokeMs, status, cpuMs: (cpu.user + cpu.system) / 1000, error }) + '\\n');
// X-Ray's UDP sends are asynchronous: let them leave before exiting (after the figures are taken).
setTimeout(() => process.exit(error ? 1 : 0), EXIT_DELAY_MS);
`;

/** A sampled trace header of a new trace, as Lambda passes it to a function with active tracing. */
export const traceHeader = () =>
  `Root=1-${Math.floor(Date.now() / 1000).toString(16)}-${randomBytes(12).toString('hex')};Parent=${randomBytes(8).toString('hex')};Sampled=1`;

/**
 * The first request: the route's method and path, with a body of `{`. A route that takes a JSON body answers 400
 * (not valid JSON), one that takes none answers 400 (takes no body): both are refused by the shared HTTP stack before
 * the handler runs, so the request needs no data and no network, and is the same for every route. It still runs what
 * every invocation runs: the middleware, the tracer (where on), the metrics flush and, for a state-changing method,
 * the audit write, which loads the Kinesis client and sends one PutRecord to a local stub endpoint.
 */
export function firstRequest(route: Route): Record<string, unknown> {
  const resource = route.path.replace(/^\/v1/, '');
  const pathParameters = Object.fromEntries([...resource.matchAll(/\{(\w+)\}/g)].map((m) => [m[1], 'bench']));
  const path = resource.replace(/\{(\w+)\}/g, 'bench');
  return {
    resource,
    path,
    httpMethod: route.method,
    headers: { 'content-type': 'application/json', 'x-request-id': 'bench-cold-start' },
    multiValueHeaders: {},
    queryStringParameters: null,
    multiValueQueryStringParameters: null,
    pathParameters: Object.keys(pathParameters).length ? pathParameters : null,
    stageVariables: null,
    isBase64Encoded: false,
    body: '{',
    requestContext: {
      accountId: '000000000000',
      apiId: 'bench',
      stage: 'v1',
      httpMethod: route.method,
      path: route.path,
      resourcePath: resource,
      protocol: 'HTTP/1.1',
      requestId: 'bench-cold-start',
      requestTimeEpoch: Date.now(),
      resourceId: route.id,
      identity: { sourceIp: '203.0.113.7', userAgent: 'bench' },
      authorizer: null,
    },
  };
}
