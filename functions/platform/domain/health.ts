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
          new Promise((_, reject) => signal.addEventListener('abort', () => reject(new Error('timeout')), { once: true })),
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
