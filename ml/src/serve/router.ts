/**
 * One SageMaker runtime in front of several endpoints, as AWS has one runtime URL per region for every
 * endpoint: `POST /endpoints/{name}/invocations` is answered by the model server of that name, an unknown
 * name is the runtime's 400 ValidationError. Locally a function may call both the recommendations and the
 * insights endpoint, and the SDK takes one AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME: this is what it points at.
 *
 * In-process, not a proxy: it answers with the named server's model directly (the same code path as the
 * server's own runtime path, ./runtime.ts), so a call costs no second hop. The servers keep their own
 * ports for the container contract (/ping, /invocations).
 */
import { createServer, type Server } from 'node:http';
import { closeServer, guarded, listenOn, send } from './http';
import { answerAsRuntime, RUNTIME_PATH, runtimeError } from './runtime';
import type { ModelServer } from './server';

export interface RuntimeRouter {
  readonly server: Server;
  /** The endpoint names it answers, each with the model server behind it. */
  readonly endpoints: Readonly<Record<string, Pick<ModelServer, 'serving'>>>;
  listen(port: number, host?: string): Promise<{ port: number; url: string }>;
  close(): Promise<void>;
}

export function createRuntimeRouter(endpoints: Record<string, Pick<ModelServer, 'serving'>>): RuntimeRouter {
  const named = new Map(Object.entries(endpoints));
  const server = createServer(
    guarded('sagemaker runtime', async (req, res) => {
      const { pathname } = new URL(req.url ?? '/', 'http://runtime');
      const runtime = RUNTIME_PATH.exec(pathname);
      if (runtime) return answerAsRuntime(req, res, runtime[1], (name) => named.get(name)?.serving);
      req.resume();
      // The runtime's other operations (async, streaming invocations) are not used by the platform.
      if (pathname.startsWith('/endpoints/'))
        return runtimeError(res, 404, 'UnknownOperationException', { message: `No operation at ${pathname}` });
      return send(res, 404, { message: `No route for ${req.method} ${pathname}` });
    }),
  );
  server.keepAliveTimeout = 65_000;
  return {
    server,
    endpoints,
    listen: (port, host) => listenOn(server, port, host),
    close: () => closeServer(server),
  };
}
