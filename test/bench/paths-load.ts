/** The paths section's two kinds of load: autocannon on a route, and a raw chain of SDK calls in a loop. */
import { performance } from 'node:perf_hooks';
import autocannon from 'autocannon';
import type { RawChain } from './paths-raw';
import { percentile } from './stats';

export interface ApiLoad {
  latencyMs: number[];
  errors: number;
  elapsedS: number;
}

/** autocannon with `connections` connections on one GET; latencies from its per-response event, 2xx only. */
export async function loadRoute(
  url: string,
  token: string | undefined,
  connections: number,
  duration: number,
): Promise<ApiLoad> {
  const latencyMs: number[] = [];
  let errors = 0;
  const t0 = performance.now();
  const instance = autocannon({
    url,
    connections,
    duration,
    pipelining: 1,
    timeout: 10,
    headers: token ? { authorization: `Bearer ${token}` } : {},
  });
  instance.on('response', (_client, statusCode, _bytes, responseTime) => {
    if (statusCode >= 200 && statusCode < 300) latencyMs.push(responseTime);
    else errors++;
  });
  const result = await instance;
  return { latencyMs, errors: errors + result.errors + result.timeouts, elapsedS: (performance.now() - t0) / 1000 };
}

export interface RawLoad {
  /** Whole chains, ms. */
  latencyMs: number[];
  /** Each step's ms, by step name. */
  steps: Record<string, number[]>;
  errors: number;
  firstError?: string;
  elapsedS: number;
}

/** `connections` loops, each running the chain again and again until the deadline. */
export async function loadChain(chain: RawChain, connections: number, duration: number): Promise<RawLoad> {
  const out: RawLoad = { latencyMs: [], steps: {}, errors: 0, elapsedS: 0 };
  const t0 = performance.now();
  const deadline = t0 + duration * 1000;
  const loop = async () => {
    while (performance.now() < deadline) {
      const s = performance.now();
      try {
        const steps = await chain();
        out.latencyMs.push(performance.now() - s);
        for (const [name, ms] of Object.entries(steps)) (out.steps[name] ??= []).push(ms);
      } catch (e) {
        out.errors++;
        out.firstError ??= (e as Error).message;
      }
    }
  };
  await Promise.all(Array.from({ length: connections }, loop));
  out.elapsedS = (performance.now() - t0) / 1000;
  return out;
}

export const mergeApi = (parts: ApiLoad[]): ApiLoad => ({
  latencyMs: parts.flatMap((p) => p.latencyMs),
  errors: parts.reduce((n, p) => n + p.errors, 0),
  elapsedS: parts.reduce((n, p) => n + p.elapsedS, 0),
});

export const mergeRaw = (parts: RawLoad[]): RawLoad => {
  const steps: Record<string, number[]> = {};
  for (const p of parts) for (const [name, ms] of Object.entries(p.steps)) (steps[name] ??= []).push(...ms);
  return {
    latencyMs: parts.flatMap((p) => p.latencyMs),
    steps,
    errors: parts.reduce((n, p) => n + p.errors, 0),
    firstError: parts.map((p) => p.firstError).find(Boolean),
    elapsedS: parts.reduce((n, p) => n + p.elapsedS, 0),
  };
};

export const p50 = (samples: number[]) => percentile(samples, 50);
export const p99 = (samples: number[]) => percentile(samples, 99);
