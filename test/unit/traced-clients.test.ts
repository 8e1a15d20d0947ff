/**
 * Every SDK client a function makes is captured by the tracer, so X-Ray shows each DynamoDB, Kinesis, S3, Step
 * Functions... call as a subsegment. Checked on the clients themselves: capturing adds the X-Ray SDK's middleware to
 * the client's middleware stack. The tracer is on only in a Lambda execution environment with tracing enabled, and
 * reads that once, when it is built: the environment is set before the shared modules load.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';

const root = fileURLToPath(new URL('../../', import.meta.url));
const saved = { ...process.env };
const XRAY_MIDDLEWARE = 'XRaySDKInstrumentation';

let clients: typeof import('../../functions/shared/clients');

beforeAll(async () => {
  Object.assign(process.env, {
    AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x',
    POWERTOOLS_TRACE_ENABLED: 'true',
    // Not the global http patch: later files in this worker make plain HTTP requests outside any segment.
    POWERTOOLS_TRACER_CAPTURE_HTTPS_REQUESTS: 'false',
    AWS_REGION: 'eu-west-1',
  });
  clients = await import('../../functions/shared/clients');
});

afterAll(() => {
  for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
  Object.assign(process.env, saved);
});

const middlewareNames = (client: { middlewareStack: { identify(): string[] } }) => client.middlewareStack.identify();

describe('the shared client factories', () => {
  it.each([
    ['dynamoClient', () => clients.dynamoClient()],
    ['dynamoDocumentClient', () => clients.dynamoDocumentClient()],
    ['kinesisClient', () => clients.kinesisClient()],
    ['s3Client', () => clients.s3Client()],
  ])('%s returns a client captured by the tracer', (_name, make) => {
    expect(middlewareNames(make()).some((n) => n.startsWith(XRAY_MIDDLEWARE))).toBe(true);
  });
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

  it('traced() captures a client made outside the factories too', async () => {
    const { SFNClient } = await import('@aws-sdk/client-sfn');
    expect(middlewareNames(clients.traced(new SFNClient({}))).some((n) => n.startsWith(XRAY_MIDDLEWARE))).toBe(true);
  });
});
