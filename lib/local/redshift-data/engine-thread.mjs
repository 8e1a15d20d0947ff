// The local warehouse's engine on a worker thread (see engine.ts). Plain JavaScript, so that the thread starts
// without a TypeScript loader, under tsx and jest alike.
//
// PGlite runs Postgres in WASM on the thread that calls it: creating a database directory takes several
// seconds of synchronous work, and every statement blocks its thread. Here that thread is not the one
// serving the local HTTP edge, the Data API emulator and the stream pollers.
import { parentPort, workerData } from 'node:worker_threads';
import { types } from '@electric-sql/pglite';
import { createPGlite } from './pglite-template.mjs';

const asText = (v) => v;
const db = await createPGlite({
  ...(workerData.dataDir ? { dataDir: workerData.dataDir } : {}),
  // Values leave as the Data API carries them (results.ts types them): dates, timestamps and NUMERIC as text.
  parsers: {
    [types.DATE]: asText,
    [types.TIMESTAMP]: asText,
    [types.TIMESTAMPTZ]: asText,
    [types.NUMERIC]: asText,
    [types.INT8]: (v) => Number(v),
  },
})
  // The reader role, before anything else (reader-role.ts's ENSURE_READER_ROLE, passed in).
  .then(async (opened) => (await opened.exec(workerData.ensureReaderRole), opened))
  .catch((error) => {
    parentPort.postMessage({ ready: false, error: serialize(error) });
    return undefined;
  });

function serialize(error) {
  return {
    name: error?.name ?? 'Error',
    message: error?.message ?? String(error),
    code: error?.code,
    detail: error?.detail,
    statementIndex: error?.statementIndex,
  };
}

/**
 * Every Data API parameter is text (SqlParameter.value is a string) that the server converts on use: each one is
 * sent as the text it is, whatever type Postgres infers (PGlite's own serializers would, say, turn the text
 * 'false' into a true boolean).
 */
const toText = (value) => String(value);
const asGiven = new Proxy({}, { get: () => toText });

/** One statement's outcome: its columns (name, type oid), its rows as arrays, the rows it changed. */
async function runOne(on, statement) {
  const result = await on.query(statement.sql, statement.params ?? [], { rowMode: 'array', serializers: asGiven });
  return {
    fields: result.fields.map((f) => ({ name: f.name, dataTypeID: f.dataTypeID })),
    rows: result.rows,
    affectedRows: result.affectedRows ?? 0,
  };
}

async function runAll(on, statements) {
  const results = [];
  for (const [index, s] of statements.entries()) {
    try {
      results.push(await runOne(on, s));
    } catch (error) {
      // Which statement of a batch failed: its sub-statement is FAILED, the ones after it ABORTED.
      if (error && typeof error === 'object') error.statementIndex = index;
      throw error;
    }
  }
  return results;
}

/**
 * A reader's request runs in its own read-only transaction as the reader role (reader-role.ts's
 * READ_ONLY_AS_READER, passed in); an owner's batch in one transaction (committed when the callback resolves,
 * rolled back when it throws); an owner's single statement on its own, as Redshift auto-commits it.
 */
function run(request) {
  if (request.asReader) {
    return db.transaction(async (tx) => {
      await tx.exec(workerData.readOnlyAsReader);
      return runAll(tx, request.statements);
    });
  }
  if (request.transaction) return db.transaction((tx) => runAll(tx, request.statements));
  return runAll(db, request.statements);
}

/** A simple Query message of the Postgres wire protocol: 'Q', its length, the SQL text, a NUL. */
function queryMessage(sql) {
  const text = Buffer.from(`${sql}\0`, 'utf8');
  const message = Buffer.alloc(5 + text.length);
  message.write('Q', 0, 'latin1');
  message.writeInt32BE(4 + text.length, 1);
  text.copy(message, 5);
  return new Uint8Array(message.buffer, message.byteOffset, message.length);
}

/** Whether a backend's answer holds an ErrorResponse ('E'), message by message. */
function failed(answer) {
  const bytes = Buffer.from(answer.buffer, answer.byteOffset, answer.length);
  for (let at = 0; at + 5 <= bytes.length; at += 1 + bytes.readInt32BE(at + 1)) if (bytes[at] === 0x45) return true;
  return false;
}

/**
 * A SQL client's messages (lib/local/warehouse-wire: one statement, up to its Sync), run as the reader: in a read-only
 * transaction of their own as the reader role (reader-role.ts's WIRE_STATEMENT_BEGIN, passed in), rolled back after.
 * Only the client's part of the answer goes back. Nothing else runs on the engine meanwhile (see `serially`).
 */
async function protocol(request) {
  const raw = { syncToFs: false };
  if (failed(await db.execProtocolRaw(queryMessage(workerData.wireStatementBegin), raw))) {
    await db.execProtocolRaw(queryMessage(workerData.wireStatementEnd), raw);
    throw new Error('The warehouse could not open a read-only transaction for the statement');
  }
  try {
    return await db.execProtocolRaw(request.messages, raw);
  } finally {
    await db.execProtocolRaw(queryMessage(workerData.wireStatementEnd), raw);
  }
}

async function handle(request) {
  switch (request.kind) {
    case 'run':
      return run(request);
    case 'protocol':
      return protocol(request);
    case 'close':
      if (!db.closed) await db.close();
      return null;
    default:
      throw new Error(`Unknown request ${request.kind}`);
  }
}

/**
 * One request at a time, in the order they came. PGlite's own locks keep its API calls apart, but a SQL client's
 * messages go to the engine raw, around those locks: were they to run between two statements of a loader's batch,
 * they would run inside its transaction, and their rollback would undo it. Today PGlite runs a whole transaction
 * without yielding to this thread's event loop, so that cannot happen; this makes it impossible whatever PGlite
 * does later (a storage that syncs asynchronously). In order, nothing is lost: the engine is one session and runs
 * one statement at a time anyway.
 */
let tail = Promise.resolve();
const serially = (work) => {
  const done = tail.then(work);
  tail = done.catch(() => undefined);
  return done;
};

if (db) {
  parentPort.on('message', async (request) => {
    try {
      parentPort.postMessage({ id: request.id, ok: true, result: await serially(() => handle(request)) });
    } catch (error) {
      parentPort.postMessage({ id: request.id, ok: false, error: serialize(error) });
    }
  });
  parentPort.postMessage({ ready: true });
}
