/**
 * `npm run bench [-- --only bundles|api[,…]] [--runs N] [--duration S] [--connections N] [--warmup S] [--rounds N]`
 *
 * Runs the benchmark sections, writes bench-results/report.json and report.md, and prints the markdown.
 * A section is an id, a title and a run(ctx) that returns tables, targets and raw data; add one by
 * appending it to `sections`. Targets are reported, never asserted: the exit code is non-zero only when a
 * section could not run.
 */
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { InvalidArgumentError } from 'commander';
import { command, parse } from '../../bin/cli';
import { analyticsSection } from './analytics';
import { apiSection } from './api';
import { bundlesSection } from './bundles';
import { coldStartSection } from './cold-start';
import { checkoutSection } from './checkout';
import { eventsSection } from './events';
import { mlSection } from './ml';
import { pathsSection } from './paths';
import { recommendationsSection } from './recommendations';
import { searchSection } from './search';
import { startSection } from './start';
import { storageSection } from './storage';
import {
  machineInfo,
  writeReport,
  type BenchContext,
  type BenchOptions,
  type Report,
  type Section,
  type SectionReport,
} from './report';

export const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export const sections: Section[] = [
  bundlesSection,
  coldStartSection,
  apiSection,
  checkoutSection,
  recommendationsSection,
  pathsSection,
  analyticsSection,
  searchSection,
  eventsSection,
  storageSection,
  mlSection,
  startSection,
];

export const defaultOptions: BenchOptions = { runs: 7, duration: 10, connections: 10, warmup: 2, rounds: 5 };

const log = (message: string) => process.stderr.write(`[bench] ${message}\n`);

/** Cleanups of the running section, run in reverse order on success, failure or interruption. */
const deferred: (() => Promise<void> | void)[] = [];
const exitKills: (() => void)[] = [];

async function runDeferred() {
  while (deferred.length) {
    const cleanup = deferred.pop()!;
    try {
      await cleanup();
    } catch (e) {
      log(`cleanup failed: ${(e as Error).message}`);
    }
  }
}

const runExitKills = () => {
  for (const kill of exitKills.splice(0)) {
    try {
      kill();
    } catch {
      // Best effort: the process is exiting.
    }
  }
};

export async function runBench(selected: Section[], options: BenchOptions): Promise<Report> {
  const startedAt = new Date();
  const t0 = performance.now();
  const report: Report = {
    startedAt: startedAt.toISOString(),
    durationMs: 0,
    machine: machineInfo(),
    options,
    sections: [],
  };
  const ctx: BenchContext = {
    projectRoot,
    options,
    log,
    defer: (cleanup) => void deferred.push(cleanup),
    onExit: (kill) => void exitKills.push(kill),
  };
  for (const section of selected) {
    log(`section ${section.id}: ${section.title}`);
    const s0 = performance.now();
    const entry: SectionReport = {
      id: section.id,
      title: section.title,
      durationMs: 0,
      loadavgAtStart: os.loadavg().map((l) => Math.round(l * 100) / 100),
    };
    try {
      Object.assign(entry, await section.run(ctx));
    } catch (e) {
      entry.error = (e as Error).stack ?? String(e);
      log(`section ${section.id} failed: ${entry.error}`);
    } finally {
      await runDeferred();
      runExitKills();
    }
    entry.durationMs = Math.round(performance.now() - s0);
    report.sections.push(entry);
  }
  report.durationMs = Math.round(performance.now() - t0);
  return report;
}

function parseCli(argv: string[]): { selected: Section[]; options: BenchOptions } {
  const ids = sections.map((s) => s.id);
  const values = command(
    'npm run bench --',
    'Run the benchmark sections, write bench-results/report.json and report.md, and print the markdown',
  )
    .option('--only <sections>', `run only these sections, comma-separated: ${ids.join(', ')}`, (value) => {
      const only = value
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
      const unknown = only.filter((id) => !ids.includes(id));
      if (unknown.length)
        throw new InvalidArgumentError(`unknown section ${unknown.join(', ')}; known: ${ids.join(', ')}`);
      return only;
    })
    .option('--runs <n>', 'runs per measurement', parse.positiveNumber, defaultOptions.runs)
    .option('--duration <s>', 'seconds per load test', parse.positiveNumber, defaultOptions.duration)
    .option(
      '--connections <n>',
      'concurrent connections of a load test',
      parse.positiveNumber,
      defaultOptions.connections,
    )
    .option('--warmup <s>', 'seconds of warm-up before a load test', parse.nonNegativeNumber, defaultOptions.warmup)
    .option('--rounds <n>', 'rounds of a repeated measurement', parse.positiveNumber, defaultOptions.rounds)
    .addHelpText(
      'after',
      '\nexit codes: 0 every section ran (targets are reported, never asserted), 1 a section could not run, 2 bad usage',
    )
    .parse(argv, { from: 'user' })
    .opts<BenchOptions & { only?: string[] }>();
  const options: BenchOptions = {
    runs: Math.max(1, Math.round(values.runs)),
    duration: values.duration,
    connections: Math.max(1, Math.round(values.connections)),
    warmup: values.warmup,
    rounds: Math.max(1, Math.round(values.rounds)),
  };
  const selected = values.only ? sections.filter((s) => values.only!.includes(s.id)) : sections;
  return { selected, options };
}

async function main() {
  const cli = parseCli(process.argv.slice(2));
  // Interrupted: stop what the running section started (child processes, DynamoDB Local) before leaving.
  let interrupted = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (interrupted) return;
    interrupted = true;
    log(`${signal}: stopping child processes`);
    void runDeferred().finally(() => {
      runExitKills();
      process.exit(signal === 'SIGINT' ? 130 : 143);
    });
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  process.on('exit', runExitKills);

  const report = await runBench(cli.selected, cli.options);
  const { json, md, markdown } = writeReport(projectRoot, report);
  process.stdout.write(`${markdown}\n`);
  log(
    `report written to ${path.relative(process.cwd(), md)} and ${path.relative(process.cwd(), json)} (${(report.durationMs / 1000).toFixed(1)} s)`,
  );
  if (report.sections.some((s) => s.error)) process.exitCode = 1;
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  main().catch((e) => {
    log(`bench failed: ${(e as Error).stack ?? e}`);
    runExitKills();
    process.exit(1);
  });
}
