// A new PGlite database from a template of its first state instead of initdb. Plain JavaScript, so that the
// warehouse's thread (engine-thread.mjs) imports it without a TypeScript loader; in-process.ts uses it too.
//
// Creating a database runs Postgres' initdb in WASM: measured here 4.2 s and 4.0 s of CPU for a new directory,
// against 1.4 s and 1.4 s loading the same first state from an archive of it. Every fresh `npm start`, every
// platform a test starts and every in-memory warehouse of a test created one. The first database created on a
// machine (or after PGlite is updated) is archived into node_modules/.cache, before anything is written to it;
// later new databases load that archive. An existing directory opens as it is.
import { createRequire } from 'node:module';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';

/** The archive for this PGlite release, in node_modules/.cache/ecicomm (undefined where that cannot be found). */
function templatePath() {
  try {
    const entry = createRequire(import.meta.url).resolve('@electric-sql/pglite');
    const packageDir = path.resolve(path.dirname(entry), '..');
    const { version } = JSON.parse(readFileSync(path.join(packageDir, 'package.json'), 'utf8'));
    const nodeModules = path.resolve(packageDir, '..', '..');
    return path.join(nodeModules, '.cache', 'ecicomm', 'pglite', `initdb-${version}.tar.gz`);
  } catch {
    return undefined;
  }
}

const isNew = (dataDir) => !dataDir || !existsSync(dataDir) || readdirSync(dataDir).length === 0;

/**
 * PGlite.create(options): a new database (no dataDir: in memory) from the template when there is one, else made
 * and archived as the template. `template` is the archive's path (tests); by default this PGlite release's.
 */
export async function createPGlite(options, template = templatePath()) {
  if (!isNew(options.dataDir)) return PGlite.create(options);
  if (template && existsSync(template)) {
    try {
      return await PGlite.create({ ...options, loadDataDir: new Blob([readFileSync(template)]) });
    } catch {
      // A damaged archive: set it aside, and start this (still new) database the ordinary way.
      rmSync(template, { force: true });
      if (options.dataDir) rmSync(options.dataDir, { recursive: true, force: true });
    }
  }
  const db = await PGlite.create(options);
  if (template) await saveTemplate(db, template).catch(() => undefined);
  return db;
}

/** Archives a database just created, to a name of its own renamed into place (side-by-side writers never mix). */
async function saveTemplate(db, template) {
  mkdirSync(path.dirname(template), { recursive: true });
  const archive = await db.dumpDataDir('gzip');
  const writing = `${template}.${process.pid}-${Math.random().toString(36).slice(2)}.writing`;
  try {
    writeFileSync(writing, Buffer.from(await archive.arrayBuffer()));
    renameSync(writing, template);
  } finally {
    rmSync(writing, { force: true });
  }
}
