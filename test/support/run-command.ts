import { spawn, type SpawnOptions } from 'node:child_process';

/** How a command ended, and everything it wrote. */
export type Run = { code: number | null; stdout: string; stderr: string };

/** Runs a command to its end, collecting its output; rejects only when it cannot be started. */
export function runCommand(command: string, args: readonly string[], options: SpawnOptions = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}
