/**
 * The model server: the SageMaker container contract in front of whichever model its artifact is
 * (./models.ts: recommendations or demand insights, told apart by the artifact's `format`).
 *
 * - `GET /ping`: 200 once a model is loaded, 503 before (SageMaker sends traffic only after a 200).
 * - `POST /invocations`: the container contract. JSON in, JSON out; bad input → 400 with a message.
 * - `POST /endpoints/{name}/invocations`: what the SageMaker *runtime* answers (./runtime.ts), so that
 *   `@aws-sdk/client-sagemaker-runtime` InvokeEndpoint works against this server with an endpoint
 *   override. Several endpoints behind one runtime URL: ./router.ts.
 *
 * Plain node:http: one JSON route does not need a framework, and the p99 target (≤ 20 ms) leaves no room
 * for one's overhead to hide in.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { closeServer, guarded, listenOn, send } from './http';
import { invoke, type Serving } from './invoke';
import type { ServedModel } from './models';
import { answerAsRuntime, RUNTIME_PATH } from './runtime';

export { InvocationRequest, type ServedModel } from './models';

/** SageMaker real-time endpoints take payloads up to 6 MB. */
export const MAX_PAYLOAD_BYTES = 6 * 1024 * 1024;
/** The variant name SageMaker gives an endpoint's only variant when none is chosen. */
export const DEFAULT_VARIANT = 'AllTraffic';

export interface ModelServerOptions {
  /** Production variant reported in `x-Amzn-Invoked-Production-Variant`. */
  variant?: string;
  /** When set, the runtime path answers only this endpoint name (others: 400 ValidationError, as SageMaker does). */
  endpointName?: string;
  /** Serve this model from the start; otherwise /ping is 503 until `load`. */
  model?: ServedModel;
  maxPayloadBytes?: number;
}

export interface ModelServer {
  readonly server: Server;
  readonly variant: string;
  /** The model being served, once loaded. */
  readonly model: ServedModel | undefined;
  /** What its invocations are answered with: for a runtime router (./router.ts) in front of it. */
  readonly serving: Serving;
  /** Starts (or switches to) serving this model; /ping turns 200. */
  load(model: ServedModel): void;
  /** Listens on 127.0.0.1 (or `host`); port 0 picks a free one. Resolves with the URL. */
  listen(port: number, host?: string): Promise<{ port: number; url: string }>;
  close(): Promise<void>;
}

export function createModelServer(options: ModelServerOptions = {}): ModelServer {
  const variant = options.variant ?? DEFAULT_VARIANT;
  const limit = options.maxPayloadBytes ?? MAX_PAYLOAD_BYTES;
  let model = options.model;
  const serving: Serving = { variant, limit, model: () => model };
  const server = createServer(guarded('model server', (req, res) => handle(req, res, serving, options.endpointName)));
  // Callers keep connections alive (the SDK's agent, load generators): outlive their idle timeouts.
  server.keepAliveTimeout = 65_000;

  return {
    server,
    variant,
    serving,
    get model() {
      return model;
    },
    load(next) {
      model = next;
    },
    listen: (port, host) => listenOn(server, port, host),
    close: () => closeServer(server),
  };
}

async function handle(req: IncomingMessage, res: ServerResponse, serving: Serving, endpointName: string | undefined) {
  const url = new URL(req.url ?? '/', 'http://model');

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
    return send(res, answer.status, answer.body, { 'x-Amzn-Invoked-Production-Variant': serving.variant });
  }

  const runtime = RUNTIME_PATH.exec(url.pathname);
  if (runtime)
    return answerAsRuntime(req, res, runtime[1], (name) =>
      endpointName === undefined || name === endpointName ? serving : undefined,
    );

  req.resume();
  return send(res, 404, { message: `No route for ${req.method} ${url.pathname}` });
}
