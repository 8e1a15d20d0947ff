/**
 * Time values cross the port as UTC text both engines cast without a zone: 'YYYY-MM-DD HH:MM:SS.mmm'.
 * (Redshift's TIMESTAMP drops or mis-reads an ISO 'T…Z' suffix depending on the path; this form is unambiguous.)
 */
export function toSqlTimestamp(value: Date | string): string {
  const d = typeof value === 'string' ? new Date(value) : value;
  if (Number.isNaN(d.getTime())) throw new Error(`Not a date-time: ${String(value)}`);
  return d.toISOString().replace('T', ' ').replace('Z', '');
}

/** The UTC calendar day of an instant, 'YYYY-MM-DD'. */
export function toSqlDate(value: Date | string): string {
  return toSqlTimestamp(value).slice(0, 10);
}
