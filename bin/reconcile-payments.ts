/**
 * npm run payments:reconcile -- [--grace-seconds N] [--json] [--prefix <stage prefix> [--region R]]
 *   Compares the payment gateway's records with the payments ledger and the orders, order by order, and
 *   prints every mismatch: charged but cancelled and unrefunded, confirmed but not charged, an amount that is
 *   not the order's total, a charge or refund one side has and the other does not, an order stuck PENDING.
 *   Orders touched within the grace period (default 300 s) are in flight and left out.
 * Locally it reads the running platform's tables (`npm start`, found through LOCAL_DATA_DIR/runtime.json).
 * Against a deployed stage, `--prefix` names the tables (`<prefix>-payments`, `<prefix>-orders`) and the
 * SDK's default endpoints, region and credentials are used. The same check runs daily in AWS (the
 * reconcilePayments job), alarmed on any mismatch.
 * Exits 0 when everything reconciles, 1 on any mismatch (or when it cannot read), 2 on bad usage.
 */
import { command, usageError, EXIT, parse, runningLocalPlatform } from './cli';
import { tables } from '../lib/tables';

const program = command(
  'npm run payments:reconcile --',
  "Compare the payment gateway's records with the payments ledger and the orders; print every mismatch",
)
  .option('--grace-seconds <n>', 'leave out orders touched in the last N seconds', parse.wholeNumber, 300)
  .option('--json', 'print the mismatches as JSON')
  .option(
    '--prefix <stage prefix>',
    "reconcile a deployed stage's tables (P-payments, P-orders) with the AWS SDK's credentials",
    parse.stagePrefix,
  )
  .option('--region <region>', "the stage's region (with --prefix)")
  .addHelpText(
    'after',
    '\nexit codes: 0 everything reconciles, 1 a mismatch (or the tables could not be read), 2 bad usage',
  )
  .parse();
const args = program.opts<{ graceSeconds: number; json?: boolean; prefix?: string; region?: string }>();
const graceSeconds = args.graceSeconds;
if (args.region && !args.prefix) usageError(program, '--region goes with --prefix');

if (args.prefix) {
  process.env.PAYMENTS_TABLE = `${args.prefix}-${tables.payments.name}`;
  process.env.ORDERS_TABLE = `${args.prefix}-${tables.orders.name}`;
  if (args.region) process.env.AWS_REGION = args.region;
  console.error(`Reconciling stage ${args.prefix} (tables ${process.env.PAYMENTS_TABLE}, ${process.env.ORDERS_TABLE})`);
} else {
  const running = await runningLocalPlatform();
  Object.assign(process.env, running.env);
  console.error(`Reconciling the local platform at ${running.apiUrl}`);
}

try {
  // Loaded once the environment names the tables: the deps read it when built.
  const { livePaymentsDeps } = await import('../functions/payments/deps');
  const { reconcilePayments } = await import('../functions/payments/domain/reconcile');
  const { mismatches, checked } = await reconcilePayments(livePaymentsDeps(), graceSeconds);
  if (args.json) console.log(JSON.stringify({ checked, mismatches }, null, 2));
  else {
    for (const m of mismatches)
      console.log(`${m.kind.padEnd(30)} ${m.orderId}  ${m.message}  ${JSON.stringify(m.details)}`);
    console.log(
      `${checked.orders} orders, ${checked.gatewayCharges} gateway charges, ${checked.gatewayRefunds} gateway refunds, ${checked.ledgerEntries} ledger entries: ` +
        (mismatches.length ? `${mismatches.length} mismatch(es)` : 'everything reconciles'),
    );
  }
  if (mismatches.length) process.exitCode = EXIT.failed;
} catch (e) {
  console.error(`reconciliation failed: ${(e as Error).message}`);
  process.exitCode = EXIT.failed;
}
