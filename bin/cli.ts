/**
 * What every operator command does alike, on commander: `--help` prints the usage on stdout and exits 0; an
 * unknown option, a missing required one or a bad value prints the reason and the usage on stderr and exits 2
 * (bad usage); an input file or folder that is missing or unreadable is one line naming it, exit 2 too — the
 * command line named something that is not there, and nothing ran. 1 stays for a run that failed.
 * ml/bin/cli.ts holds ml's commands to the same conventions (ml stands on its own: it imports nothing here).
 */
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command, InvalidArgumentError } from 'commander';
import { findRunningPlatform, type RuntimeInfo } from '@ecicomm/local-platform/running-platform';

/** The exit codes of every command. */
export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

/**
 * A command named as it is typed (`npm run redrive --`), with the house conventions: help on stdout, exit 0;
 * a usage error, its reason and the usage on stderr, exit 2; no stray arguments.
 */
export function command(name: string, summary: string): Command {
  return (
    new Command(name)
      .description(summary)
      .helpOption('-h, --help', 'print this usage and exit')
      // Lower-case titles (`usage:`, `options:`), as every usage line of the house reads.
      .configureHelp({ styleTitle: (title) => title.toLowerCase() })
      .showHelpAfterError()
      .allowExcessArguments(false)
      .exitOverride((e) => process.exit(e.exitCode === 0 ? EXIT.ok : EXIT.usage))
  );
}

/** Ends the process with the message and the command's usage on stderr, exit 2. */
export function usageError(program: Command, message: string): never {
  return program.error(message);
}

/** Ends the process with one line on stderr: exit 2 (bad usage or input) unless told. */
export function fail(message: string, code: number = EXIT.usage): never {
  console.error(message);
  process.exit(code);
}

/** The text of an input file the command line names, or the process ends with one line naming it (exit 2). */
export function readInputFile(file: string): string {
  try {
    return readFileSync(path.resolve(file), 'utf8');
  } catch (e) {
    const { code } = e as NodeJS.ErrnoException;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'a folder, not a file' : (e as Error).message;
    return fail(`cannot read ${file}: ${why}`);
  }
}

/** An input folder the command line (or its environment) names, resolved, or the process ends with one line naming it (exit 2). */
export function inputDirectory(dir: string, what: string): string {
  const resolved = path.resolve(dir);
  const stat = statSync(resolved, { throwIfNoEntry: false });
  if (!stat?.isDirectory()) fail(`${what} ${dir}: ${stat ? 'not a folder' : 'no such folder'}`);
  return resolved;
}

/** An input JSON file the command line names, parsed, or the process ends with one line naming it (exit 2). */
export function readJsonFile(file: string): unknown {
  const text = readInputFile(file);
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    return fail(`${file} is not JSON: ${(e as Error).message.replace(/\s+/g, ' ')}`);
  }
}

/** commander parsers: the option's value, or a usage error naming what it must be. */
export const parse = {
  wholeNumber: (value: string): number => {
    const n = Number(value);
    if (!/^\d+$/.test(value) || !Number.isSafeInteger(n)) throw new InvalidArgumentError('must be a whole number');
    return n;
  },
  positiveWholeNumber: (value: string): number => {
    const n = parse.wholeNumber(value);
    if (n === 0) throw new InvalidArgumentError('must be a whole number above 0');
    return n;
  },
  positiveNumber: (value: string): number => {
    const n = Number(value);
    if (!value.trim() || !Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('must be a number above 0');
    return n;
  },
  nonNegativeNumber: (value: string): number => {
    const n = Number(value);
    if (!value.trim() || !Number.isFinite(n) || n < 0) throw new InvalidArgumentError('must be a number, 0 or above');
    return n;
  },
  port: (value: string): number => {
    const n = parse.wholeNumber(value);
    if (n > 65535) throw new InvalidArgumentError('must be a port number, 0 to 65535');
    return n;
  },
  /** A deployed stage's prefix (`ecicomm-prod`) as `--prefix` names it. */
  stagePrefix: (value: string): string => {
    if (!/^[A-Za-z0-9_.-]{1,200}$/.test(value))
      throw new InvalidArgumentError('must be a stage prefix such as ecicomm-prod');
    return value;
  },
};

/** The local platform that `npm start` runs on LOCAL_DATA_DIR (default `.local`), or the process ends with exit 1. */
export async function runningLocalPlatform(): Promise<RuntimeInfo> {
  const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
  const dataDir = path.resolve(projectRoot, process.env.LOCAL_DATA_DIR ?? '.local');
  const running = await findRunningPlatform(dataDir);
  if (!running)
    return fail(
      `No local platform is running on ${dataDir} (npm start, or set LOCAL_DATA_DIR); for a deployed stage pass --prefix`,
      EXIT.failed,
    );
  return running;
}
