/**
 * Whether a process that left its pid somewhere (a data directory's owner, a warehouse lock, a folder in memory) still
 * runs: one answer for every place of the local platform that asks.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';

/**
 * Whether the process runs. One this user may not signal (another user's) counts as running: nothing here may take
 * over what it holds. A zombie (killed, not yet reaped: its parent was killed too and nothing reaps orphans here)
 * does not run; but a killed JVM's main thread turns zombie while its other threads are still exiting, and its
 * sockets (its ports) close only with the last of them: so every thread counts, not the process's own state.
 */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
  // Without procfs (macOS) a signal is all there is to ask.
  if (!existsSync('/proc/self/task')) return true;
  try {
    return readdirSync(`/proc/${pid}/task`).some((tid) => !['Z', undefined].includes(threadState(pid, tid)));
  } catch {
    // Its /proc entry went between the two checks: gone.
    return false;
  }
}

/** A thread's state letter (R, S, D, Z…), or undefined once it is gone. */
const threadState = (pid: number, tid: string): string | undefined => {
  try {
    return readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8').split(') ')[1]?.[0];
  } catch {
    return undefined;
  }
};
