/**
 * Two commands on a fresh machine (Node 22 and Java 17, nothing else): `npm install && npm test`.
 * In a fresh clone of this repository in a scratch directory:
 * - `npm install` prints no EBADENGINE warning: run as `npm install --dry-run --offline` (the whole resolution
 *   and engine check from the lock file, in seconds, with nothing fetched or written), and, for any Node that
 *   `engines` admits, not just the one running here: its oldest satisfies every locked package's engines;
 * - the README states that Node, and links nothing outside the repository;
 * - the browser tests find a browser with no chromium on the PATH (the one npm install brought) and drive it.
 * A full `npm install` in the scratch clone is left out: it takes minutes here; `.ci/run` does it on CI.
 */
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import semver from 'semver';
import { findChromium, launchChromium, machineChromium } from '../support/browser';

const root = fileURLToPath(new URL('../..', import.meta.url));
const scratch = mkdtempSync(path.join(tmpdir(), 'ecicomm-fresh-clone-'));
const clone = path.join(scratch, 'ecicomm');

beforeAll(() => {
  execFileSync('git', ['clone', '--quiet', root, clone]);
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

interface Lock {
  packages: Record<
    string,
    { version?: string; engines?: { node?: string } | string[]; os?: string[]; optional?: boolean }
  >;
}

/**
 * The systems the platform runs on (DynamoDB Local's Java, the shell scripts): an optional package built for none
 * of them — sharp's prebuilt binary for 32-bit Windows, whose engines leave Node 22 out — is never installed here.
 */
const SUPPORTED_OS = ['linux', 'darwin'];
const installableHere = (p: Lock['packages'][string]) =>
  !(p.optional && p.os && !p.os.some((os) => SUPPORTED_OS.includes(os)));
const readJson = <T>(file: string): T => JSON.parse(readFileSync(path.join(clone, file), 'utf8')) as T;

describe('a fresh clone', () => {
  it('installs with no engine warning on the Node that runs npm here (Node 22 from the node devDependency)', async () => {
    // npm scripts run on node@22: this is the Node a fresh machine with Node 22 installs with.
    const npmCli = path.join(path.dirname(process.execPath), '../lib/node_modules/npm/bin/npm-cli.js');
    const npm = existsSync(npmCli) ? [process.execPath, npmCli] : ['npm'];
    const { stdout, stderr } = await promisify(execFile)(
      npm[0],
      [...npm.slice(1), 'install', '--dry-run', '--offline', '--no-audit', '--no-fund'],
      {
        cwd: clone,
        env: { ...process.env, PATH: `${path.dirname(process.execPath)}${path.delimiter}${process.env.PATH}` },
      },
    );
    expect(
      semver.satisfies(process.version, readJson<{ engines: { node: string } }>('package.json').engines.node),
    ).toBe(true);
    expect((stdout + stderr).match(/EBADENGINE.*/g) ?? []).toEqual([]);
    expect(stdout).toMatch(/added \d+ packages/);
  }, 120_000);

  it('asks for a Node whose every release satisfies every locked package (no EBADENGINE on any Node engines admits)', () => {
    const wanted = readJson<{ engines: { node: string } }>('package.json').engines.node;
    const oldest = semver.minVersion(wanted)!.version;
    expect(semver.major(oldest)).toBe(22);
    const refusing = Object.entries(readJson<Lock>('package-lock.json').packages)
      .filter(([, p]) => installableHere(p))
      .map(([where, p]) => [where, Array.isArray(p.engines) ? undefined : p.engines?.node] as const)
      .filter(([, range]) => range !== undefined && !semver.satisfies(oldest, range, { includePrerelease: true }))
      .map(([where, range]) => `${where.replace(/^.*node_modules\//, '')}: node ${range}`);
    expect([oldest, refusing]).toEqual([oldest, []]);
  });

  it('says in its README what it needs, and links nothing outside itself', () => {
    const readme = readFileSync(path.join(clone, 'README.md'), 'utf8');
    const oldest = semver.minVersion(readJson<{ engines: { node: string } }>('package.json').engines.node)!.version;
    expect(readme).toContain(`Node.js 22 (${oldest} or later) and a Java 17 runtime`);
    const links = [...readme.matchAll(/\]\(([^)#\s]+)[^)]*\)/g)].map((m) => m[1]).filter((l) => !/^https?:/.test(l));
    expect(links.filter((l) => !existsSync(path.join(clone, l)))).toEqual([]);
    expect(readme).not.toMatch(/\.\.\/shared\/(API|DESIGN)\.md/);
    for (const doc of ['docs/API.md', 'docs/ARCHITECTURE.md']) expect(existsSync(path.join(clone, doc))).toBe(true);
    // .ci/run installs no browser: npm install brings one.
    expect(readFileSync(path.join(clone, '.ci/run'), 'utf8')).not.toMatch(/apt_install\s+chromium/);
  });

  it('finds a browser with no chromium on the PATH (the one npm install brought) and drives it', async () => {
    const noChromium = (process.env.PATH ?? '')
      .split(path.delimiter)
      .filter((dir) => !machineChromium(dir))
      .join(path.delimiter);
    expect(machineChromium(noChromium)).toBeUndefined();
    const found = await findChromium(noChromium);
    expect(found.source).toBe('npm');
    const browser = await launchChromium(found);
    try {
      const page = await browser.newPage();
      await page.setContent(
        '<p id="sum"></p><script>document.getElementById("sum").textContent = String(20 + 22)</script>',
      );
      expect(await page.textContent('#sum')).toBe('42');
    } finally {
      await browser.close();
    }
  }, 120_000);
});
