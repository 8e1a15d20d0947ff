// cognito-local rewrites each user pool file in place; a kill -9 mid-write used to leave a file the next
// start refused. The preload (lib/local/cognito/durable-store.cjs) must keep the file whole under kill -9.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';

const preload = fileURLToPath(new URL('../../lib/local/cognito/durable-store.cjs', import.meta.url));
const directories: string[] = [];
const pids: number[] = [];

afterEach(() => {
  for (const pid of pids.splice(0)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      /* already gone */
    }
  }
  for (const directory of directories.splice(0)) rmSync(directory, { recursive: true, force: true });
});

/** A child that saves a growing pool through StormDB's engine, as cognito-local does, without pause. */
function savingChild(file: string, withPreload: boolean) {
  const script = `
    const path = require('node:path');
    const root = path.dirname(require.resolve('cognito-local/package.json'));
    const StormDB = require(require.resolve('stormdb', { paths: [root] }));
    const engine = new StormDB.localFileEngine(${JSON.stringify(file)}, { async: true, serialize: (o) => JSON.stringify(o, null, 2) });
    const db = new StormDB(engine);
    db.default({ Users: {} });
    let n = 0;
    const loop = async () => {
      for (;;) {
        for (let i = 0; i < 200; i++) db.get('Users').set('user' + n++, { Username: 'user' + n, Attributes: [{ Name: 'email', Value: 'x'.repeat(200) }] });
        db.save();
        await db.save();
        if (n === 200) process.stdout.write('saving\\n');
      }
    };
    loop();
  `;
  const args = withPreload ? ['--require', preload, '-e', script] : ['-e', script];
  const child = spawn(process.execPath, args, { cwd: process.cwd(), stdio: ['ignore', 'pipe', 'inherit'] });
  pids.push(child.pid!);
  return child;
}

async function killWhileSaving(file: string, withPreload: boolean, delayMs: number): Promise<void> {
  const child = savingChild(file, withPreload);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  // A child that cannot read a torn file exits at once instead of saving.
  await Promise.race([new Promise<void>((resolve) => child.stdout!.once('data', () => resolve())), exited]);
  await new Promise((resolve) => setTimeout(resolve, delayMs));
  child.kill('SIGKILL');
  await exited;
}

describe('cognito-local pool files under kill -9', () => {
  it('are always whole JSON after the saving process is killed', async () => {
    const directory = mkdtempSync(path.join(tmpdir(), 'cognito-store-'));
    directories.push(directory);
    const file = path.join(directory, 'pool.json');
    for (const delayMs of [5, 40, 90, 150, 230, 320]) {
      await killWhileSaving(file, true, delayMs);
      expect(existsSync(file)).toBe(true);
      const users = JSON.parse(readFileSync(file, 'utf8')).Users as Record<string, unknown>;
      expect(Object.keys(users).length).toBeGreaterThan(0);
    }
  }, 60_000);

  it('without the preload, a kill mid-save leaves a file that does not parse (what the preload prevents)', async () => {
    const directory = mkdtempSync(path.join(tmpdir(), 'cognito-store-'));
    directories.push(directory);
    const file = path.join(directory, 'pool.json');
    let torn = 0;
    for (let attempt = 0; attempt < 20; attempt++) {
      await killWhileSaving(file, false, 5 + ((attempt * 37) % 400));
      try {
        JSON.parse(readFileSync(file, 'utf8'));
      } catch {
        torn += 1;
        break;
      }
    }
    expect(torn).toBeGreaterThan(0);
  }, 60_000);
});
