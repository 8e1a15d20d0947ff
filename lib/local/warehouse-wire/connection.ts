/**
 * One client's connection: its bytes read message by message, handled one after another (a statement's answer is
 * sent before the next message is looked at), through the start phase (./startup.ts) to its statements
 * (./statements.ts). A client that breaks the protocol is told so and disconnected.
 */
import type { Socket } from 'node:net';
import type { WarehouseLogin } from './login';
import { MessageReader, ProtocolError, errorResponse } from './messages';
import { onPassword, onStartupPacket, type Reply, type StartState } from './startup';
import { Statements, type WireEngine } from './statements';

export interface ConnectionOptions {
  engine: WireEngine;
  login: WarehouseLogin;
  /** The server's parameters announced at the start (server_version, encodings, DateStyle…). */
  parameters: () => Promise<Record<string, string>>;
}

export function serveConnection(socket: Socket, options: ConnectionOptions): void {
  const reader = new MessageReader();
  let closed = false;
  const reply: Reply = {
    send: (bytes) => void (closed || socket.write(bytes)),
    close: () => {
      closed = true;
      socket.end();
    },
  };
  const statements = new Statements(options.engine, reply);
  let state: StartState = { phase: 'startup' };

  /** Everything whole in the buffer, in order; stops at a partial message or once the connection is closing. */
  const drain = async () => {
    while (!closed) {
      if (state.phase === 'startup') {
        const packet = reader.nextStartup();
        if (!packet) return;
        state = onStartupPacket(packet, options.login, reply);
        continue;
      }
      const message = reader.next();
      if (!message) return;
      if (state.phase === 'password')
        state = onPassword(message, state, options.login, await options.parameters(), reply);
      else await statements.onMessage(message);
    }
  };

  let work = Promise.resolve();
  socket.setNoDelay(true);
  socket.on('data', (chunk: Buffer) => {
    reader.push(chunk);
    work = work.then(drain).catch((error: unknown) => {
      const protocol = error instanceof ProtocolError;
      reply.send(
        errorResponse(
          protocol ? '08P01' : 'XX000',
          protocol ? error.message : `The local warehouse failed: ${(error as Error)?.message ?? error}`,
          'FATAL',
        ),
      );
      reply.close();
    });
  });
  // A client that goes away mid-answer is no error of the server's.
  socket.on('error', () => socket.destroy());
  socket.on('close', () => void (closed = true));
}
