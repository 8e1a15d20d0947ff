// The local warehouse's engine on a worker thread (see pglite-threaded.ts). Plain JavaScript, so that the
// thread starts without a TypeScript loader, under tsx and vitest alike.
//
// PGlite runs Postgres in WASM on the thread that calls it: creating a database directory takes several
// seconds of synchronous work, and every statement blocks its thread. Here that thread is not the one
// serving the local HTTP edge and polling the streams.
import { parentPort, workerData } from 'node:worker_threads';
import { PGlite, types } from '@electric-sql/pglite';

const db = await PGlite.create({
  ...(workerData.dataDir ? { dataDir: workerData.dataDir } : {}),
  // As in warehouse/pglite.ts: values come back in the shapes the Redshift Data API adapter produces.
  parsers: {
    [types.DATE]: (v) => v,
    [types.TIMESTAMP]: (v) => v,
    [types.INT8]: (v) => Number(v),
    [types.NUMERIC]: (v) => Number(v),
  },
})
  // The reader role, before anything else (warehouse/pglite-reader.ts's ENSURE_READER_ROLE, passed in).
  .then(async (opened) => (await opened.exec(workerData.ensureReaderRole), opened))
  .catch((error) => {
    parentPort.postMessage({ ready: false, error: serialize(error) });
    return undefined;
  });

function serialize(error) {
  return { name: error?.name ?? 'Error', message: error?.message ?? String(error), code: error?.code, detail: error?.detail };
}

/**
 * A reader's request runs in its own read-only transaction as the reader role (warehouse/pglite-reader.ts's
 * READ_ONLY_AS_READER, passed in); a loader's runs as the engine's owner.
 */
function session(request, work) {
  if (!request.asReader) return work(db);
  return db.transaction(async (tx) => {
    await tx.exec(workerData.readOnlyAsReader);
    return work(tx);
  });
}

async function run(request) {
  switch (request.kind) {
    case 'execute':
      return session(request, async (on) => ({ rowsAffected: (await on.query(request.sql, request.params)).affectedRows ?? 0 }));
    case 'query':
      return session(request, async (on) => (await on.query(request.sql, request.params)).rows);
    case 'batch': {
      const all = async (tx) => {
        const results = [];
        for (const s of request.statements) results.push({ rowsAffected: (await tx.query(s.sql, s.params ?? [])).affectedRows ?? 0 });
        return results;
      };
      // Commits when the callback resolves, rolls back when it throws.
      return request.asReader ? session(request, all) : db.transaction(all);
    }
    case 'close':
      if (!db.closed) await db.close();
      return null;
    default:
      throw new Error(`Unknown request ${request.kind}`);
  }
}

if (db) {
  parentPort.on('message', async (request) => {
    try {
      parentPort.postMessage({ id: request.id, ok: true, result: await run(request) });
    } catch (error) {
      parentPort.postMessage({ id: request.id, ok: false, error: serialize(error) });
    }
  });
  parentPort.postMessage({ ready: true });
}
