/**
 * What a function's bundle gets for `node:http` (esbuild alias, lib/contexts/platform-function.ts): the module through
 * CommonJS `require`. An ES import of `node:http` makes Node build the module's ESM facade, which reads every export,
 * and reading http's WebSocket getters loads undici: ~30 ms of CPU at every cold start for a module the function
 * never uses (`npm run bench -- --only bundles`). middy, the IMDS credential provider and the tracer import it.
 * An import of a name not exported here fails the build, never the function.
 */
import { createRequire } from 'node:module';

const http = createRequire(import.meta.url)('node:http') as typeof import('node:http');

export default http;
export const { STATUS_CODES, Agent, request, get, globalAgent } = http;
