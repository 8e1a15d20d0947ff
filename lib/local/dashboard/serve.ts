/**
 * The analysts' dashboard as the local edge serves it: a fixed list of static files under `/dashboard`
 * (the page, its script and style, and ECharts from node_modules), nothing else. In AWS analysts use
 * QuickSight; this page is the local stand-in, reading the same analytics API from the same origin.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { errorBody } from '../../../functions/shared/errors';

const here = path.dirname(fileURLToPath(import.meta.url));

export const DASHBOARD_PATH = '/dashboard';

/**
 * Only same-origin scripts, styles and API calls: no inline script or style, no CDN. Charts draw on canvas;
 * the favicon is an empty data: URL so the browser asks for no /favicon.ico.
 */
export const DASHBOARD_CSP = [
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
/** URL path → file and content type. The page itself answers at `/dashboard` and `/dashboard/`. */
const assets: Record<string, { file: () => string; type: string }> = {
  '': { file: () => path.join(here, 'index.html'), type: 'text/html; charset=utf-8' },
  '/': { file: () => path.join(here, 'index.html'), type: 'text/html; charset=utf-8' },
  '/dashboard.js': { file: () => path.join(here, 'dashboard.js'), type: JS },
  '/dashboard.css': { file: () => path.join(here, 'dashboard.css'), type: 'text/css; charset=utf-8' },
  // The charting library is the one npm installed: nothing is fetched from elsewhere at run time.
  '/echarts.min.js': { file: () => createRequire(import.meta.url).resolve('echarts/dist/echarts.min.js'), type: JS },
};

export interface StaticResponse {
  status: number;
  headers: Record<string, string>;
  body: string | Buffer;
}

/** Whether a request path belongs to the dashboard (the edge then answers it with `dashboardResponse`). */
export const isDashboardPath = (pathname: string): boolean =>
  pathname === DASHBOARD_PATH || pathname.startsWith(`${DASHBOARD_PATH}/`);

/** The page or one of its assets for GET and HEAD; 404 in the contract's error shape for anything else. */
export async function dashboardResponse(method: string, pathname: string): Promise<StaticResponse> {
  const asset = Object.hasOwn(assets, pathname.slice(DASHBOARD_PATH.length))
    ? assets[pathname.slice(DASHBOARD_PATH.length)]
    : undefined;
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
      'content-security-policy': DASHBOARD_CSP,
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
      // Edits to the page show on reload while `npm start` runs.
      'cache-control': 'no-cache',
    },
    body: await readFile(asset.file()),
  };
}
