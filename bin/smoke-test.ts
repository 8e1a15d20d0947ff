/**
 * npm run smoke -- --api-url URL [--no-checkout]
 * The post-deploy smoke test of a stage (lib/ops/smoke-test/): health, the OpenAPI document, a product read, a
 * search, a throwaway shopper's sign-up and login, and — unless --no-checkout, as in Prod — a checkout of the
 * stage's smoke test product with `tok_visa` that must reach CONFIRMED. The pipeline runs it after each
 * stage's deployment; any failed check exits 1, which stops the pipeline there.
 */
import { InvalidArgumentError } from 'commander';
import { command, EXIT, parse } from './cli';
import { runSmokeTest, type CheckResult } from '../lib/ops/smoke-test/run';
import { SMOKE_TEST_PRODUCT } from '../lib/ops/smoke-test/test-product';

const httpUrl = (value: string): URL => {
  const url = URL.canParse(value) ? new URL(value) : undefined;
  if (!url || !['http:', 'https:'].includes(url.protocol) || url.search || url.hash)
    throw new InvalidArgumentError(
      'must be an http(s) URL such as https://abc.execute-api.eu-west-1.amazonaws.com/v1/',
    );
  return url;
};

const program = command('npm run smoke --', "Smoke-test a deployed stage's API (or the local platform's)")
  .requiredOption(
    '--api-url <url>',
    "the API's URL: the stage's ApiUrl output (ending /v1/), or the local edge's root (http://127.0.0.1:3000)",
    httpUrl,
  )
  .option('--no-checkout', 'skip the checkout: read and sign up only, as in Prod')
  .option('--product <id>', 'the product the checkout buys', SMOKE_TEST_PRODUCT.id)
  .option('--timeout <seconds>', 'how long one request may take (default 10)', parse.positiveNumber)
  .option('--order-timeout <seconds>', 'how long the order may stay PENDING (default 60)', parse.positiveNumber)
  .addHelpText('after', '\nexit codes: 0 every check passed, 1 a check failed, 2 bad usage')
  .parse();
const cli = program.opts<{
  apiUrl: URL;
  checkout: boolean;
  product: string;
  timeout?: number;
  orderTimeout?: number;
}>();

const symbol: Record<CheckResult['outcome'], string> = { passed: 'ok  ', failed: 'FAIL', skipped: 'skip' };
console.log(`Smoke test of ${cli.apiUrl.href}${cli.checkout ? '' : ' (no checkout)'}`);
const results = await runSmokeTest(
  {
    apiUrl: cli.apiUrl,
    checkout: cli.checkout,
    checkoutProductId: cli.product,
    requestTimeoutMs: (cli.timeout ?? 10) * 1000,
    orderTimeoutMs: (cli.orderTimeout ?? 60) * 1000,
  },
  (r) =>
    (r.outcome === 'failed' ? console.error : console.log)(`${symbol[r.outcome]} ${r.name}: ${r.detail} (${r.ms} ms)`),
);
const failed = results.filter((r) => r.outcome !== 'passed');
if (failed.length > 0) {
  console.error(`smoke test failed: ${failed.map((r) => `${r.name} ${r.outcome}`).join(', ')}`);
  process.exitCode = EXIT.failed;
} else {
  console.log(`smoke test passed: ${results.length} checks`);
}
