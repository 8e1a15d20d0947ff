/**
 * The interactive API docs as the local edge serves them at `/v1/docs`: Swagger UI from the swagger-ui-dist
 * package npm installed (nothing from a CDN) over the platform's own `/v1/openapi.json`, with "Try it out"
 * calling the API from the same origin. A fixed list of files, nothing else. Locally only: see the README's
 * "API docs and clients".
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { errorBody } from '../../../functions/shared/errors';

const here = path.dirname(fileURLToPath(import.meta.url));
const swaggerUi = (file: string) => () => createRequire(import.meta.url).resolve(`swagger-ui-dist/${file}`);

export const DOCS_PATH = '/v1/docs';

/** Same-origin scripts, styles, images and API calls only: the page can reach nothing but this platform. */
export const DOCS_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const JS = 'text/javascript; charset=utf-8';
const HTML = 'text/html; charset=utf-8';
/** URL path under /v1/docs → file and content type. */
const assets: Record<string, { file: () => string; type: string }> = {
  '': { file: () => path.join(here, 'index.html'), type: HTML },
  '/': { file: () => path.join(here, 'index.html'), type: HTML },
  '/docs.js': { file: () => path.join(here, 'docs.js'), type: JS },
  '/swagger-ui.css': { file: swaggerUi('swagger-ui.css'), type: 'text/css; charset=utf-8' },
  '/swagger-ui-bundle.js': { file: swaggerUi('swagger-ui-bundle.js'), type: JS },
};

export interface StaticResponse {
  status: number;
  headers: Record<string, string>;
  body: string | Buffer;
}

/** Whether a request path belongs to the docs (the edge then answers it with `docsResponse`). */
export const isDocsPath = (pathname: string): boolean => pathname === DOCS_PATH || pathname.startsWith(`${DOCS_PATH}/`);

/** The page or one of its assets for GET and HEAD; 404 in the contract's error shape for anything else. */
export async function docsResponse(method: string, pathname: string): Promise<StaticResponse> {
  const key = pathname.slice(DOCS_PATH.length);
  const asset = Object.hasOwn(assets, key) ? assets[key] : undefined;
  if (!asset || (method !== 'GET' && method !== 'HEAD')) {
    return {
      status: 404,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(errorBody('NOT_FOUND', `No route for ${method} ${pathname}`)),
    };
  }
  return {
    status: 200,
    headers: {
      'content-type': asset.type,
      'content-security-policy': DOCS_CSP,
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
      'cache-control': 'no-cache',
    },
    body: await readFile(asset.file()),
  };
}
