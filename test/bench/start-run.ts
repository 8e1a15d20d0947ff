/**
 * One `npm start` of the start section: spawned as a user runs it (npm start, in its own process group, on a data
 * directory and ports of its own), timed from the spawn to its banner, then checked from outside over HTTP; and its
 * stop (SIGTERM to the platform's process, as Ctrl-C does, then whatever is left of its group SIGKILLed).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { freePortEnvironment } from '../support/platform-process';
import type { BenchContext } from './report';

const READY_TIMEOUT_MS = 180_000;
const STOP_TIMEOUT_MS = 20_000;
const BANNER = 'ECIComm local platform ready in ';

/** npm start's environment on a data directory of the bench's, every service on a distinct free port. */
export async function startEnvironment(dataDir: string): Promise<Record<string, string>> {
  return { LOCAL_DATA_DIR: dataDir, ...(await freePortEnvironment()) };
}

/** A line of the platform's output, with the milliseconds since the spawn it arrived at. */
export interface TimedLine {
  ms: number;
  line: string;
}

export interface StartRun {
  /** Spawn to the banner (the URLs printed), ms. */
  readyMs: number;
  /** What the platform itself says it took (the banner's figure), ms. */
  reportedMs: number;
  /** Spawn to the outside check's success, ms. */
  checkedMs: number;
  /** Products listed through GET /v1/products, and whether a search found a listed product by its name. */
  listed: number;
  searchHit: boolean;
  lines: TimedLine[];
}

/** Spawns npm start with `env`, resolves once its banner is out and the outside check passed; `stop` ends it. */
export async function runStart(
  ctx: BenchContext,
  env: Record<string, string>,
  expectProducts: number | undefined,
): Promise<{ run: StartRun; stop: () => Promise<void> }> {
  const t0 = performance.now();
  const child = spawn('npm', ['start', '--', '--quiet'], {
    cwd: ctx.projectRoot,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...env, POWERTOOLS_LOG_LEVEL: process.env.POWERTOOLS_LOG_LEVEL ?? 'WARN' },
  });
  const stop = stopper(child, env.LOCAL_DATA_DIR);
  ctx.onExit(() => killGroup(child, 'SIGKILL'));
  try {
    const { lines, bannerMs } = await untilBanner(child, t0);
    const text = lines.map((l) => l.line).join('\n');
    const apiUrl = /API\s+(http:\/\/\S+)\/v1/.exec(text)?.[1];
    if (!apiUrl) throw new Error(`no API URL in the banner:\n${text}`);
    const reported = Number(/ready in ([\d.]+) s/.exec(text)?.[1]) * 1000;
    const { listed, searchHit } = await checkDataset(apiUrl);
    const checkedMs = performance.now() - t0;
    if (expectProducts !== undefined && listed !== expectProducts)
      throw new Error(`GET /v1/products listed ${listed} products, ${expectProducts} expected`);
    if (!searchHit) throw new Error('search did not find a listed product by its name');
    return { run: { readyMs: bannerMs, reportedMs: reported, checkedMs, listed, searchHit, lines }, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}

function untilBanner(child: ChildProcess, t0: number): Promise<{ lines: TimedLine[]; bannerMs: number }> {
  const lines: TimedLine[] = [];
  let stderr = '';
  let partial = '';
  return new Promise((resolve, reject) => {
    let bannerMs: number | undefined;
    child.stderr!.setEncoding('utf8').on('data', (c: string) => (stderr = (stderr + c).slice(-4000)));
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      const ms = performance.now() - t0;
      const parts = (partial + chunk).split('\n');
      partial = parts.pop()!;
      for (const line of parts) {
        lines.push({ ms, line });
        if (line.includes(BANNER)) bannerMs = ms;
        // The banner ends with its last line.
        if (bannerMs !== undefined && line.startsWith('Press Ctrl-C')) resolve({ lines, bannerMs });
      }
    });
    child.once('error', reject);
    const tail = () =>
      `${lines
        .slice(-10)
        .map((l) => `${(l.ms / 1000).toFixed(1)} s ${l.line}`)
        .join('\n')}\n${stderr}`;
    child.once('exit', (code, signal) =>
      reject(new Error(`npm start exited (${code ?? signal}) before it was ready:\n${tail()}`)),
    );
    setTimeout(
      () => reject(new Error(`npm start not ready in ${READY_TIMEOUT_MS / 1000} s:\n${tail()}`)),
      READY_TIMEOUT_MS,
    ).unref();
  });
}

/** "Dataset ready" as a shopper sees it: the whole catalog listed page by page, and a product found by its name. */
async function checkDataset(apiUrl: string): Promise<{ listed: number; searchHit: boolean }> {
  let listed = 0;
  let cursor: string | undefined;
  let sample: { id: string; name: string } | undefined;
  do {
    const url = `${apiUrl}/v1/products?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
    const res = await fetch(url);
    if (res.status !== 200) throw new Error(`GET /v1/products answered ${res.status}: ${await res.text()}`);
    const page = (await res.json()) as { items: { id: string; name: string }[]; nextCursor?: string };
    listed += page.items.length;
    sample ??= page.items[0];
    cursor = page.nextCursor;
  } while (cursor);
  if (!sample) return { listed, searchHit: false };
  const res = await fetch(`${apiUrl}/v1/search?q=${encodeURIComponent(sample.name)}&limit=20`);
  const hits = res.status === 200 ? ((await res.json()) as { items: { id: string }[] }).items : [];
  return { listed, searchHit: hits.some((h) => h.id === sample.id) };
}

const killGroup = (child: ChildProcess, signal: NodeJS.Signals) => {
  try {
    process.kill(-child.pid!, signal);
  } catch {
    // The group is empty.
  }
};

const groupAlive = (child: ChildProcess) => {
  try {
    process.kill(-child.pid!, 0);
    return true;
  } catch {
    return false;
  }
};

/** SIGTERM to the platform's own process (its pid is in runtime.json), as Ctrl-C would; the group SIGKILLed after. */
function stopper(child: ChildProcess, dataDir: string): () => Promise<void> {
  let stopped: Promise<void> | undefined;
  return () =>
    (stopped ??= (async () => {
      const runtime = path.join(dataDir, 'runtime.json');
      const pid = existsSync(runtime) ? (JSON.parse(readFileSync(runtime, 'utf8')) as { pid: number }).pid : undefined;
      if (pid) {
        try {
          process.kill(pid, 'SIGTERM');
        } catch {
          // Gone.
        }
      } else killGroup(child, 'SIGTERM');
      for (const deadline = Date.now() + STOP_TIMEOUT_MS; groupAlive(child) && Date.now() < deadline;)
        await new Promise((r) => setTimeout(r, 100));
      killGroup(child, 'SIGKILL');
      for (const deadline = Date.now() + 5000; groupAlive(child) && Date.now() < deadline;)
        await new Promise((r) => setTimeout(r, 50));
    })());
}
