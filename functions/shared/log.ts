/**
 * What domain code and adapters are handed to log with: a structured message and its details. Each
 * context's deps.ts hands in the functions' Powertools logger (./observability.ts); tests pass their own.
 * Where domain code may pick a method before calling it (`(open ? log.debug : log.warn)(…)`), deps.ts
 * wraps the logger in arrow functions: Powertools' methods need their `this`.
 */
export interface Log {
  debug(message: string, details: Record<string, unknown>): void;
  info(message: string, details: Record<string, unknown>): void;
  warn(message: string, details: Record<string, unknown>): void;
  error(message: string, details: Record<string, unknown>): void;
}
