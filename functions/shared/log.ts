/**
 * What domain code and adapters are handed to log with: a structured message and its details. The
 * functions' Powertools logger (./observability.ts) is one, passed in by each context's deps.ts; tests
 * pass their own.
 */
export interface Log {
  debug(message: string, details: Record<string, unknown>): void;
  info(message: string, details: Record<string, unknown>): void;
  warn(message: string, details: Record<string, unknown>): void;
  error(message: string, details: Record<string, unknown>): void;
}
