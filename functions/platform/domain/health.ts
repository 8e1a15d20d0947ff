import type { HealthProbe } from '../ports';
import type { Health } from '../schemas';

/** Probes run in parallel, each bounded by the timeout, so one hung dependency cannot hang the check. */
export async function checkHealth(probes: HealthProbe[], timeoutMs = 1500): Promise<Health> {
  const results = await Promise.all(
    probes.map(async (probe) => {
      const signal = AbortSignal.timeout(probe.timeoutMs ?? timeoutMs);
      try {
        await Promise.race([
          probe.check(signal),
          new Promise((_, reject) =>
            signal.addEventListener('abort', () => reject(new Error('timeout')), { once: true }),
          ),
        ]);
        return [probe.name, 'ok'] as const;
      } catch {
        return [probe.name, 'down'] as const;
      }
    }),
  );
  const components = Object.fromEntries(results);
  return { status: results.every(([, s]) => s === 'ok') ? 'ok' : 'degraded', components };
}

export interface ProbeCache {
  /** How long a component found up stays up without asking it again. */
  okForMs: number;
  /** How long one found down stays down: shorter, so that a recovery shows soon. */
  downForMs: number;
  now?: () => number;
}

/**
 * A probe that asks its component at most once per period: anyone may call the public health check as often as
 * they like, and must not make a dependency work (or bill) for each call. Calls while a check is under way share
 * it; its outcome, up or down, is then kept for its period.
 */
export function cachedProbe(probe: HealthProbe, cache: ProbeCache): HealthProbe {
  const now = cache.now ?? Date.now;
  let last: { ok: boolean; error?: unknown; until: number } | undefined;
  let running: Promise<void> | undefined;
  return {
    ...probe,
    check: async (signal) => {
      if (last && now() < last.until) {
        if (last.ok) return;
        throw last.error;
      }
      running ??= probe
        .check(signal)
        .then(
          () => void (last = { ok: true, until: now() + cache.okForMs }),
          (error: unknown) => {
            last = { ok: false, error, until: now() + cache.downForMs };
            throw error;
          },
        )
        .finally(() => (running = undefined));
      return running;
    },
  };
}
