/**
 * npm run events:catalog: writes docs/EVENTS.md, the domain event catalog, from functions/events/. With --check it
 * writes nothing and exits 1 when the checked-in file differs from what would be written.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { EVENTS_DOC, renderEventCatalog } from '../lib/events-catalog';
import { command } from './cli';

const values = command(
  'npm run events:catalog --',
  `Write ${EVENTS_DOC}, the domain event catalog, from functions/events/`,
)
  .option('--check', 'write nothing; exit 1 when the file is stale')
  .addHelpText('after', '\nexit codes: 0 written or up to date, 1 stale (--check), 2 bad usage')
  .parse()
  .opts<{ check?: boolean }>();

const file = path.join(fileURLToPath(new URL('..', import.meta.url)), EVENTS_DOC);
const rendered = renderEventCatalog();
const current = existsSync(file) ? readFileSync(file, 'utf8') : undefined;
if (values.check) {
  console[current === rendered ? 'log' : 'error'](
    current === rendered ? `${EVENTS_DOC} is up to date.` : `${EVENTS_DOC} is stale: run npm run events:catalog`,
  );
  process.exit(current === rendered ? 0 : 1);
}
if (current !== rendered) writeFileSync(file, rendered);
console.log(current === rendered ? `${EVENTS_DOC} was up to date.` : `Wrote ${EVENTS_DOC}`);
