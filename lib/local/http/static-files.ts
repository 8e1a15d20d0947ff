/**
 * A fixed list of static files under one path, as the local edge serves its pages (the analysts' dashboard, the
 * API docs): GET and HEAD of a listed file, with a content security policy; 404 in the contract's error shape for
 * anything else, so no other file on disk can be reached.
 */
import { readFile } from 'node:fs/promises';
import { errorBody } from '../../../functions/shared/errors';

/** Where a file comes from (resolved when asked, since some live in packages) and what it is. */
export interface StaticAsset {
  file: () => string;
  type: string;
}

export interface StaticResponse {
  status: number;
  headers: Record<string, string>;
  body: string | Buffer;
}

/**
 * Same-origin scripts, styles, images and API calls only: the page can reach nothing but this platform. No
 * inline script or style, no CDN; data: images for the empty favicon (so the browser asks for no /favicon.ico).
 */
export const SAME_ORIGIN_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/** `assets` maps the URL path under `basePath` ('' and '/' for the page itself) to its file. */
export function staticFiles(basePath: string, assets: Record<string, StaticAsset>, csp: string = SAME_ORIGIN_CSP) {
  return {
    /** Whether a request path belongs here (the edge then answers it with `respond`). */
    matches: (pathname: string): boolean => pathname === basePath || pathname.startsWith(`${basePath}/`),
    respond: async (method: string, pathname: string): Promise<StaticResponse> => {
      const key = pathname.slice(basePath.length);
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
          'content-security-policy': csp,
          'x-content-type-options': 'nosniff',
          'referrer-policy': 'no-referrer',
          // Edits to a page show on reload while `npm start` runs.
          'cache-control': 'no-cache',
        },
        body: await readFile(asset.file()),
      };
    },
  };
}
