/**
 * The local search engine in a process of its own, for tests that kill it: `node --import tsx
 * test/support/search-engine-child.ts <dataDir> <port>`, the secret in SEARCH_SECRET. Prints `ready` once it
 * listens, with how long opening the data directory took (`ready <ms>`); SIGTERM stops it as the platform does.
 */
import { startSearchEngine } from '@ecicomm/local-platform/search/server';

const [dataDir, port] = process.argv.slice(2) as [string, string];
const started = performance.now();
const engine = await startSearchEngine({
  port: Number(port),
  dataDir,
  credentials: { accessKeyId: 'local', secretAccessKey: process.env.SEARCH_SECRET! },
});
process.once('SIGTERM', () => void engine.stop().then(() => process.exit(0)));
console.log(`ready ${Math.round(performance.now() - started)}`);
