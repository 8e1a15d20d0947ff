/**
 * The analysts' dashboard as the local edge serves it: a fixed list of static files under `/dashboard`
 * (the page, its script and style, and ECharts from node_modules), nothing else. In AWS analysts use
 * QuickSight; this page is the local stand-in, reading the same analytics API from the same origin.
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { staticFiles, type StaticAsset } from '../http/static-files';

const here = path.dirname(fileURLToPath(import.meta.url));

export const DASHBOARD_PATH = '/dashboard';

const JS = 'text/javascript; charset=utf-8';
/** URL path → file and content type. The page itself answers at `/dashboard` and `/dashboard/`. */
const assets: Record<string, StaticAsset> = {
  '': { file: () => path.join(here, 'index.html'), type: 'text/html; charset=utf-8' },
  '/': { file: () => path.join(here, 'index.html'), type: 'text/html; charset=utf-8' },
  '/dashboard.js': { file: () => path.join(here, 'dashboard.js'), type: JS },
  '/models.js': { file: () => path.join(here, 'models.js'), type: JS },
  '/dashboard.css': { file: () => path.join(here, 'dashboard.css'), type: 'text/css; charset=utf-8' },
  // The charting library is the one npm installed: nothing is fetched from elsewhere at run time.
  '/echarts.min.js': { file: () => createRequire(import.meta.url).resolve('echarts/dist/echarts.min.js'), type: JS },
};

const files = staticFiles(DASHBOARD_PATH, assets);

/** Whether a request path belongs here (the edge then answers it with `dashboardResponse`). */
export const isDashboardPath = files.matches;
/** The page or one of its assets for GET and HEAD; 404 in the contract's error shape for anything else. */
export const dashboardResponse = files.respond;
