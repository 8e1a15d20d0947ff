/**
 * npm run restore -- --from DIR [--force]
 * Loads a snapshot written by `npm run backup` into a fresh LOCAL_DATA_DIR (default .local), for `npm start`
 * to run on. Every file of the snapshot is checked against its sha256 first: a damaged snapshot is refused,
 * naming what is wrong, and nothing is written. A data directory that is not empty is refused unless --force
 * (which replaces it, once the restored one is whole); one a platform is running on is always refused. A
 * restore killed midway leaves the data directory as it was (lib/local/backup/restore-into.ts).
 */
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { findRunningPlatform } from '@ecicomm/local-platform/running-platform';
import { projectRoot } from '@ecicomm/local-platform/platform/project-root';
import { command, EXIT, fail, inputDirectory } from './cli';
import { readVerifiedSnapshot } from '../lib/ops/backup/verify-snapshot';

const program = command('npm run restore --', 'Restore a snapshot (npm run backup) into a fresh LOCAL_DATA_DIR')
  .requiredOption('--from <dir>', 'the snapshot folder')
  .option('--force', 'replace a data directory that is not empty (once the restored one is whole)')
  .addHelpText(
    'after',
    '\nenvironment: LOCAL_DATA_DIR (default .local), the data directory to restore into\n' +
      'exit codes: 0 restored, 1 the restore failed (damaged snapshot, data directory in use or not empty), 2 bad usage',
  )
  .parse();
const cli = program.opts<{ from: string; force?: boolean }>();
const from = inputDirectory(cli.from, 'snapshot folder');
const dataDir = path.resolve(projectRoot, process.env.LOCAL_DATA_DIR ?? '.local');

if (await findRunningPlatform(dataDir)) fail(`A local platform is running on ${dataDir}: stop it first`, EXIT.failed);
if (existsSync(dataDir) && readdirSync(dataDir).length > 0 && !cli.force)
  fail(`${dataDir} is not empty: restore into a fresh LOCAL_DATA_DIR, or pass --force to empty it first`, EXIT.failed);

try {
  // Everything is read and checked before the data directory is touched.
  const { manifest, data } = readVerifiedSnapshot(from);
  const { restoreInto } = await import('@ecicomm/local-platform/backup/restore-into');
  await restoreInto(dataDir, data, { replace: cli.force });
  const items = Object.values(manifest.tables).reduce((n, t) => n + t.items, 0);
  const objects = Object.values(manifest.buckets).reduce((n, b) => n + b.objects.length, 0);
  console.log(`Restored the snapshot of ${manifest.takenAt} into ${dataDir}: ${items} items, ${objects} objects`);
} catch (e) {
  console.error(`restore failed: ${(e as Error).message}`);
  process.exitCode = EXIT.failed;
}
