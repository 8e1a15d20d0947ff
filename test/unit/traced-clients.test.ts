/**
 * Every SDK client a function makes is captured by the tracer, so X-Ray shows each DynamoDB, Kinesis, S3, Step
 * Functions... call as a subsegment. Checked on the clients themselves: capturing adds the X-Ray SDK's middleware to
 * the client's middleware stack, and a traced request carries the invocation's trace header. The tracer is on only in
 * a Lambda execution environment with tracing enabled, and is loaded only there, on first need
 * (functions/shared/tracing.ts): clients made before it loads (at init) are captured when it does, and a request sent
 * before it has loaded waits for it and is traced all the same.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';

const root = fileURLToPath(new URL('../../', import.meta.url));
const saved = { ...process.env };
const XRAY_MIDDLEWARE = 'XRaySDKInstrumentation';
const TRACE_ROOT = '1-5759e988-bd862e3fe1be46a994272793';

let clients: typeof import('../../functions/shared/clients');
/** The factories' clients, made before the tracer has loaded, as a handler makes them at init. */
let madeAtInit: [string, { middlewareStack: { identify(): string[] } }][];

beforeAll(async () => {
  Object.assign(process.env, {
    AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x',
    LAMBDA_TASK_ROOT: root,
    POWERTOOLS_TRACE_ENABLED: 'true',
    // Not the global http patch: later files in this worker make plain HTTP requests outside any segment.
    POWERTOOLS_TRACER_CAPTURE_HTTPS_REQUESTS: 'false',
    AWS_REGION: 'eu-west-1',
    // What Lambda sets for each invocation of a traced function: the X-Ray SDK's segment comes from it.
    _X_AMZN_TRACE_ID: `Root=${TRACE_ROOT};Parent=53995c3f42cd8ad8;Sampled=1`,
    // Nowhere: segments are sent over UDP, fire and forget.
    AWS_XRAY_DAEMON_ADDRESS: '127.0.0.1:9',
  });
  clients = await import('../../functions/shared/clients');
  madeAtInit = [
    ['dynamoClient', clients.dynamoClient()],
    ['dynamoDocumentClient', clients.dynamoDocumentClient()],
    ['kinesisClient', clients.kinesisClient()],
    ['s3Client', clients.s3Client()],
  ];
});

afterAll(() => {
  for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
  Object.assign(process.env, saved);
});

const middlewareNames = (client: { middlewareStack: { identify(): string[] } }) => client.middlewareStack.identify();
const isCaptured = (client: { middlewareStack: { identify(): string[] } }) =>
  middlewareNames(client).some((n) => n.startsWith(XRAY_MIDDLEWARE));

describe('the shared client factories', () => {
  it('do not load the tracer by making a client: the clients wait to be captured', () => {
    for (const [name, client] of madeAtInit) expect([name, isCaptured(client)]).toEqual([name, false]);
  });

  it('a request sent before the tracer has loaded waits for it and carries the trace', async () => {
    const headers: Record<string, string>[] = [];
    const client = clients.traced(
      new DynamoDBClient({
        region: 'eu-west-1',
        credentials: { accessKeyId: 'unit', secretAccessKey: 'unit' },
        requestHandler: {
          handle: async (request: { headers: Record<string, string> }) => {
            headers.push(request.headers);
            return {
              response: {
                statusCode: 200,
                headers: { 'content-type': 'application/x-amz-json-1.0' },
                body: new TextEncoder().encode('{"TableNames":[]}'),
              },
            };
          },
        } as never,
      }),
    );
    await expect(client.send(new ListTablesCommand({}))).resolves.toMatchObject({ TableNames: [] });
    expect(headers).toHaveLength(1);
    expect(headers[0]['X-Amzn-Trace-Id'] ?? headers[0]['x-amzn-trace-id']).toContain(`Root=${TRACE_ROOT}`);
    // Captured for its later requests: X-Ray's middleware is on its stack, once, and the stand-in is gone.
    expect(middlewareNames(client).filter((n) => n.startsWith(XRAY_MIDDLEWARE))).toHaveLength(1);
    expect(middlewareNames(client).some((n) => n.startsWith('ecicommCaptureOnLoad'))).toBe(false);
  });

  it.each(['dynamoClient', 'dynamoDocumentClient', 'kinesisClient', 's3Client'])(
    '%s, made before the tracer loaded, was captured when it loaded',
    (name) => {
      const client = madeAtInit.find(([n]) => n === name)![1];
      expect(isCaptured(client)).toBe(true);
    },
  );
});

/** Every .ts file under a folder. */
const sources = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sources(path.join(dir, e.name)) : e.name.endsWith('.ts') ? [path.join(dir, e.name)] : [],
  );

describe('the functions', () => {
  it('create every AWS SDK client through traced(), wherever they create one', () => {
    const untraced = sources(path.join(root, 'functions')).flatMap((file) => {
      const text = readFileSync(file, 'utf8');
      // An SDK v3 client class: `new <Service>Client(`; the OpenSearch client (`new Client(`) is traced as HTTPS.
      return [...text.matchAll(/new ([A-Za-z0-9]+Client)\(/g)]
        .filter((m) => !/traced\(\s*$/.test(text.slice(Math.max(0, m.index - 40), m.index)))
        .map((m) => `${path.relative(root, file)}: ${m[1]}`);
    });
    expect(untraced).toEqual([]);
  });

  it('traced() captures a client made outside the factories, once the tracer has loaded, at once', async () => {
    const { SFNClient } = await import('@aws-sdk/client-sfn');
    expect(isCaptured(clients.traced(new SFNClient({})))).toBe(true);
  });
});
