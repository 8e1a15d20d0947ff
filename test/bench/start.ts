/**
 * Section `start`: how long `npm start` takes until shoppers can use it, on a fresh data directory (tables made, the
 * dataset's catalog seeded and indexed for search) and on a restart of that directory, `--runs` times each (3 at most
 * by default: a start is seconds of the whole machine). "Ready" is the banner with the URLs, and it counts only once
 * checked from outside: every product listed through GET /v1/products and one found through GET /v1/search.
 * The phases are when the platform's own log lines arrived. The model trains in the background meanwhile.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { BenchContext, Section, SectionResult, Table } from './report';
import { START_PHASES_PREFIX } from '@ecicomm/local-platform/platform/phases';
import { median, round } from './stats';
import { runStart, startEnvironment, type StartRun } from './start-run';

const TARGETS = { freshMs: 10_000, restartMs: 3_000 };
const MAX_RUNS = 3;

/** The log lines that mark the end of a phase, in the order they come. */
const PHASES: [string, string][] = [
  ['first output', ''],
  ['DynamoDB Local and cognito-local up', 'DynamoDB Local on '],
  ['S3, SQS', 'S3 (s3rver) on '],
  ['Kinesis', 'kinesalite on '],
  ['search engine', 'search engine on '],
  ['warehouse', 'Redshift Data API on '],
  ['search index', 'search: index '],
  ['stream consumers', 'analytics: '],
  ['banner', 'ECIComm local platform ready in '],
];

/** The platform's own account (lib/local/platform/phases.ts): each step's end, in s since its process started. */
const platformPhases = (run: StartRun) =>
  run.lines.find((l) => l.line.startsWith(START_PHASES_PREFIX))?.line.slice(START_PHASES_PREFIX.length) ?? null;

/** The step that took longest in the platform's own account: the gap before its mark, since the mark before it. */
const longestStep = (run: StartRun): [string, number] | undefined => {
  const marks = (platformPhases(run) ?? '')
    .split(', ')
    .map((m) => /^(.+) ([\d.]+) s$/.exec(m))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => [m[1], Number(m[2])] as const);
  let longest: [string, number] | undefined;
  marks.forEach(([name, at], i) => {
    const took = at - (i ? marks[i - 1][1] : 0);
    if (!longest || took > longest[1]) longest = [name, round(took, 1)];
  });
  return longest;
};

const phaseTimes = (run: StartRun) =>
  PHASES.map(([, marker]) => run.lines.find((l) => l.line.includes(marker))?.ms ?? null);

const seconds = (ms: number) => round(ms / 1000, 2);

interface Measured {
  kind: 'fresh' | 'restart';
  run: StartRun;
  load: number;
}

async function oneDirectory(ctx: BenchContext, i: number, results: Measured[]) {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'ecicomm-start-bench-'));
  ctx.defer(() => rmSync(dataDir, { recursive: true, force: true }));
  const env = await startEnvironment(dataDir);
  let expected: number | undefined;
  for (const kind of ['fresh', 'restart'] as const) {
    const load = os.loadavg()[0];
    ctx.log(`start ${i + 1} ${kind}: npm start on ${dataDir} (load ${load.toFixed(2)})`);
    const { run, stop } = await runStart(ctx, env, expected);
    try {
      expected = run.listed;
      ctx.log(`start ${i + 1} ${kind}: banner at ${seconds(run.readyMs)} s, checked at ${seconds(run.checkedMs)} s`);
      results.push({ kind, run, load });
    } finally {
      await stop();
    }
  }
}

export const startSection: Section = {
  id: 'start',
  title: 'npm start: fresh data directory and restart, until the dataset is ready',
  async run(ctx): Promise<SectionResult> {
    const runs = Math.min(ctx.options.runs, MAX_RUNS);
    const results: Measured[] = [];
    for (let i = 0; i < runs; i++) await oneDirectory(ctx, i, results);
    const of = (kind: Measured['kind']) => results.filter((r) => r.kind === kind);
    const fresh = median(of('fresh').map((r) => r.run.readyMs));
    const restart = median(of('restart').map((r) => r.run.readyMs));
    const runsTable: Table = {
      title: 'Each start (s since the spawn of npm start)',
      columns: [
        'start',
        'load (1 min)',
        'banner',
        'checked',
        'products listed',
        ...PHASES.slice(0, -1).map(([n]) => n),
      ],
      rows: results.map((r) => [
        r.kind,
        round(r.load, 2),
        seconds(r.run.readyMs),
        seconds(r.run.checkedMs),
        r.run.listed,
        ...phaseTimes(r.run)
          .slice(0, -1)
          .map((ms) => (ms === null ? null : seconds(ms))),
        platformPhases(r.run),
      ]),
    };
    return {
      method: [
        `${runs} fresh data director${runs === 1 ? 'y' : 'ies'} (a temp dir, free ports), each started with \`npm start -- --quiet\` on the dataset, stopped (SIGTERM, as Ctrl-C), and started again (the restart).`,
        '"Ready": the banner with the URLs; then checked from outside: GET /v1/products lists the whole catalog (the restart the same count) and GET /v1/search finds a listed product by its name. A start that fails the check fails the section.',
        "Phases: when each of the platform's log lines arrived, since the spawn (npm's own launch included).",
      ],
      tables: [runsTable],
      targets: [
        {
          name: 'fresh start, median',
          target: `≤ ${TARGETS.freshMs / 1000} s`,
          actual: `${seconds(fresh)} s`,
          pass: fresh <= TARGETS.freshMs,
        },
        {
          name: 'restart, median',
          target: `≤ ${TARGETS.restartMs / 1000} s`,
          actual: `${seconds(restart)} s`,
          pass: restart <= TARGETS.restartMs,
        },
      ],
      findings: results.flatMap((r) => {
        const step = longestStep(r.run);
        return step
          ? [`${r.kind} (load ${round(r.load, 1)}): its longest step ended by "${step[0]}", ${step[1]} s`]
          : [];
      }),
      data: results.map((r) => ({
        kind: r.kind,
        load: r.load,
        readyMs: r.run.readyMs,
        checkedMs: r.run.checkedMs,
        reportedMs: r.run.reportedMs,
        listed: r.run.listed,
        lines: r.run.lines.filter((l) => !l.line.startsWith('  ')),
      })),
    };
  },
};
