/**
 * A real browser for the e2e tests: the machine's chromium driven by playwright-core (which downloads no
 * browser), launched as test/e2e/dashboard.test.ts launches it, and a page wrapper that records what went wrong
 * on it (console errors, page errors, failed requests) and every request it made.
 */
import { execFileSync } from 'node:child_process';
import { chromium, type Browser, type Page } from 'playwright-core';

const CHROMIUM_ARGS = [
  '--headless=new',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--disable-background-networking',
];

/** The chromium on the PATH, or '' when there is none. */
export const chromiumPath = (() => {
  try {
    return execFileSync('which', ['chromium'], { encoding: 'utf8' }).trim();
  } catch {
    return '';
  }
})();

export async function launchChromium(): Promise<Browser> {
  if (!chromiumPath) {
    throw new Error(
      "Debian's chromium is not installed (no `chromium` on the PATH): apt-get install -y chromium — .ci/run does this on CI",
    );
  }
  return chromium.launch({ executablePath: chromiumPath, args: CHROMIUM_ARGS });
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
