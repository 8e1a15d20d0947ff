/**
 * The interactive API docs as the local edge serves them at `/v1/docs`: Swagger UI from the swagger-ui-dist
 * package npm installed (nothing from a CDN) over the platform's own `/v1/openapi.json`, with "Try it out"
 * calling the API from the same origin. A fixed list of files, nothing else. Locally only: see the README's
 * "API docs and clients".
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { staticFiles, type StaticAsset } from '../http/static-files';

const here = path.dirname(fileURLToPath(import.meta.url));
const swaggerUi = (file: string) => () => createRequire(import.meta.url).resolve(`swagger-ui-dist/${file}`);

export const DOCS_PATH = '/v1/docs';

const JS = 'text/javascript; charset=utf-8';
const HTML = 'text/html; charset=utf-8';
/** URL path under /v1/docs → file and content type. */
const assets: Record<string, StaticAsset> = {
  '': { file: () => path.join(here, 'index.html'), type: HTML },
  '/': { file: () => path.join(here, 'index.html'), type: HTML },
  '/docs.js': { file: () => path.join(here, 'docs.js'), type: JS },
  '/swagger-ui.css': { file: swaggerUi('swagger-ui.css'), type: 'text/css; charset=utf-8' },
  '/swagger-ui-bundle.js': { file: swaggerUi('swagger-ui-bundle.js'), type: JS },
};

const files = staticFiles(DOCS_PATH, assets);

/** Whether a request path belongs here (the edge then answers it with `docsResponse`). */
export const isDocsPath = files.matches;
/** The page or one of its assets for GET and HEAD; 404 in the contract's error shape for anything else. */
export const docsResponse = files.respond;
