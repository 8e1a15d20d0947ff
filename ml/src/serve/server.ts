/**
 * The model server: the SageMaker container contract in front of `recommend()`.
 *
 * - `GET /ping`: 200 once a model is loaded, 503 before (SageMaker sends traffic only after a 200).
 * - `POST /invocations`: the container contract. JSON in, JSON out; bad input → 400 with a message.
 * - `POST /endpoints/{name}/invocations`: what the SageMaker *runtime* answers, so that
 *   `@aws-sdk/client-sagemaker-runtime` InvokeEndpoint works against this server with an endpoint
 *   override (the local substrate, tests). It behaves as the runtime does in front of a container: the
 *   production variant that answered in `x-Amzn-Invoked-Production-Variant`, a request id, a
 *   `X-Amzn-SageMaker-Target-Variant` naming another variant refused, and a container error (4xx/5xx)
 *   wrapped as a 424 `ModelError` carrying `OriginalStatusCode` and `OriginalMessage` — the error the
 *   SDK raises in AWS, so callers handle one shape in both places.
 *
 * Plain node:http: one JSON route does not need a framework, and the p99 target (≤ 20 ms) leaves no room
 * for one's overhead to hide in.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as z from 'zod';
import { recommend, type ModelArtifact, type RecommendationRequest } from '../model';

/** SageMaker real-time endpoints take payloads up to 6 MB. */
export const MAX_PAYLOAD_BYTES = 6 * 1024 * 1024;
/** The variant name SageMaker gives an endpoint's only variant when none is chosen. */
export const DEFAULT_VARIANT = 'AllTraffic';

const ProductId = z.string().min(1, 'Must not be empty').max(128, 'Must be at most 128 characters');

/** The invocation body (ml/src/model.ts RecommendationRequest). Unknown fields are refused: a typo is not silently ignored. */
export const InvocationRequest = z.strictObject({
  userId: z.optional(z.string().min(1).max(128)),
  history: z
    .array(
      z.strictObject({
        productId: ProductId,
        quantity: z.optional(
          z.int('Must be a whole number').min(1, 'Must be at least 1').max(1_000_000, 'Must be at most 1000000'),
        ),
        at: z.optional(
          z
            .string()
            .max(40)
            .refine((s) => !Number.isNaN(Date.parse(s)), 'Must be an ISO 8601 date-time'),
        ),
      }),
    )
    .max(10_000, 'At most 10000 history lines'),
  productId: z.optional(ProductId),
  k: z.int('Must be a whole number').min(1, 'Must be at least 1').max(500, 'Must be at most 500'),
  exclude: z.optional(z.array(ProductId).max(10_000, 'At most 10000 excluded products')),
});

export interface ModelServerOptions {
  /** Production variant reported in `x-Amzn-Invoked-Production-Variant`. */
  variant?: string;
  /** When set, the runtime path answers only this endpoint name (others: 400 ValidationError, as SageMaker does). */
  endpointName?: string;
  /** Serve this model from the start; otherwise /ping is 503 until `load`. */
  model?: ModelArtifact;
  maxPayloadBytes?: number;
}

export interface ModelServer {
  readonly server: Server;
  readonly variant: string;
  /** The model being served, once loaded. */
  readonly model: ModelArtifact | undefined;
  /** Starts (or switches to) serving this model; /ping turns 200. */
  load(model: ModelArtifact): void;
  /** Listens on 127.0.0.1 (or `host`); port 0 picks a free one. Resolves with the URL. */
  listen(port: number, host?: string): Promise<{ port: number; url: string }>;
  close(): Promise<void>;
}

/** An answer of the container: status and JSON body. */
interface Answer {
  status: number;
  body: unknown;
}

const RUNTIME_PATH = /^\/endpoints\/([^/]+)\/invocations\/?$/;

function readBody(req: IncomingMessage, limit: number): Promise<Buffer | 'too-large'> {
  return new Promise((resolve, reject) => {
    if (Number(req.headers['content-length'] ?? 0) > limit) {
      req.resume();
      return resolve('too-large');
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) over = true;
      else chunks.push(chunk);
    });
    req.once('end', () => resolve(over ? 'too-large' : Buffer.concat(chunks)));
    req.once('error', reject);
  });
}

/** JSON, or a +json type; a missing Content-Type is taken as JSON (the body is still parsed and validated). */
const isJsonType = (contentType: string | undefined) =>
  contentType === undefined || /^application\/([\w.+-]+\+)?json\s*(;|$)/i.test(contentType.trim());

/** What a request is answered with: the server's settings and the model it serves now. */
interface Serving {
  options: ModelServerOptions;
  variant: string;
  limit: number;
  model(): ModelArtifact | undefined;
}

export function createModelServer(options: ModelServerOptions = {}): ModelServer {
  const variant = options.variant ?? DEFAULT_VARIANT;
  const limit = options.maxPayloadBytes ?? MAX_PAYLOAD_BYTES;
  let model = options.model;
  const serving: Serving = { options, variant, limit, model: () => model };

  const server = createServer((req, res) => {
    handle(req, res, serving).catch((error: unknown) => {
      // Only a fault of the server itself lands here (scoring bugs included): a 500, the details logged.
      console.error('model server error', error);
      if (!res.headersSent) send(res, 500, { message: 'Internal error' });
      else res.destroy();
    });
  });
  // Callers keep connections alive (the SDK's agent, load generators): outlive their idle timeouts.
  server.keepAliveTimeout = 65_000;

  return {
    server,
    variant,
    get model() {
      return model;
    },
    load(next) {
      model = next;
    },
    listen(port, host = '127.0.0.1') {
      return new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          server.off('error', reject);
          const bound = (server.address() as AddressInfo).port;
          resolve({ port: bound, url: `http://${host}:${bound}` });
        });
      });
    },
    close() {
      return new Promise((resolve) => {
        if (!server.listening) return resolve();
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}

/** The container's own answer to an invocation. */
async function invoke(req: IncomingMessage, { model: current, limit }: Serving): Promise<Answer> {
  const model = current();
  if (!model) return { status: 503, body: { message: 'The model is not loaded yet' } };
  if (!isJsonType(req.headers['content-type'])) {
    return {
      status: 415,
      body: { message: `Content-Type must be application/json, got ${req.headers['content-type']}` },
    };
  }
  const raw = await readBody(req, limit);
  if (raw === 'too-large') return { status: 413, body: { message: `Payload exceeds ${limit} bytes` } };
  let json: unknown;
  try {
    json = JSON.parse(raw.toString('utf8'));
  } catch {
    return { status: 400, body: { message: 'Request body is not valid JSON' } };
  }
  const parsed = InvocationRequest.safeParse(json);
  if (!parsed.success) {
    const details = parsed.error.issues.map((i) => ({ path: i.path.map(String).join('.'), message: i.message }));
    const first = details[0]!;
    return {
      status: 400,
      body: { message: `Invalid request: ${first.path ? `${first.path}: ` : ''}${first.message}`, details },
    };
  }
  return { status: 200, body: recommend(model, parsed.data as RecommendationRequest) };
}

const send = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
};

/** A SageMaker runtime error as the SDK parses it: the type in x-amzn-errortype, the fields in the body. */
const runtimeError = (
  res: ServerResponse,
  status: number,
  type: string,
  body: Record<string, unknown>,
  requestId: string,
) => send(res, status, body, { 'x-amzn-errortype': type, 'x-amzn-requestid': requestId });

async function handle(req: IncomingMessage, res: ServerResponse, serving: Serving) {
  const url = new URL(req.url ?? '/', 'http://model');
  const variantHeader = { 'x-Amzn-Invoked-Production-Variant': serving.variant };

  if (url.pathname === '/ping') {
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, { message: 'Use GET /ping' });
    const model = serving.model();
    return model
      ? send(res, 200, { status: 'ok', modelVersion: model.version })
      : send(res, 503, { status: 'loading' });
  }

  if (url.pathname === '/invocations') {
    if (req.method !== 'POST') return send(res, 405, { message: 'Use POST /invocations' });
    const answer = await invoke(req, serving);
    return send(res, answer.status, answer.body, variantHeader);
  }

  const runtime = RUNTIME_PATH.exec(url.pathname);
  if (runtime) return answerAsRuntime(req, res, runtime[1]!, serving);

  req.resume();
  return send(res, 404, { message: `No route for ${req.method} ${url.pathname}` });
}

/** POST /endpoints/{name}/invocations, as the SageMaker runtime answers in front of the container. */
async function answerAsRuntime(req: IncomingMessage, res: ServerResponse, encodedName: string, serving: Serving) {
  const { options, variant } = serving;
  const variantHeader = { 'x-Amzn-Invoked-Production-Variant': variant };
  const requestId = randomUUID();
  if (req.method !== 'POST') return runtimeError(res, 405, 'ValidationError', { message: 'Use POST' }, requestId);
  let endpointName: string;
  try {
    endpointName = decodeURIComponent(encodedName);
  } catch {
    return runtimeError(
      res,
      400,
      'ValidationError',
      { message: 'The endpoint name is not validly percent-encoded' },
      requestId,
    );
  }
  if (options.endpointName !== undefined && endpointName !== options.endpointName) {
    req.resume();
    return runtimeError(res, 400, 'ValidationError', { message: `Endpoint ${endpointName} not found.` }, requestId);
  }
  const target = req.headers['x-amzn-sagemaker-target-variant'];
  if (typeof target === 'string' && target !== variant) {
    req.resume();
    return runtimeError(
      res,
      400,
      'ValidationError',
      { message: `Variant ${target} not found for endpoint ${endpointName}.` },
      requestId,
    );
  }
  if (!serving.model()) {
    req.resume();
    return runtimeError(
      res,
      503,
      'ServiceUnavailable',
      { message: `Endpoint ${endpointName} is not ready: the model is still loading.` },
      requestId,
    );
  }
  const answer = await invoke(req, serving);
  if (answer.status === 200) return send(res, 200, answer.body, { ...variantHeader, 'x-amzn-requestid': requestId });
  const originalMessage = JSON.stringify(answer.body);
  const kind = answer.status < 500 ? 'client' : 'server';
  return runtimeError(
    res,
    424,
    'ModelError',
    {
      ErrorCode: `${kind.toUpperCase()}_ERROR_FROM_MODEL`,
      Message: `Received ${kind} error (${answer.status}) from primary with message "${originalMessage}".`,
      OriginalMessage: originalMessage,
      OriginalStatusCode: answer.status,
    },
    requestId,
  );
}
