/**
 * The adjusted Rand index (Hubert & Arabie, 1985) of two labellings of the same items: 1 when they agree up
 * to relabelling, about 0 for independent labellings (its expectation under random labellings of the same
 * sizes), negative below chance.
 */
const pairs = (n: number) => (n * (n - 1)) / 2;

export function adjustedRandIndex(a: readonly number[], b: readonly number[]): number {
  if (a.length !== b.length) throw new Error(`ARI: ${a.length} labels against ${b.length}`);
  const table = new Map<string, number>();
  const rows = new Map<number, number>();
  const columns = new Map<number, number>();
  a.forEach((x, i) => {
    const key = `${x},${b[i]}`;
    table.set(key, (table.get(key) ?? 0) + 1);
    rows.set(x, (rows.get(x) ?? 0) + 1);
    columns.set(b[i], (columns.get(b[i]) ?? 0) + 1);
  });
  let index = 0;
  for (const n of table.values()) index += pairs(n);
  let sumRows = 0;
  for (const n of rows.values()) sumRows += pairs(n);
  let sumColumns = 0;
  for (const n of columns.values()) sumColumns += pairs(n);
  const total = pairs(a.length);
  const expected = total > 0 ? (sumRows * sumColumns) / total : 0;
  const max = (sumRows + sumColumns) / 2;
  // Both labellings a single cluster (or every item alone): they agree perfectly.
  if (max === expected) return 1;
  return (index - expected) / (max - expected);
}
