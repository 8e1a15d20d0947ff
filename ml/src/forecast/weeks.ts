/**
 * ISO weeks (Monday to Sunday) on the data's own calendar: InvoiceDate is naive UK local time, and the reader
 * keeps its digits (catalog-data/invoice-lines.ts writes them with a 'Z'), so a line's local day is the first
 * ten characters of `invoiceDate`. Converting through a time zone would move lines near midnight across a
 * DST change into the wrong day, and a Sunday-night line into the wrong week.
 */
const DAY_MS = 86_400_000;

/** Days since 1970-01-01 of a 'YYYY-MM-DD' day (or of the day part of an ISO timestamp). */
export function dayNumber(day: string): number {
  const time = Date.parse(`${day.slice(0, 10)}T00:00:00Z`);
  if (!Number.isFinite(time)) throw new Error(`Not a date: '${day}'`);
  return Math.round(time / DAY_MS);
}

/** 'YYYY-MM-DD' of a day number. */
export const dayString = (n: number): string => new Date(n * DAY_MS).toISOString().slice(0, 10);

/** Monday = 0 … Sunday = 6. 1970-01-01 was a Thursday. */
const weekday = (n: number) => (((n + 3) % 7) + 7) % 7;

/** Whether 'YYYY-MM-DD' is a Monday. */
export const isMonday = (day: string): boolean => weekday(dayNumber(day)) === 0;

/** The Monday starting the ISO week of a day ('YYYY-MM-DD' or an ISO timestamp's local day), as 'YYYY-MM-DD'. */
export const weekStartOf = (day: string): string => {
  const n = dayNumber(day);
  return dayString(n - weekday(n));
};

/** Week index: whole weeks from the Monday `origin` to the week holding `day` (negative before it). */
export const weekIndex = (origin: string, day: string): number =>
  Math.round((dayNumber(weekStartOf(day)) - dayNumber(origin)) / 7);

/** The Monday `weeks` weeks after the Monday `origin`. */
export const addWeeks = (origin: string, weeks: number): string => dayString(dayNumber(origin) + 7 * weeks);
