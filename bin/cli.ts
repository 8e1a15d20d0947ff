/**
 * What every operator command does alike: `--help` prints the usage on stdout and exits 0; a wrong option or
 * value prints the reason and the usage on stderr and exits 2 (bad usage); 1 stays for a run that failed.
 */
import { parseArgs, type ParseArgsOptionsConfig } from 'node:util';

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
