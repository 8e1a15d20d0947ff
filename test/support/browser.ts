/**
 * A real browser for the e2e tests, driven by playwright-core (which downloads no browser), and a page wrapper that
 * records what went wrong on it (console errors, page errors, failed requests) and every request it made.
 *
 * The browser is found either way, with nothing downloaded at run time: the machine's own chromium when it has one
 * on the PATH, else the Chromium that `npm install` brought (@sparticuz/chromium: a compressed x64 Linux build
 * inside the package, unpacked once per version under node_modules/.cache). Every browser test launches it here.
 */
import { execFile } from 'node:child_process';
import { accessSync, constants, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { promisify } from 'node:util';
import { chromium, type Browser, type Page } from 'playwright-core';

/** The flags every launch gets: a headless browser that needs no sandbox, GPU or large /dev/shm. */
const CHROMIUM_ARGS = [
  '--headless=new',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--disable-background-networking',
];

/** Names the machine's chromium goes by (Debian's `chromium`, others' `chromium-browser`). */
const MACHINE_NAMES = ['chromium', 'chromium-browser'];

export interface FoundBrowser {
  source: 'machine' | 'npm';
  executablePath: string;
}

const isExecutable = (file: string): boolean => {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
};

/** The first chromium on `searchPath` (a PATH value), or undefined. */
export function machineChromium(searchPath = process.env.PATH ?? ''): string | undefined {
  for (const dir of searchPath.split(path.delimiter).filter(Boolean)) {
    for (const name of MACHINE_NAMES) {
      const file = path.join(dir, name);
      if (isExecutable(file)) return file;
    }
  }
  return undefined;
}

const require = createRequire(import.meta.url);

/**
 * The packaged Chromium, unpacked from @sparticuz/chromium's brotli files into a directory of this checkout's own
 * (its version in the name), so that another checkout or another version never shares a half-written binary:
 * the package unpacks into os.tmpdir(), so it runs with TMPDIR at a scratch directory, renamed into place once whole.
 */
export async function packagedChromium(): Promise<string> {
  if (process.platform !== 'linux' || process.arch !== 'x64')
    throw new Error(
      `@sparticuz/chromium ships Chromium for x64 Linux only; on ${process.platform}-${process.arch}, put a chromium on the PATH`,
    );
  // Its exports name only the entry (build/index.js), not its package.json.
  const packageDir = path.resolve(path.dirname(require.resolve('@sparticuz/chromium')), '..');
  const { version } = JSON.parse(readFileSync(path.join(packageDir, 'package.json'), 'utf8')) as { version: string };
  const cache = path.resolve(packageDir, '../../.cache/ecicomm-chromium', version);
  const executable = path.join(cache, 'chromium');
  if (isExecutable(executable)) return executable;
  const scratch = `${cache}.${process.pid}.partial`;
  rmSync(scratch, { recursive: true, force: true });
  mkdirSync(scratch, { recursive: true });
  // In a child process: the package unpacks into os.tmpdir(), which reads TMPDIR from the process's real environment.
  const unpack = "const { default: Chromium } = await import('@sparticuz/chromium'); await Chromium.executablePath();";
  await promisify(execFile)(process.execPath, ['--input-type=module', '--eval', unpack], {
    cwd: packageDir,
    env: { ...process.env, TMPDIR: scratch },
  });
  try {
    renameSync(scratch, cache);
  } catch (error) {
    // Another process unpacked the same version first: its copy is as good.
    rmSync(scratch, { recursive: true, force: true });
    if (!isExecutable(executable)) throw error;
  }
  return executable;
}

/** The browser the tests drive: the machine's chromium when it has one, else the one npm install brought. */
export async function findChromium(searchPath = process.env.PATH ?? ''): Promise<FoundBrowser> {
  const onMachine = machineChromium(searchPath);
  if (onMachine) return { source: 'machine', executablePath: onMachine };
  return { source: 'npm', executablePath: await packagedChromium() };
}

export async function launchChromium(found?: FoundBrowser): Promise<Browser> {
  const { executablePath } = found ?? (await findChromium());
  return chromium.launch({ executablePath, args: CHROMIUM_ARGS });
}

export interface PageRecord {
  console: string[];
  pageErrors: string[];
  failedRequests: string[];
  /** Every request the page made, as `METHOD url`. */
  requests: string[];
}

/** A fresh page (its own context: no shared storage) with a record of what happened on it. */
export async function openPage(browser: Browser): Promise<{ page: Page; record: PageRecord }> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const record: PageRecord = { console: [], pageErrors: [], failedRequests: [], requests: [] };
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') record.console.push(`${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => record.pageErrors.push(String(e)));
  page.on('request', (r) => record.requests.push(`${r.method()} ${r.url()}`));
  page.on('requestfailed', (r) => record.failedRequests.push(`${r.method()} ${r.url()}: ${r.failure()?.errorText}`));
  return { page, record };
}
