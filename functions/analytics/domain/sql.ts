/** The last instant converted from text, and its SQL form. */
let lastText: string | undefined;
let lastSql = '';

/**
 * Time values cross the port as UTC text both engines cast without a zone: 'YYYY-MM-DD HH:MM:SS.mmm'.
 * (Redshift's TIMESTAMP drops or mis-reads an ISO 'T…Z' suffix depending on the path; this form is unambiguous.)
 */
export function toSqlTimestamp(value: Date | string): string {
  // A load converts the same instant many times in a row (an order's lines, its date and its time).
  if (typeof value === 'string' && value === lastText) return lastSql;
  const d = typeof value === 'string' ? new Date(value) : value;
  if (Number.isNaN(d.getTime())) throw new Error(`Not a date-time: ${String(value)}`);
  const sql = d.toISOString().replace('T', ' ').replace('Z', '');
  if (typeof value === 'string') [lastText, lastSql] = [value, sql];
  return sql;
}

/** The UTC calendar day of an instant, 'YYYY-MM-DD'. */
export function toSqlDate(value: Date | string): string {
  return toSqlTimestamp(value).slice(0, 10);
}
