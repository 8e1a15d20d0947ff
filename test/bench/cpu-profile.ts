/**
 * An opt-in CPU profile of the platform child (BENCH_CPU_PROFILE=<file.cpuprofile>): `node --cpu-prof` is refused in
 * NODE_OPTIONS and the child is spawned by the bench, so the child profiles itself through the inspector, from
 * when the platform is up (startup excluded) to its shutdown. Open the file in Chrome DevTools or summarise it with
 * test/bench/cpu-profile-summary.ts.
 */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';

export async function startCpuProfile(file: string | undefined): Promise<(() => Promise<void>) | undefined> {
  if (!file) return undefined;
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  // 1 ms sampling: a saga step's frames last a few ms each.
  await session.post('Profiler.setSamplingInterval', { interval: 1000 });
  await session.post('Profiler.start');
  return async () => {
    const { profile } = await session.post('Profiler.stop');
    writeFileSync(file, JSON.stringify(profile));
    session.disconnect();
  };
}
