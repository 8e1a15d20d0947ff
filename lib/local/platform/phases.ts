/**
 * Where a start's time went: each step's end, in seconds since the process started (so the modules' loading is
 * the first figure), logged as one `start:` line once the platform is up. The start bench reads it.
 */
import { performance } from 'node:perf_hooks';

export const START_PHASES_PREFIX = 'start: ';

export interface StartPhases {
  /** Marks `name` done now. */
  mark(name: string): void;
  /** Marks `name` done when `step` settles (for steps that run beside others); returns `step`. */
  track<T>(name: string, step: Promise<T>): Promise<T>;
  line(): string;
}

export function startPhases(): StartPhases {
  // performance.now() counts from the process's start: what it reads now is what loading the modules took.
  const marks: [string, number][] = [['modules', performance.now()]];
  const mark = (name: string) => void marks.push([name, performance.now()]);
  return {
    mark,
    track: (name, step) => {
      step.then(
        () => mark(name),
        () => undefined,
      );
      return step;
    },
    line: () =>
      START_PHASES_PREFIX +
      [...marks]
        .sort((a, b) => a[1] - b[1])
        .map(([name, ms]) => `${name} ${(ms / 1000).toFixed(1)} s`)
        .join(', '),
  };
}
