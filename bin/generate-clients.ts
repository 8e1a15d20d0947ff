/**
 * npm run client:generate: writes the API's clients, generated from its OpenAPI document (lib/api-clients/):
 * clients/openapi.json, clients/typescript/schema.ts (types for openapi-fetch) and clients/http/ecicomm.http.
 * With --check it writes nothing and exits 1 when any checked-in file differs from what would be generated.
 */
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { renderClients } from '../lib/api-clients/render';
import { command } from './cli';

const program = command(
  'npm run client:generate --',
  "Generate the API's clients from its OpenAPI document (functions/api/routes.ts): clients/openapi.json, " +
    'clients/typescript/schema.ts, clients/http/ecicomm.http',
)
  .option('--check', 'write nothing; exit 1 naming each file that is stale')
  .addHelpText('after', '\nexit codes: 0 written or up to date, 1 stale (--check), 2 bad usage')
  .parse();
const values = program.opts<{ check?: boolean }>();

const root = fileURLToPath(new URL('..', import.meta.url));
const files = await renderClients();
const stale = Object.entries(files).filter(([file, contents]) => {
  const full = path.join(root, file);
  return !existsSync(full) || readFileSync(full, 'utf8') !== contents;
});
if (values.check) {
  if (stale.length === 0) console.log('The generated clients are up to date.');
  else console.error(`Stale (run npm run client:generate): ${stale.map(([file]) => file).join(', ')}`);
  process.exit(stale.length === 0 ? 0 : 1);
}
for (const [file, contents] of stale) {
  mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
  writeFileSync(path.join(root, file), contents);
}
console.log(
  stale.length === 0 ? 'The generated clients were up to date.' : `Wrote ${stale.map(([file]) => file).join(', ')}`,
);
