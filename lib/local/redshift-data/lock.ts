import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { isAlive } from '../process-alive';

/**
 * The process that has a PGlite directory open says so in `<dir>.lock` (its pid): another process opening the
 * same directory — a second `npm start` on the same LOCAL_DATA_DIR, say — would corrupt it, so it is refused with
 * an error that says why. A lock left by a process that died is taken over. Returns the unlock.
 */
export function lockDirectory(dataDir: string): () => void {
  const file = `${path.resolve(dataDir)}.lock`;
  mkdirSync(path.dirname(file), { recursive: true });
  try {
    const owner = Number(readFileSync(file, 'utf8'));
    if (Number.isInteger(owner) && owner > 0 && owner !== process.pid && isAlive(owner)) {
      throw new Error(
        `The warehouse in ${dataDir} is open in process ${owner} (a running local platform?); PGlite cannot share a directory between processes`,
      );
    }
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  writeFileSync(file, String(process.pid));
  return () => {
    try {
      if (readFileSync(file, 'utf8') === String(process.pid)) rmSync(file, { force: true });
    } catch {
      // Already gone.
    }
  };
}
