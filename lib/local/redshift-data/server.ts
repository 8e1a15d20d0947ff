/**
 * A local Amazon Redshift Data API over PGlite: the part of the AWS JSON 1.1 protocol the platform's warehouse
 * adapter uses (ExecuteStatement, BatchExecuteStatement, DescribeStatement, GetStatementResult; ./actions.ts),
 * and Redshift Serverless' GetWorkgroup for the health check (./serverless.ts), so functions reach the warehouse
 * with the real @aws-sdk/client-redshift-data through AWS_ENDPOINT_URL_REDSHIFT_DATA, as in AWS.
 *
 * The engine (./database.ts) is PGlite on a thread of its own, persisted to a directory under its single-writer
 * lock or kept in memory; it opens on the first statement. The owner (the admin secret) loads and migrates; every
 * other caller is the read-only reader role (./input.ts). Requests must be signed with the platform's per-run
 * credentials, as the Step Functions and Lambda endpoints require.
 *
 * Not emulated: sessions (SessionId, SessionKeepAliveSeconds), CSV results (GetStatementResultV2), CancelStatement,
 * ListStatements and the catalog calls (ListDatabases, DescribeTable…), events (WithEvent), ClientToken idempotency.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PortInUseError } from '../emulators';
import type { LocalCredentials } from '../guard/sigv4';
import { createActions, type Action } from './actions';
import { Database } from './database';
import { unknownOperation } from './errors';
import { readRequest, reply, replyError, type Service } from './protocol';
import { createServerlessActions } from './serverless';
import { StatementStore } from './statements';
import type { WarehouseTarget } from './types';

export type { WarehouseTarget } from './types';

export interface RedshiftDataEmulatorOptions {
  /** 0 for any free port. */
  port: number;
  region: string;
  /** The only credentials a request may be signed with (the platform's per-run secret). */
  credentials: LocalCredentials;
  /** The engine's directory; in memory without one. */
  dataDir?: string;
  warehouse: WarehouseTarget;
}

export interface RedshiftDataEmulator {
  endpoint: string;
  /** The engine, for the warehouse's other front door: SQL clients over the Postgres protocol (lib/local/warehouse-wire). */
  database: Database;
  /** Finishes the statements in flight, closes the engine (its files consistent on disk) and releases its directory. */
  stop(): Promise<void>;
}

export async function startRedshiftDataEmulator(options: RedshiftDataEmulatorOptions): Promise<RedshiftDataEmulator> {
  const database = new Database(options.dataDir);
  const store = new StatementStore();
  const actions: Record<Service, Record<string, Action>> = {
    RedshiftData: createActions(store, database, options.warehouse),
    RedshiftServerless: createServerlessActions(database, options.warehouse, options.region),
  };
  const inFlight = new Set<Promise<unknown>>();
  const server = createServer((req, res) => {
    const handled = (async () => {
      const { service, action, input } = await readRequest(req, options.credentials);
      const run = Object.hasOwn(actions[service], action) ? actions[service][action] : undefined;
      if (!run) throw unknownOperation(`${service}.${action}`);
      reply(res, 200, await run(input));
    })().catch((e: unknown) => replyError(req, res, e));
    inFlight.add(handled);
    void handled.finally(() => inFlight.delete(handled));
  });
  await listen(server, options.port);
  const { port } = server.address() as AddressInfo;
  let stopped: Promise<void> | undefined;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    database,
    stop: () =>
      (stopped ??= (async () => {
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeIdleConnections();
        // Requests waiting on a statement (WaitTimeSeconds) get their answer; then no connection is kept.
        await Promise.allSettled([...inFlight]);
        server.closeAllConnections();
        await closed;
        // After the statements already submitted: the engine's thread runs its requests in order.
        await database.close();
      })()),
  };
}

function listen(server: Server, port: number): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) =>
      reject(e.code === 'EADDRINUSE' ? new PortInUseError(port, 'Redshift Data API emulator') : e),
    );
    server.listen(port, '127.0.0.1', () => resolve());
  });
}
