import { checkout } from './checkout';
import { health, openApi, productRead, search, signUp, type Check, type CheckContext } from './checks';
import { apiClient, SmokeFailure } from './http';

export interface SmokeTestOptions {
  /** The API's URL: the stage's ApiUrl output, or the local edge's root. */
  readonly apiUrl: URL;
  /** Place an order (staging, dev, local); false in Prod, where the smoke test only reads and signs up. */
  readonly checkout: boolean;
  readonly checkoutProductId: string;
  readonly requestTimeoutMs: number;
  readonly orderTimeoutMs: number;
  readonly pollIntervalMs?: number;
}

export interface CheckResult {
  readonly name: string;
  readonly outcome: 'passed' | 'failed' | 'skipped';
  readonly detail: string;
  readonly ms: number;
}

/** The checks in the order they run: reads first, then the shopper's journey. */
export const checksFor = (options: Pick<SmokeTestOptions, 'checkout'>): Check[] => [
  health,
  openApi,
  productRead,
  search,
  signUp,
  ...(options.checkout ? [checkout] : []),
];

/**
 * Runs every check, each to its end whatever the others did (one run shows every broken part), except that a
 * check needing what a failed one would have left (the shopper's token) is skipped. `onResult` hears each as it ends.
 */
export async function runSmokeTest(
  options: SmokeTestOptions,
  onResult: (result: CheckResult) => void = () => {},
): Promise<CheckResult[]> {
  const ctx: CheckContext = {
    api: apiClient(options.apiUrl, options.requestTimeoutMs),
    checkoutProductId: options.checkoutProductId,
    orderTimeoutMs: options.orderTimeoutMs,
    pollIntervalMs: options.pollIntervalMs ?? 1000,
  };
  const results: CheckResult[] = [];
  for (const check of checksFor(options)) {
    const started = Date.now();
    let result: CheckResult;
    if (check.needs && ctx[check.needs] === undefined) {
      result = { name: check.name, outcome: 'skipped', detail: 'an earlier check failed', ms: 0 };
    } else {
      try {
        result = { name: check.name, outcome: 'passed', detail: await check.run(ctx), ms: Date.now() - started };
      } catch (e) {
        // Anything but a SmokeFailure is a bug of the smoke test itself: say so rather than blame the stage.
        const detail = e instanceof SmokeFailure ? e.message : `smoke test error: ${(e as Error).stack ?? String(e)}`;
        result = { name: check.name, outcome: 'failed', detail, ms: Date.now() - started };
      }
    }
    results.push(result);
    onResult(result);
  }
  return results;
}
