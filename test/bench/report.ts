/**
 * The benchmark report: what each section returns, and how it becomes bench-results/report.json and
 * report.md. Benchmarks report figures and ratios against targets; they never fail on time.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { round } from './stats';

export type Cell = string | number | boolean | null;

export interface Table {
  title?: string;
  columns: string[];
  rows: Cell[][];
}

/** A target the section checks its figures against; `pass` is reported, never asserted. */
export interface Target {
  name: string;
  target: string;
  actual: string;
  pass: boolean;
}

export interface SectionResult {
  /** How the figures were obtained, one bullet each. */
  method: string[];
  tables: Table[];
  targets: Target[];
  /** What stands out (failures, anomalies), one bullet each. */
  findings: string[];
  /** Raw figures for report.json. */
  data: unknown;
}

export interface BenchOptions {
  /** Cold-init runs per bundle (median reported). */
  runs: number;
  /** Seconds of measured load per side in the API section. */
  duration: number;
  /** Concurrent connections (API) and concurrent loops (raw GetItem). */
  connections: number;
  /** Seconds of unrecorded load per side before measuring. */
  warmup: number;
  /** The API section's measured time per side is split into this many alternating slices. */
  rounds: number;
}

export interface BenchContext {
  projectRoot: string;
  options: BenchOptions;
  /** Progress to stderr; stdout carries only the report. */
  log(message: string): void;
  /** Registers async cleanup that runs when the section ends, fails, or the process is interrupted. */
  defer(cleanup: () => Promise<void> | void): void;
  /** Registers a synchronous last resort for process exit (e.g. SIGKILL by pid). */
  onExit(kill: () => void): void;
}

export interface Section {
  id: string;
  title: string;
  run(ctx: BenchContext): Promise<SectionResult>;
}

export interface SectionReport extends Partial<SectionResult> {
  id: string;
  title: string;
  durationMs: number;
  /** 1-, 5- and 15-minute load averages when the section started: how busy the shared machine was. */
  loadavgAtStart: number[];
  error?: string;
}

export interface Report {
  startedAt: string;
  durationMs: number;
  machine: { node: string; platform: string; arch: string; cpus: number; cpuModel: string; loadavgAtStart: number[] };
  options: BenchOptions;
  sections: SectionReport[];
}

export const machineInfo = (): Report['machine'] => ({
  node: process.version,
  platform: process.platform,
  arch: process.arch,
  cpus: os.cpus().length,
  cpuModel: os.cpus()[0]?.model ?? 'unknown',
  loadavgAtStart: os.loadavg().map((l) => Math.round(l * 100) / 100),
});

const escapeCell = (cell: Cell): string => {
  if (cell === null || cell === undefined) return '—';
  if (typeof cell === 'boolean') return cell ? 'pass' : 'FAIL';
  return String(cell).replace(/\|/g, '\\|').replace(/\n/g, ' ');
};

export function markdownTable(table: Table): string {
  const lines = [
    `| ${table.columns.map(escapeCell).join(' | ')} |`,
    `|${table.columns.map(() => '---').join('|')}|`,
    ...table.rows.map((row) => `| ${row.map(escapeCell).join(' | ')} |`),
  ];
  return (table.title ? `**${table.title}**\n\n` : '') + lines.join('\n');
}

export function renderMarkdown(report: Report): string {
  const { machine, options } = report;
  const out: string[] = [
    '# ECIComm benchmarks',
    '',
    `Run ${report.startedAt} in ${(report.durationMs / 1000).toFixed(1)} s on Node ${machine.node} (${machine.platform}/${machine.arch}), ` +
      `${machine.cpus} × ${machine.cpuModel}, load average at start ${machine.loadavgAtStart.join(' / ')}. ` +
      `Options: ${options.runs} init runs; ${options.duration} s × ${options.connections} connections per side in ${options.rounds} alternating slices, ${options.warmup} s warm-up. ` +
      'Figures only: the machine is shared and noisy, targets are reported, never asserted.',
  ];
  const busiest = Math.max(...report.sections.map((s) => s.loadavgAtStart[0] ?? 0), machine.loadavgAtStart[0] ?? 0);
  if (busiest > machine.cpus) {
    out.push(
      '',
      `> **Busy machine:** a 1-minute load average of up to ${busiest} on ${machine.cpus} cores during this run. Wall-clock figures are inflated and ratios noisy; ` +
        'prefer the CPU-time columns and findings, and compare with a run on a quieter machine.',
    );
  }
  report.sections.forEach((section, i) => {
    out.push(
      '',
      `## ${i + 1}. ${section.title}`,
      '',
      `_Section \`${section.id}\`, ${(section.durationMs / 1000).toFixed(1)} s; load average at its start ${section.loadavgAtStart.join(' / ')}._`,
    );
    if (section.error) {
      out.push('', `**Section failed:** ${section.error}`);
    }
    if (section.targets?.length) {
      out.push(
        '',
        markdownTable({
          title: 'Targets',
          columns: ['target', 'wanted', 'actual', 'result'],
          rows: section.targets.map((t) => [t.name, t.target, t.actual, t.pass]),
        }),
      );
    }
    for (const table of section.tables ?? []) out.push('', markdownTable(table));
    if (section.findings?.length) out.push('', '**Findings**', '', ...section.findings.map((f) => `- ${f}`));
    if (section.method?.length) out.push('', '**Method**', '', ...section.method.map((m) => `- ${m}`));
  });
  return out.join('\n') + '\n';
}

export function writeReport(projectRoot: string, report: Report): { json: string; md: string; markdown: string } {
  const dir = path.join(projectRoot, 'bench-results');
  mkdirSync(dir, { recursive: true });
  const json = path.join(dir, 'report.json');
  const md = path.join(dir, 'report.md');
  const markdown = renderMarkdown(report);
  writeFileSync(json, JSON.stringify(report, null, 2) + '\n');
  writeFileSync(md, markdown);
  return { json, md, markdown };
}

/** One side of a throughput comparison: what it answered, and how fast. */
export interface LoadSide {
  label: string;
  answered: number;
  errors: number;
  perS: number;
  p50Ms: number;
  p99Ms: number;
}

/** Two sides under the same load, and the first's figures over the second's. */
export function comparisonTable(title: string, unit: string, a: LoadSide, b: LoadSide, ratioLabel: string): Table {
  const row = (s: LoadSide): Cell[] => [
    s.label,
    s.answered,
    s.errors,
    round(s.perS),
    round(s.p50Ms, 2),
    round(s.p99Ms, 2),
  ];
  return {
    title,
    columns: ['load', unit, 'errors', `${unit}/s`, 'p50 ms', 'p99 ms'],
    rows: [
      row(a),
      row(b),
      [ratioLabel, '', '', round(a.perS / b.perS, 2), round(a.p50Ms / b.p50Ms, 2), round(a.p99Ms / b.p99Ms, 2)],
    ],
  };
}
