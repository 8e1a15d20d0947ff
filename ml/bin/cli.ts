/**
 * What ml's commands do alike, on commander, by the project's conventions (bin/cli.ts holds the same for the
 * operator commands; ml stands on its own and imports nothing outside ml/): `--help` prints the usage on
 * stdout and exits 0; an unknown option, a missing required one or a bad value prints the reason and the
 * usage on stderr and exits 2; an input folder or file that is missing or unreadable is one line naming it,
 * exit 2 too. 1 stays for a run that failed.
 */
import { statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command, InvalidArgumentError } from 'commander';

/** The exit codes of every command. */
export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

/** A command named as it is typed (`npm run ml:train --`), with the house conventions. */
export function command(name: string, summary: string): Command {
  return new Command(name)
    .description(summary)
    .helpOption('-h, --help', 'print this usage and exit')
    .configureHelp({ styleTitle: (title) => title.toLowerCase() })
    .showHelpAfterError()
    .allowExcessArguments(false)
    .exitOverride((e) => process.exit(e.exitCode === 0 ? EXIT.ok : EXIT.usage));
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

/** An input folder, resolved, or the process ends with one line naming it (exit 2). */
export function inputDirectory(dir: string, what: string): string {
  const resolved = path.resolve(dir);
  const stat = statSync(resolved, { throwIfNoEntry: false });
  if (!stat?.isDirectory()) fail(`${what} ${dir}: ${stat ? 'not a folder' : 'no such folder'}`);
  return resolved;
}

/**
 * The dataset folder a command reads: `--data`, else DATASET_DIR, else ../shared/data/online-retail beside the
 * project; resolved, or the process ends with one line naming it (exit 2).
 */
export function datasetDirectory(data: string | undefined): string {
  const projectRoot = fileURLToPath(new URL('../..', import.meta.url));
  return inputDirectory(
    data ?? process.env.DATASET_DIR ?? path.join(projectRoot, '../shared/data/online-retail'),
    'dataset folder',
  );
}

/** commander parsers: the option's value, or a usage error naming what it must be. */
export const parse = {
  wholeNumber: (value: string): number => {
    const n = Number(value);
    if (!/^\d+$/.test(value) || !Number.isSafeInteger(n)) throw new InvalidArgumentError('must be a whole number');
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
  /** A calendar day, YYYY-MM-DD. */
  day: (value: string): string => {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(value) || Number.isNaN(Date.parse(`${value}T00:00:00Z`)))
      throw new InvalidArgumentError('must be a date YYYY-MM-DD');
    return value;
  },
};
