/**
 * The local warehouse over the Postgres wire protocol, for SQL clients (psql, DBeaver, a BI tool, node-postgres), as
 * analysts connect to Redshift on its port 5439: read-only, as the reader role, on 127.0.0.1 only, with the login
 * `npm start` prints. It serves the Redshift Data API emulator's own engine (PGlite on its thread), which runs the
 * clients' statements between the loaders' batches, never inside one (lib/local/redshift-data/engine-thread.mjs).
 *
 * Postgres' dialect, not Redshift's: PGlite is Postgres. Each statement is a read-only transaction of its own, so a
 * SET lasts one statement, BEGIN … COMMIT groups nothing, and cancelling a query is not possible.
 */
import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { PortInUseError } from '../emulators';
import type { Database } from '../redshift-data/database';
import { serveConnection } from './connection';
import type { WarehouseLogin } from './login';
import type { WireEngine } from './statements';

/** The settings a client is told at the start, read from the engine once (as the reader). */
export const SERVER_PARAMETERS = [
  'server_version',
  'server_encoding',
  'client_encoding',
  'DateStyle',
  'IntervalStyle',
  'TimeZone',
  'integer_datetimes',
  'standard_conforming_strings',
] as const;

export interface WarehouseWireOptions {
  /** 0 for any free port. */
  port: number;
  engine: WireEngine;
  login: WarehouseLogin;
  /** The engine's settings, by name (SERVER_PARAMETERS). */
  readParameters: () => Promise<Record<string, string>>;
}

export interface WarehouseWire {
  port: number;
  /** postgres://user:password@127.0.0.1:port/database */
  url: string;
  stop(): Promise<void>;
}

export async function startWarehouseWire(options: WarehouseWireOptions): Promise<WarehouseWire> {
  let parameters: Promise<Record<string, string>> | undefined;
  // Read on the first login, not at start: the engine opens on first use.
  const readOnce = () => {
    parameters ??= options.readParameters().catch((error: unknown) => {
      parameters = undefined;
      throw error;
    });
    return parameters;
  };
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    serveConnection(socket, { engine: options.engine, login: options.login, parameters: readOnce });
  });
  await listen(server, options.port);
  const { port } = server.address() as AddressInfo;
  const { user, password, database } = options.login;
  let stopped: Promise<void> | undefined;
  return {
    port,
    url: `postgres://${encodeURIComponent(user)}:${encodeURIComponent(password)}@127.0.0.1:${port}/${encodeURIComponent(database)}`,
    stop: () =>
      (stopped ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      })),
  };
}

/** The engine's SERVER_PARAMETERS, read as the reader. */
export async function readServerParameters(database: Pick<Database, 'run'>): Promise<Record<string, string>> {
  const sql = `SELECT ${SERVER_PARAMETERS.map((name, i) => `current_setting('${name}') AS p${i}`).join(', ')}`;
  const [outcome] = await database.run([{ sql, params: [] }], { asReader: true, transaction: false });
  return Object.fromEntries(SERVER_PARAMETERS.map((name, i) => [name, String(outcome.rows[0][i])]));
}

function listen(server: Server, port: number): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) =>
      reject(e.code === 'EADDRINUSE' ? new PortInUseError(port, 'local warehouse SQL (Postgres protocol)') : e),
    );
    server.listen(port, '127.0.0.1', () => resolve());
  });
}
