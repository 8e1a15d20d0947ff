/**
 * Dates in queries: what a date field takes (./field-values.ts parseDate) and OpenSearch's date math relative to
 * the request's `now` (`now`, `now-7d`, `now+1h`). Rounding (`/d`) and anchored math (`2026-01-01||+1M`) are
 * refused rather than guessed.
 */
import { parsingError } from './errors';
import { parseDate } from './field-values';

const UNIT_MS: Record<string, number> = {
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  H: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};

export function dateValue(value: unknown, now: number, where: string): number {
  if (typeof value === 'string' && value.startsWith('now')) {
    let millis = now;
    const steps = value.slice(3);
    const step = /([+-])(\d+)([smhHdw])/y;
    let at = 0;
    while (at < steps.length) {
      step.lastIndex = at;
      const parts = step.exec(steps);
      if (!parts)
        throw parsingError(
          `[${where}] date math [${value}] is not supported by the local search engine (now, now±N with s, m, h, d, w)`,
        );
      millis += (parts[1] === '-' ? -1 : 1) * Number(parts[2]) * UNIT_MS[parts[3]!]!;
      at = step.lastIndex;
    }
    return millis;
  }
  const parsed = parseDate(value);
  if (parsed === undefined)
    throw parsingError(
      `[${where}] failed to parse date field [${String(value)}] with format [strict_date_optional_time||epoch_millis]`,
    );
  return parsed;
}
