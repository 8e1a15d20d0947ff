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

export async function startSwitchboard(): Promise<Switchboard> {
  let target: URL | undefined;
  let mode: SwitchboardMode = { mode: 'pass' };
  let requests = 0;
  let lastBody: unknown;
  let lastPath: string | undefined;
  const pending = new Set<NodeJS.Timeout>();

  const forward = (req: IncomingMessage, res: ServerResponse, body: Buffer) => {
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
  };

  const endpoint = createServer(async (req, res) => {
    const body = await readAll(req);
    requests++;
    lastPath = req.url;
    try {
      lastBody = JSON.parse(body.toString('utf8'));
    } catch {
      lastBody = body.toString('utf8');
    }
    const current = mode;
    switch (current.mode) {
      case 'slow': {
        const timer = setTimeout(() => {
          pending.delete(timer);
          if (!res.destroyed) forward(req, res, body);
        }, current.delayMs);
        pending.add(timer);
        return;
      }
      case 'garbage':
        res.writeHead(200, {
          'content-type': current.contentType ?? 'application/json',
          'x-Amzn-Invoked-Production-Variant': 'garbage',
        });
        return res.end(current.text);
      case 'error':
        res.writeHead(424, { 'content-type': 'application/json', 'x-amzn-errortype': 'ModelError' });
        return res.end(
          JSON.stringify({
            ErrorCode: 'SERVER_ERROR_FROM_MODEL',
            Message: 'Received server error (500) from primary',
            OriginalStatusCode: 500,
          }),
        );
      default:
        return forward(req, res, body);
    }
  });
  const endpointPort = await listen(endpoint);

  const setMode = async (next: SwitchboardMode) => {
    const wasDown = mode.mode === 'down';
    mode = next;
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

  const control = createServer(async (req, res) => {
    const reply = (status: number, value: unknown) =>
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(value));
    const status = (): SwitchboardStatus => ({ mode, requests, lastBody, lastPath });
    try {
      if (req.method === 'GET') return reply(200, status());
      if (req.method === 'PUT') {
        await setMode(JSON.parse((await readAll(req)).toString('utf8')) as SwitchboardMode);
        return reply(200, status());
      }
      if (req.method === 'POST' && req.url === '/reset') {
        requests = 0;
        lastBody = undefined;
        lastPath = undefined;
        return reply(200, status());
      }
      return reply(404, { message: 'GET, PUT a mode, or POST /reset' });
    } catch (e) {
      return reply(400, { message: (e as Error).message });
    }
  });
  const controlPort = await listen(control);

  return {
    endpointUrl: `http://127.0.0.1:${endpointPort}`,
    controlUrl: `http://127.0.0.1:${controlPort}`,
    setTarget: (url) => void (target = new URL(url)),
    async stop() {
      for (const timer of pending) clearTimeout(timer);
      const close = (server: Server) =>
        new Promise<void>((resolve) => {
          if (!server.listening) return resolve();
          server.close(() => resolve());
          server.closeAllConnections();
        });
      await Promise.all([close(endpoint), close(control)]);
    },
  };
}
