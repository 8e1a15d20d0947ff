/**
 * npm run search:reindex -- [--prefix <stage prefix> --endpoint <url> [--region R] [--signing-service es|aoss]]
 *   Rebuilds the products search index from the products table without taking search down: a new concrete index
 *   (`products-v<MAPPING_VERSION>-<time>`) with the current mapping, loaded in `_bulk` pages from a scan of the
 *   table; the `products` alias swapped to it in one request; a second pass that catches up with what changed
 *   meanwhile; then the old index deleted (functions/search/domain/reindex.ts). Searches and the indexer use the
 *   alias throughout. Run it after a change of mapping (MAPPING_VERSION), or to repair the index.
 * Locally it uses the running platform (`npm start`, found through LOCAL_DATA_DIR/runtime.json): its search
 * engine and tables, with its credentials. Against a deployed stage, `--prefix` names the table
 * (`<prefix>-products`), `--endpoint` (or OPENSEARCH_ENDPOINT) the domain's https endpoint, and the SDK's
 * default region and credentials are used (SigV4, signing name `es` unless told).
 * Exits 0 when every product was indexed, 1 when the reindex failed or some products were not indexed, 2 on bad usage.
 */
import { Option } from 'commander';
import { command, usageError, EXIT, parse, runningLocalPlatform } from './cli';
import { Presets, SingleBar } from 'cli-progress';
import { SEARCH_ENV } from '../lib/search';
import { tables } from '../lib/tables';

const program = command(
  'npm run search:reindex --',
  "Rebuild the products search index from the products table, without taking search down. With no options: the running local platform's (npm start; LOCAL_DATA_DIR finds it)",
)
  .option(
    '--prefix <stage prefix>',
    "rebuild a deployed stage's index from its table P-products, with the AWS SDK's credentials",
    parse.stagePrefix,
  )
  .option('--endpoint <url>', `the stage's OpenSearch endpoint, https://… (default: ${SEARCH_ENV.endpoint})`)
  .option('--region <region>', "the stage's region (default: the SDK's)")
  .addOption(
    new Option(
      '--signing-service <service>',
      'es for an OpenSearch Service domain (default), aoss for OpenSearch Serverless',
    ).choices(['es', 'aoss']),
  )
  .parse();
const args = program.opts<{ prefix?: string; endpoint?: string; region?: string; signingService?: string }>();
if (!args.prefix && (args.endpoint || args.region || args.signingService))
  usageError(program, '--endpoint, --region and --signing-service go with --prefix');

if (args.prefix) {
  const endpoint = args.endpoint ?? process.env[SEARCH_ENV.endpoint];
  if (!endpoint || !/^https?:\/\/[^\s/]+/.test(endpoint))
    usageError(program, `--endpoint (or ${SEARCH_ENV.endpoint}) must be the stage's OpenSearch URL, https://…`);
  const service = args.signingService ?? process.env[SEARCH_ENV.signingService] ?? 'es';
  if (service !== 'es' && service !== 'aoss') usageError(program, `${SEARCH_ENV.signingService} must be es or aoss`);
  process.env.PRODUCTS_TABLE = `${args.prefix}-${tables.products.name}`;
  process.env[SEARCH_ENV.endpoint] = endpoint;
  process.env[SEARCH_ENV.signingService] = service;
  if (args.region) process.env.AWS_REGION = args.region;
  console.error(`Reindexing stage ${args.prefix} (table ${process.env.PRODUCTS_TABLE}, search ${endpoint})`);
} else {
  const running = await runningLocalPlatform();
  Object.assign(process.env, running.env);
  console.error(`Reindexing the local platform at ${running.apiUrl} (search ${running.env[SEARCH_ENV.endpoint]})`);
}

const bar = new SingleBar(
  { format: '{pass} [{bar}] {value}/{total} products', hideCursor: true },
  Presets.shades_classic,
);
let barPass: string | undefined;
try {
  // Loaded once the environment names the table and the engine: the deps read it when built.
  const { liveReindexDeps } = await import('../functions/search/index-deps');
  const { reindex } = await import('../functions/search/domain/reindex');
  const started = performance.now();
  const summary = await reindex(liveReindexDeps(), {
    onProgress: ({ done, total, pass }) => {
      const label = pass === 'load' ? 'Loading the new index' : 'Catching up       ';
      if (barPass !== label) {
        if (barPass) bar.stop();
        bar.start(Math.max(total, done), 0, { pass: label });
        barPass = label;
      }
      if (done > bar.getTotal()) bar.setTotal(done);
      bar.update(done, { pass: label });
    },
  });
  if (barPass) bar.stop();
  const failures = [...summary.load.failures, ...summary.catchUp.failures];
  for (const f of failures.slice(0, 20)) console.error(`not indexed: ${f.id}: ${f.reason}`);
  console.log(
    `alias products → ${summary.index} (was ${summary.previous.join(', ') || 'nothing'}); ` +
      `${summary.load.indexed} products indexed from ${summary.load.read} read, catch-up: ${summary.catchUp.indexed} updated, ` +
      `${summary.catchUp.deleted} inactive deleted, ${summary.catchUp.stale} already current; ${failures.length} not indexed; ` +
      `${((performance.now() - started) / 1000).toFixed(1)} s`,
  );
  if (failures.length) process.exitCode = EXIT.failed;
} catch (e) {
  if (barPass) bar.stop();
  console.error(`reindex failed: ${(e as Error).message}`);
  process.exitCode = EXIT.failed;
}
