/**
 * The integration platform's log. The platform runs in jest's own process (the global setup) and invokes the
 * handlers in-process, so what they write — Powertools' JSON logs (stdout, and stderr for warnings and errors) and
 * the metrics' EMF lines — goes to that process's output, between jest's own report. Each JSON document written
 * there goes to a file the tests read (PlatformInfo.logFile) instead of the terminal, errors excepted (they go to
 * both): at INFO the handlers write thousands. The rest (jest's report, whose test titles name payment tokens, the
 * platform's own messages) stays on the terminal only.
 */
import { closeSync, openSync, writeSync } from 'node:fs';

const ERROR_LEVEL = /"level":\s*"(?:ERROR|CRITICAL)"/;

export function capturePlatformLog(file: string): { restore: () => void } {
  const fd = openSync(file, 'a');
  const streams = [process.stdout, process.stderr];
  const originals = streams.map((stream) => stream.write);
  streams.forEach((stream, i) => {
    const original = originals[i];
    stream.write = function (this: NodeJS.WriteStream, chunk: unknown, ...rest: unknown[]): boolean {
      const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8');
      const json = text.trimStart().startsWith('{');
      if (json) writeSync(fd, text);
      if (json && !ERROR_LEVEL.test(text)) {
        // Kept off the terminal, but a caller waiting on the write's callback still gets it.
        const callback = rest.find((r) => typeof r === 'function') as (() => void) | undefined;
        if (callback) process.nextTick(callback);
        return true;
      }
      return (original as (...args: unknown[]) => boolean).call(this, chunk, ...rest);
    };
  });
  return {
    restore: () => {
      streams.forEach((stream, i) => (stream.write = originals[i]));
      closeSync(fd);
    },
  };
}

/**
 * Secrets that must never be in a log, by their shape: Cognito's tokens (JWTs), payment tokens, and the passwords
 * the tests make (support/api.ts strongPassword). Redaction leaves `[redacted]` and `tok_[redacted]`, which do not
 * match. Each finding is cut short, so that a failure report does not itself spread the secret.
 */
const SECRET_SHAPES: [string, RegExp][] = [
  ['a JWT', /eyJ[\w-]{8,}\.eyJ[\w-]{8,}\.[\w-]+/g],
  ['a payment token', /\btok_(?!\[redacted\])[A-Za-z0-9_]+/g],
  ['a test password', /Pw![0-9a-f]{8}a9Z/g],
];

export function secretsIn(log: string): string[] {
  return SECRET_SHAPES.flatMap(([what, pattern]) =>
    [...log.matchAll(pattern)].map((m) => `${what} at offset ${m.index}: ${m[0].slice(0, 8)}…`),
  );
}

/** The JSON documents of a log, parsed: Powertools logs (pretty-printed over several lines locally) and EMF lines. */
export function jsonDocuments(log: string): Record<string, unknown>[] {
  return log
    .split(/\n(?=\{)/)
    .map((chunk) => chunk.trim())
    .filter((chunk) => chunk.startsWith('{'))
    .map((chunk) => JSON.parse(chunk) as Record<string, unknown>);
}
