/**
 * npm run backup -- --out DIR
 * A consistent, checksummed snapshot of the running local platform's tables (lib/tables.ts) and buckets
 * (lib/buckets.ts), found through LOCAL_DATA_DIR/runtime.json as `npm run replay` finds it. The platform keeps
 * running: everything is read twice and kept only if both reads agree (lib/ops/backup/consistency.ts).
 */
import path from 'node:path';
import { command, EXIT, parse, runningLocalPlatform } from './cli';
import { clientsFromEnvironment, readPlatform } from '../lib/ops/backup/read-platform';
import { readConsistently } from '../lib/ops/backup/consistency';
import { writeSnapshot } from '../lib/ops/backup/write-snapshot';

const program = command(
  'npm run backup --',
  "Write a consistent, checksummed snapshot of the running local platform's tables and buckets to a new folder",
)
  .requiredOption('--out <dir>', 'the folder to write the snapshot to (new, or empty)')
  .option(
    '--attempts <n>',
    'reads to try for two identical ones in a row before giving up (default 5)',
    parse.positiveWholeNumber,
  )
  .addHelpText(
    'after',
    '\nexit codes: 0 snapshot written, 1 the backup failed (platform not running, or busy), 2 bad usage',
  )
  .parse();
const cli = program.opts<{ out: string; attempts?: number }>();

const running = await runningLocalPlatform();
const clients = clientsFromEnvironment(running.env);
try {
  const takenAt = new Date().toISOString();
  const { data, attempts } = await readConsistently(() => readPlatform(clients), {
    attempts: cli.attempts ?? 5,
    onRetry: (n) => console.error(`the platform changed during read ${n}; reading again…`),
  });
  const manifest = writeSnapshot(path.resolve(cli.out), data, { takenAt, attempts });
  const items = Object.values(manifest.tables).reduce((n, t) => n + t.items, 0);
  const objects = Object.values(manifest.buckets).reduce((n, b) => n + b.objects.length, 0);
  console.log(
    `Snapshot of ${running.apiUrl} written to ${cli.out}: ${items} items in ${Object.keys(manifest.tables).length} tables, ${objects} objects in ${Object.keys(manifest.buckets).length} buckets`,
  );
} catch (e) {
  console.error(`backup failed: ${(e as Error).message}`);
  process.exitCode = EXIT.failed;
} finally {
  clients.dynamo.destroy();
  clients.s3.destroy();
}
