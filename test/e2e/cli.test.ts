/**
 * Every npm script that runs a command of ours (bin/, ml/, test/bench) answers as the README's "Command line"
 * says: `--help` prints its usage on stdout and exits 0; an unknown option prints the reason and the usage on
 * stderr and exits 2; a required option left out too; an input file or folder that is missing or not what it
 * should be is one line naming it, exit 2 — never a stack trace. The scripts are read from package.json, so one
 * added tomorrow is held to it, and run as `npm run` runs them (its command line through sh, with
 * node_modules/.bin on the PATH), a few at a time. Nothing here starts the platform.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { runCommand, type Run } from '../support/run-command';

const projectRoot = fileURLToPath(new URL('../..', import.meta.url));
const scripts = (
  JSON.parse(readFileSync(path.join(projectRoot, 'package.json'), 'utf8')) as { scripts: Record<string, string> }
).scripts;
/** The scripts that run a command of ours. */
const ours = Object.keys(scripts).filter((name) => /(^|\s)(bin|ml|test\/bench)\/\S+\.ts\b/.test(scripts[name]));

const scratch = mkdtempSync(path.join(tmpdir(), 'cli-test-'));
const missing = path.join(scratch, 'no-such-thing');
const notJson = path.join(scratch, 'not-json.json');
const badModel = path.join(scratch, 'bad-model');

function run(script: string, args: string[]): Promise<Run> {
  return runCommand('sh', ['-c', `${scripts[script]} "$@"`, 'sh', ...args], {
    cwd: projectRoot,
    env: {
      ...process.env,
      PATH: `${path.join(projectRoot, 'node_modules/.bin')}${path.delimiter}${process.env.PATH}`,
      // No platform is found, no dataset is read: nothing here may start or touch one.
      LOCAL_DATA_DIR: path.join(scratch, 'data'),
      DATASET_DIR: missing,
      MODEL_DIR: '',
      AGGREGATES_TABLE: '',
    },
  });
}

/** The invocations, each run once, a few at a time (each loads its command's modules: seconds). */
const cases = new Map<string, { script: string; args: string[] }>();
const results = new Map<string, Run>();
const key = (script: string, args: string[]) => `${script} ${args.join(' ')}`;
const want = (script: string, args: string[]) => {
  cases.set(key(script, args), { script, args });
  return key(script, args);
};
const result = (script: string, args: string[]) => results.get(key(script, args))!;

/** Where a script takes an input file or folder: the arguments that name a missing one, and malformed ones. */
const inputs: Record<string, { missing: string[]; malformed?: string[] }> = {
  replay: { missing: [missing], malformed: ['--event', notJson] },
  'ml:publish-popular': {
    missing: ['--model', missing, '--table', 't'],
    malformed: ['--model', badModel, '--table', 't'],
  },
  'ml:serve': { missing: ['--model', missing, '--port', '0'] },
  'ml:train': { missing: ['--data', missing] },
  'ml:train-insights': { missing: ['--data', missing] },
  'ml:evaluate': { missing: ['--data', missing] },
  'ml:forecast': { missing: ['--data', missing, '--until', '2011-09-05', '--out', path.join(scratch, 'f.json')] },
  'replay:history': { missing: ['--from', '2011-01-01', '--to', '2011-01-02', '--data', missing] },
  'generate-event': { missing: ['apigw', '--path', '/v1/health', '--body-file', missing] },
  restore: { missing: ['--from', missing] },
  'events:replay': {
    missing: ['--from', '2026-12-07', '--to', '2026-12-08', '--pattern', missing],
    malformed: ['--from', '2026-12-07', '--to', '2026-12-08', '--pattern', notJson],
  },
};
/** Scripts with a required option, and the arguments that leave it out. */
const required: Record<string, string[]> = {
  redrive: [],
  'replay:history': ['--from', '2011-01-01'],
  'ml:publish-popular': ['--table', 't'],
  'ml:forecast': ['--until', '2011-09-05'],
  'generate-event': ['apigw'],
  backup: [],
  restore: [],
  'events:replay': ['--to', '2026-12-08'],
  smoke: [],
};

/** Arguments that satisfy a script's required options, so that the unknown option is what it answers. */
const valid: Record<string, string[]> = {
  redrive: ['--consumer', 'loadOrdersStream'],
  'replay:history': ['--from', '2011-01-01', '--to', '2011-01-02'],
  'ml:publish-popular': ['--model', missing],
  'ml:forecast': ['--until', '2011-09-05', '--out', missing],
  backup: ['--out', missing],
  restore: ['--from', missing],
  'events:replay': ['--from', '2026-12-07', '--to', '2026-12-08'],
  smoke: ['--api-url', 'http://127.0.0.1:1'],
};
const unknownOption = (script: string) => [...(valid[script] ?? []), '--no-such-option'];
for (const script of ours) {
  want(script, ['--help']);
  want(script, unknownOption(script));
}
for (const [script, args] of Object.entries(required)) want(script, args);
for (const [script, { missing: m, malformed }] of Object.entries(inputs)) {
  want(script, m);
  if (malformed) want(script, malformed);
}

beforeAll(async () => {
  writeFileSync(notJson, '{"resource": "/health",\n');
  mkdirSync(badModel);
  writeFileSync(path.join(badModel, 'model.json'), '{"format": "ecicomm-recs/1", "version": ');
  const queue = [...cases.entries()];
  const worker = async () => {
    for (let next = queue.shift(); next; next = queue.shift())
      results.set(next[0], await run(next[1].script, next[1].args));
  };
  await Promise.all([worker(), worker(), worker()]);
}, 600_000);

afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const noStack = (text: string) => expect(text).not.toMatch(/^\s+at .+\(?.*:\d+:\d+\)?$/m);
const usageLine = (script: string) =>
  new RegExp(`^usage: npm ${script === 'start' ? 'start' : `run ${script}`} --`, 'm');

describe('the command line of every script of ours', () => {
  it('covers the commands the README lists', () => {
    expect(ours).toEqual(
      expect.arrayContaining([
        'start',
        'replay',
        'generate-event',
        'redrive',
        'payments:reconcile',
        'search:reindex',
        'replay:history',
        'bench',
        'ml:serve',
        'ml:publish-popular',
        'ml:train',
        'ml:train-insights',
        'ml:evaluate',
        'ml:forecast',
        'archive',
        'backup',
        'restore',
        'events:replay',
        'smoke',
      ]),
    );
  });

  it.each(ours)('%s --help: the usage on stdout, exit 0', (script) => {
    const { code, stdout, stderr } = result(script, ['--help']);
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    expect(stdout).toMatch(usageLine(script));
    expect(stdout).toContain('--help');
  });

  it.each(ours)('%s --no-such-option: the reason and the usage on stderr, exit 2, no stack', (script) => {
    const { code, stdout, stderr } = result(script, unknownOption(script));
    expect({ code, stdout }).toEqual({ code: 2, stdout: '' });
    expect(stderr).toContain("unknown option '--no-such-option'");
    expect(stderr).toMatch(usageLine(script));
    noStack(stderr);
  });

  it.each(Object.entries(required))('%s without a required option: the usage, exit 2', (script, args) => {
    const { code, stdout, stderr } = result(script, args);
    expect({ code, stdout }).toEqual({ code: 2, stdout: '' });
    expect(stderr).toMatch(/required option|error: missing required/);
    expect(stderr).toMatch(usageLine(script));
    noStack(stderr);
  });

  it.each(Object.entries(inputs))(
    '%s with a missing input: one line naming it, exit 2',
    (script, { missing: args }) => {
      const { code, stderr } = result(script, args);
      expect(code).toBe(2);
      expect(stderr.trim().split('\n')).toEqual([expect.stringContaining(missing)]);
    },
  );

  it.each(Object.entries(inputs).filter(([, i]) => i.malformed))(
    '%s with a malformed input: one line naming it, exit 2',
    (script, { malformed }) => {
      const { code, stderr } = result(script, malformed!);
      expect(code).toBe(2);
      expect(stderr.trim().split('\n')).toEqual([expect.stringMatching(/not JSON/)]);
      expect(stderr).toContain(malformed!.includes(notJson) ? notJson : badModel);
    },
  );
});
