/**
 * npm run archive -- [--before DATE] [--retention-days N] [--batch-size N]
 * Moves terminal orders (CONFIRMED, CANCELLED) created before DATE — by default, older than the retention
 * (365 days) — from the running local platform's orders table to its archive bucket, as the daily scheduled
 * job does (functions/orders/archive). Safe to interrupt and rerun: a rerun finishes what the last one left.
 * One run at a time: while another holds the archive lease this one archives nothing and exits 3, saying until
 * when; a killed run's lease lapses after --lease-seconds (300 by default).
 */
import { InvalidArgumentError } from 'commander';
import { command, EXIT, parse, runningLocalPlatform } from './cli';

const program = command(
  'npm run archive --',
  'Archive old terminal orders of the running local platform to its order-archive bucket, and print the report',
)
  .option('--before <date>', 'archive orders created before this ISO 8601 date or date-time', (value: string) => {
    if (!/^\d{4}-\d{2}-\d{2}(T[\d:.]+(Z|[+-]\d{2}:\d{2})?)?$/.test(value) || Number.isNaN(Date.parse(value)))
      throw new InvalidArgumentError('must be an ISO 8601 date such as 2025-01-31');
    return new Date(value).toISOString();
  })
  .option(
    '--retention-days <n>',
    'without --before: archive orders older than this many days (default 365)',
    parse.positiveWholeNumber,
  )
  .option('--batch-size <n>', 'orders per archive object (default 100)', parse.positiveWholeNumber)
  .option(
    '--lease-seconds <n>',
    'how long the run lease lasts past its last renewal, after every batch (default 300): how soon a killed run is taken over',
    parse.positiveWholeNumber,
  )
  .addHelpText(
    'after',
    '\nexit codes: 0 archived (or nothing to archive), 1 the run failed, 2 bad usage, 3 another archive run holds the lease (nothing done)',
  )
  .parse();
const cli = program.opts<{ before?: string; retentionDays?: number; batchSize?: number; leaseSeconds?: number }>();
/** Exit code of a run that found the lease held by another. */
const LEASE_HELD = 3;
if (cli.before && cli.retentionDays) program.error('give --before or --retention-days, not both');

const running = await runningLocalPlatform();
Object.assign(process.env, running.env);
try {
  // Loaded once the platform's environment is in place: the deps read it when they are built.
  const { archiveOrders, LeaseHeldError } = await import('../functions/orders/archive/archive-orders');
  const { liveArchiveDeps } = await import('../functions/orders/archive/deps');
  const deps = liveArchiveDeps();
  if (cli.retentionDays) deps.retentionDays = cli.retentionDays;
  if (cli.batchSize) deps.batchSize = cli.batchSize;
  if (cli.leaseSeconds) deps.leaseSeconds = cli.leaseSeconds;
  try {
    console.log(JSON.stringify(await archiveOrders(deps, { before: cli.before }), null, 2));
  } catch (e) {
    if (!(e instanceof LeaseHeldError)) throw e;
    console.error(`archive not run: ${e.message}`);
    process.exitCode = LEASE_HELD;
  }
} catch (e) {
  console.error(`archive failed: ${(e as Error).message}`);
  process.exitCode = EXIT.failed;
}
