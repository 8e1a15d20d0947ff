/**
 * What every operator command does alike: `--help` prints the usage on stdout and exits 0; a wrong option or
 * value prints the reason and the usage on stderr and exits 2 (bad usage); 1 stays for a run that failed.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs, type ParseArgsOptionsConfig } from 'node:util';
import { findRunningPlatform, type RuntimeInfo } from '@ecicomm/local-platform/running-platform';

export function usageError(message: string, usage: string, code = 2): never {
  console.error(usage ? `${message}\n${usage}` : message);
  process.exit(code);
}

type Values<O extends ParseArgsOptionsConfig> = ReturnType<typeof parseArgs<{ options: O }>>['values'];

/** The command's options, or the process ends with its usage (`--help` is every command's). */
export function parseCommandLine<const O extends ParseArgsOptionsConfig>(options: O, usage: string): Values<O> {
  let parsed: { values: Record<string, unknown> };
  try {
    parsed = parseArgs({ options: { ...options, help: { type: 'boolean', default: false } } });
  } catch (e) {
    return usageError((e as Error).message, usage);
  }
  if (parsed.values.help) {
    console.log(usage);
    process.exit(0);
  }
  return parsed.values as Values<O>;
}

/** The local platform that `npm start` runs on LOCAL_DATA_DIR (default `.local`), or the process ends with exit 1. */
export async function runningLocalPlatform(): Promise<RuntimeInfo> {
  const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
  const dataDir = path.resolve(projectRoot, process.env.LOCAL_DATA_DIR ?? '.local');
  const running = await findRunningPlatform(dataDir);
  if (!running)
    return usageError(
      `No local platform is running on ${dataDir} (npm start, or set LOCAL_DATA_DIR); for a deployed stage pass --prefix`,
      '',
      1,
    );
  return running;
}

/** A deployed stage's prefix (`ecicomm-prod`) as `--prefix` names it, or the process ends with its usage. */
export function stagePrefix(value: string, usage: string): string {
  if (!/^[A-Za-z0-9_.-]{1,200}$/.test(value))
    return usageError('--prefix must be a stage prefix such as ecicomm-prod', usage);
  return value;
}
