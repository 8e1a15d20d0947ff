/**
 * What a function's bundle gets for `node:http2` (esbuild alias, ./function-bundling.ts): the module loaded on its
 * first use. The SDK's HTTP/2 handler — Kinesis's default, which the functions replace with HTTP/1.1
 * (functions/shared/kinesis-client.ts) — lands in a chunk that every cold start reads (esbuild keeps a package's
 * modules together where a lazy chunk uses them), and it reads `http2.constants` as it loads: so every function
 * loaded node:http2 and its ES facade at init, for requests none of them sends over HTTP/2. Here `constants` and
 * `connect` load the module when first used. An import of a name not exported here fails the build, never the function.
 */
import { createRequire } from 'node:module';

type Http2 = typeof import('node:http2');
type Constants = Http2['constants'];

let http2: Http2 | undefined;
const load = (): Http2 => (http2 ??= createRequire(import.meta.url)('node:http2') as Http2);

/** The real `http2.constants`, read through on first access. */
export const constants = new Proxy({} as Constants, {
  get: (_target, name) => load().constants[name as keyof Constants],
  has: (_target, name) => name in load().constants,
  ownKeys: () => Reflect.ownKeys(load().constants),
  getOwnPropertyDescriptor: (_target, name) => {
    const descriptor = Reflect.getOwnPropertyDescriptor(load().constants, name);
    return descriptor && { ...descriptor, configurable: true };
  },
});

export const connect = ((...args: Parameters<Http2['connect']>) => load().connect(...args)) as Http2['connect'];

export default { constants, connect };
