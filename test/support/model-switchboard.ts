/**
 * A fault-injecting stand-in for the SageMaker runtime endpoint, for the integration suite: the local
 * platform's recommendations function calls it (PlatformOptions.model.endpointUrl), and it passes each
 * request on to the real model server — or, as the test in charge sets it, is down (the port closed:
 * connections refused), slow, or answers garbage or errors. It counts the requests that reach it and
 * keeps the last body, so a test can tell a request the breaker stopped from one that got through, and
 * see the history the function sent.
 *
 * The global setup runs it beside the platform; test files steer it over HTTP on its control port
 * (`switchboard(mode)` in ./recommendations.ts).
 */
import {
  createServer,
  request as httpRequest,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';

export type SwitchboardMode =
  | { mode: 'pass' }
  | { mode: 'down' }
  /** Waits `delayMs` before passing the request on. */
  | { mode: 'slow'; delayMs: number }
  /** 200 with a body that is not a recommendation list: `text` as is. */
  | { mode: 'garbage'; text: string; contentType?: string }
  /** A container failure as the runtime reports it: 424 ModelError. */
  | { mode: 'error' };

export interface SwitchboardStatus {
  mode: SwitchboardMode;
  /** Requests that reached the endpoint since the last reset. */
  requests: number;
  /** Body of the last one (parsed JSON). */
  lastBody?: unknown;
  lastPath?: string;
}

export interface Switchboard {
  /** What the recommendations function is pointed at. */
  endpointUrl: string;
  /** Where tests steer it: GET for the status, PUT a SwitchboardMode, POST /reset to zero the count. */
  controlUrl: string;
  setTarget(url: string): void;
  stop(): Promise<void>;
}

const readAll = (req: IncomingMessage) =>
  new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.once('end', () => resolve(Buffer.concat(chunks)));
    req.once('error', reject);
  });

const listen = (server: Server, port = 0) =>
  new Promise<number>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });

/** What the endpoint has seen and is set to do; the control port reads and changes it. */
interface SwitchboardState {
  target?: URL;
  mode: SwitchboardMode;
  requests: number;
  lastBody?: unknown;
  lastPath?: string;
  /** The slow mode's timers, cleared on stop. */
  pending: Set<NodeJS.Timeout>;
}

/** Passes the request on to the model server as it came. */
function forward(target: URL | undefined, req: IncomingMessage, res: ServerResponse, body: Buffer) {
  if (!target) return res.writeHead(503).end('{"message":"no target"}');
  const upstream = httpRequest(
    {
      host: target.hostname,
      port: target.port,
      path: req.url,
      method: req.method,
      headers: { ...req.headers, host: target.host },
    },
    (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    },
  );
  upstream.once('error', () => res.destroy());
  upstream.end(body);
}

/** The answers that never reach the model server: garbage, and a container failure. */
function answerFault(current: Extract<SwitchboardMode, { mode: 'garbage' | 'error' }>, res: ServerResponse) {
  if (current.mode === 'garbage') {
    res.writeHead(200, {
      'content-type': current.contentType ?? 'application/json',
      'x-Amzn-Invoked-Production-Variant': 'garbage',
    });
    return res.end(current.text);
  }
  res.writeHead(424, { 'content-type': 'application/json', 'x-amzn-errortype': 'ModelError' });
  return res.end(
    JSON.stringify({
      ErrorCode: 'SERVER_ERROR_FROM_MODEL',
      Message: 'Received server error (500) from primary',
      OriginalStatusCode: 500,
    }),
  );
}

const endpointHandler = (state: SwitchboardState) => async (req: IncomingMessage, res: ServerResponse) => {
  const body = await readAll(req);
  state.requests++;
  state.lastPath = req.url;
  try {
    state.lastBody = JSON.parse(body.toString('utf8'));
  } catch {
    state.lastBody = body.toString('utf8');
  }
  const current = state.mode;
  switch (current.mode) {
    case 'slow': {
      const timer = setTimeout(() => {
        state.pending.delete(timer);
        if (!res.destroyed) forward(state.target, req, res, body);
      }, current.delayMs);
      state.pending.add(timer);
      return;
    }
    case 'garbage':
    case 'error':
      return answerFault(current, res);
    default:
      return forward(state.target, req, res, body);
  }
};

const controlHandler =
  (state: SwitchboardState, setMode: (next: SwitchboardMode) => Promise<void>) =>
  async (req: IncomingMessage, res: ServerResponse) => {
    const reply = (status: number, value: unknown) =>
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(value));
    const status = (): SwitchboardStatus => ({
      mode: state.mode,
      requests: state.requests,
      lastBody: state.lastBody,
      lastPath: state.lastPath,
    });
    try {
      if (req.method === 'GET') return reply(200, status());
      if (req.method === 'PUT') {
        await setMode(JSON.parse((await readAll(req)).toString('utf8')) as SwitchboardMode);
        return reply(200, status());
      }
      if (req.method === 'POST' && req.url === '/reset') {
        state.requests = 0;
        state.lastBody = undefined;
        state.lastPath = undefined;
        return reply(200, status());
      }
      return reply(404, { message: 'GET, PUT a mode, or POST /reset' });
    } catch (e) {
      return reply(400, { message: (e as Error).message });
    }
  };

const closeServer = (server: Server) =>
  new Promise<void>((resolve) => {
    if (!server.listening) return resolve();
    server.close(() => resolve());
    server.closeAllConnections();
  });

export async function startSwitchboard(): Promise<Switchboard> {
  const state: SwitchboardState = { mode: { mode: 'pass' }, requests: 0, pending: new Set() };
  const answerEndpoint = endpointHandler(state);
  // What a handler cannot answer (a body its client stopped sending) ends the response, not the test run.
  const endpoint = createServer((req, res) => void answerEndpoint(req, res).catch(() => res.destroy()));
  const endpointPort = await listen(endpoint);

  const setMode = async (next: SwitchboardMode) => {
    const wasDown = state.mode.mode === 'down';
    state.mode = next;
    if (next.mode === 'down' && !wasDown) {
      // Refused, not hung: the port stops accepting and kept-alive connections are cut.
      await new Promise<void>((resolve) => {
        endpoint.close(() => resolve());
        endpoint.closeAllConnections();
      });
    } else if (next.mode !== 'down' && wasDown) {
      await listen(endpoint, endpointPort);
    }
  };
  const answerControl = controlHandler(state, setMode);
  const control = createServer((req, res) => void answerControl(req, res).catch(() => res.destroy()));
  const controlPort = await listen(control);

  return {
    endpointUrl: `http://127.0.0.1:${endpointPort}`,
    controlUrl: `http://127.0.0.1:${controlPort}`,
    setTarget: (url) => void (state.target = new URL(url)),
    async stop() {
      for (const timer of state.pending) clearTimeout(timer);
      await Promise.all([closeServer(endpoint), closeServer(control)]);
    },
  };
}
