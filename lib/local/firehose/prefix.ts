/**
 * Firehose's custom prefixes, the part the local archive needs: `!{timestamp:<pattern>}` with the letters of
 * Java's DateTimeFormatter used for dates (yyyy, MM, dd, HH), rendered at the records' arrival time, in UTC as
 * Firehose does.
 */
const FIELDS: Record<string, (d: Date) => string> = {
  yyyy: (d) => String(d.getUTCFullYear()).padStart(4, '0'),
  MM: (d) => String(d.getUTCMonth() + 1).padStart(2, '0'),
  dd: (d) => String(d.getUTCDate()).padStart(2, '0'),
  HH: (d) => String(d.getUTCHours()).padStart(2, '0'),
};

export function renderPrefix(prefix: string, at: Date): string {
  return prefix.replace(/!\{timestamp:([^}]+)\}/g, (_, pattern: string) =>
    pattern.replace(/yyyy|MM|dd|HH/g, (field) => FIELDS[field](at)),
  );
}

/** A prefix this module cannot render (another namespace, another letter) is refused when the archive starts. */
export function checkPrefix(prefix: string): void {
  const unsupported = [...prefix.matchAll(/!\{([^}]*)\}/g)]
    .map((m) => m[1])
    .filter((expr) => !/^timestamp:(?:yyyy|MM|dd|HH|[/_-])+$/.test(expr));
  if (unsupported.length) throw new Error(`The local archive cannot render ${unsupported.join(', ')} in "${prefix}"`);
}
