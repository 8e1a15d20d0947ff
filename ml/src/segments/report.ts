/** The markdown tables of the segments evaluation (ml/src/segments/evaluate.ts), for stdout and ml/README.md. */
import type { SegmentsPart } from '../insights/contract';
import type { RandomSpread } from './future';
import type { SegmentsEvaluation } from './evaluate';

const f2 = (x: number) => x.toFixed(2);
const f3 = (x: number) => x.toFixed(3);
const pct = (x: number) => `${(100 * x).toFixed(1)} %`;
const gbp = (x: number) => `£${Math.round(x).toLocaleString('en-GB')}`;

interface Metrics {
  k: number;
  criterion: string;
  byK: { k: number; silhouette: number; inertia: number }[];
  ari?: { seeds: { runs: number; mean: number; min: number }; bootstrap: { runs: number; mean: number; min: number } };
  seconds: number;
}
const metricsOf = (part: SegmentsPart) => part.metrics as unknown as Metrics;

function ariLine(part: SegmentsPart): string {
  const a = metricsOf(part).ari;
  if (!a) return 'Stability not measured.';
  return (
    `Adjusted Rand index against the chosen fit: ${a.seeds.runs} fits from other seeds mean ${f3(a.seeds.mean)}, min ${f3(a.seeds.min)}; ` +
    `${a.bootstrap.runs} fits on bootstrap resamples of the customers (every customer assigned by each fit's centroids) mean ${f3(a.bootstrap.mean)}, min ${f3(a.bootstrap.min)}.`
  );
}

function segmentTable(part: SegmentsPart): string[] {
  return [
    '| segment | id | customers | value share | typical recency (d) | purchases | spend | tenure (d) | products |',
    '|---|---|---|---|---|---|---|---|---|',
    ...part.segments.map(
      (s) =>
        `| ${s.name} | \`${s.segment}\` | ${s.customers} | ${pct(s.valueShare)} | ${Math.round(s.centroid.recency)} | ${f2(s.centroid.frequency)} | ${gbp(s.centroid.monetary)} | ${Math.round(s.centroid.tenure)} | ${Math.round(s.centroid.breadth)} |`,
    ),
  ];
}

const spreadRow = (label: string, r: RandomSpread, format: (x: number) => string) =>
  `| ${label} | ${format(r.observed.range)} | ${format(r.random.mean.range)} | ${format(r.random.p95.range)} | ` +
  `${r.observed.between.toPrecision(3)} | ${r.random.mean.between.toPrecision(3)} | ${r.random.p95.between.toPrecision(3)} | ${r.pValue.toFixed(4)} |`;

function otherCuts(e: SegmentsEvaluation, days: number): string[] {
  if (e.others.length === 0) return [];
  const p95 = (r: RandomSpread, f: (x: number) => string) => `${f(r.observed.range)} (${f(r.random.p95.range)})`;
  return [
    `The same check at earlier cuts (same settings, k by the same criterion, no stability runs); in brackets the 95th percentile of ${e.repeat.random.runs} random splits:`,
    '',
    `| cut | customers | k | bought again in ${days} days, per segment | range (random p95) | revenue per customer, per segment | range (random p95) | p |`,
    '|---|---|---|---|---|---|---|---|',
    ...e.others.map(
      (c) =>
        `| ${c.cut} | ${c.part.customers.length} | ${c.part.segments.length} | ` +
        `${c.outcomes.map((s) => `${s.name} ${pct(s.repeatRate)}`).join('; ')} | ${p95(c.repeat, f3)} | ` +
        `${c.outcomes.map((s) => gbp(s.revenuePerCustomer)).join(', ')} | ${p95(c.revenue, (x) => gbp(x))} | ${Math.max(c.repeat.pValue, c.revenue.pValue).toFixed(4)} |`,
    ),
    '',
  ];
}

export function segmentsReport(e: SegmentsEvaluation, o: { cut: string; days: number; asOf: string }): string {
  const m = metricsOf(e.checkedPart);
  const shipped = metricsOf(e.shipped);
  const runs = e.repeat.random.runs;
  return [
    `### Fitted at ${o.cut}, checked on the ${o.days} days after it`,
    '',
    `${e.checked.customers.length} customers with a purchase before ${o.cut}. Features: recency, frequency (invoices), monetary (GBP), tenure, breadth (distinct products), log1p then standardised; k-means (k-means++ seeding, seeded, best of 5 restarts). ` +
      `k is chosen by the ${m.criterion}, among k 3–8; nothing after the cut is used to fit or to choose.`,
    '',
    '| k | silhouette | inertia | bootstrap ARI mean | bootstrap ARI min |',
    '|---|---|---|---|---|',
    ...m.byK.map((b) => {
      const s = e.stabilityByK.get(b.k);
      return `| ${b.k === m.k ? `**${b.k}**` : b.k} | ${f3(b.silhouette)} | ${b.inertia.toFixed(0)} | ${s ? f3(s.mean) : '–'} | ${s ? f3(s.min) : '–'} |`;
    }),
    '',
    `Chosen: k = ${m.k}. ${ariLine(e.checkedPart)} (Per-k bootstrap columns: 10 resamples each, for information.)`,
    '',
    ...segmentTable(e.checkedPart),
    '',
    `Next ${o.days} days (invoices dated ${o.cut} to ${o.days} days later, exclusive), per segment:`,
    '',
    '| segment | customers | bought again | revenue per customer |',
    '|---|---|---|---|',
    ...e.outcomes.map((s) => `| ${s.name} | ${s.customers} | ${pct(s.repeatRate)} | ${gbp(s.revenuePerCustomer)} |`),
    '',
    `Spread across segments beside ${runs} random splits of the customers into groups of the same sizes (seeded permutations of the labels): ` +
      `range = highest segment figure − lowest; between = size-weighted variance of the segment figures around the overall one; p = share of random splits with a between-variance at least the observed (with +1 smoothing).`,
    '',
    '| figure | range | random mean | random p95 | between | random mean | random p95 | p |',
    '|---|---|---|---|---|---|---|---|',
    spreadRow('bought again (share)', e.repeat, f3),
    spreadRow('revenue per customer (GBP)', e.revenue, (x) => x.toFixed(0)),
    '',
    ...otherCuts(e, o.days),
    `### Shipped: fitted on every invoice, as of ${o.asOf}`,
    '',
    `\`buildSegmentsPart(history, '${o.asOf}')\`: ${e.shipped.customers.length} customers, k = ${shipped.k} ` +
      `(silhouette ${shipped.byK.map((b) => `k ${b.k} ${f3(b.silhouette)}`).join(', ')}). ${ariLine(e.shipped)} ` +
      `Built in ${shipped.seconds.toFixed(1)} s, stability checks included.`,
    '',
    ...segmentTable(e.shipped),
    '',
    ...e.shipped.segments.map((s) => `- **${s.name}**: ${s.description}`),
    '',
    `Timings: ${e.timings.map(([label, s]) => `${label} ${s.toFixed(1)} s`).join('; ')}.`,
  ].join('\n');
}
