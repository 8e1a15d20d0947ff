/**
 * A connection's start: encryption requests declined (the server is loopback only), a cancel request dropped (the
 * engine runs one statement at a time and none can be interrupted), then the startup packet, the reader's login
 * checked by an MD5 challenge, and the session's parameters announced.
 */
import { randomInt } from 'node:crypto';
import { newSalt, verify, type WarehouseLogin } from './login';
import {
  CANCEL_REQUEST,
  GSSENC_REQUEST,
  PROTOCOL_3,
  SSL_REQUEST,
  authenticationMd5,
  authenticationOk,
  backendKeyData,
  errorResponse,
  parameterStatus,
  readPairs,
  readyForQuery,
  type Message,
} from './messages';

/** What the start phase asks of the connection: to answer, and to be closed after an answer. */
export interface Reply {
  send(bytes: Buffer): void;
  close(): void;
}

export type StartState =
  { phase: 'startup' } | { phase: 'password'; user: string; application: string; salt: Buffer } | { phase: 'ready' };

/** The startup packet: the next state, having answered it. */
export function onStartupPacket(packet: Buffer, login: WarehouseLogin, reply: Reply): StartState {
  const code = packet.readInt32BE(0);
  if (code === SSL_REQUEST || code === GSSENC_REQUEST) {
    reply.send(Buffer.from('N', 'latin1'));
    return { phase: 'startup' };
  }
  if (code === CANCEL_REQUEST) {
    reply.close();
    return { phase: 'startup' };
  }
  if (code !== PROTOCOL_3) {
    reply.send(
      errorResponse(
        '0A000',
        `Unsupported frontend protocol ${code >> 16}.${code & 0xffff}: the warehouse speaks 3.0`,
        'FATAL',
      ),
    );
    reply.close();
    return { phase: 'startup' };
  }
  const params = readPairs(packet, 4);
  const user = params.user ?? '';
  const database = params.database ?? user;
  if (database !== login.database) {
    reply.send(
      errorResponse(
        '3D000',
        `database "${database}" does not exist: the local warehouse is "${login.database}"`,
        'FATAL',
      ),
    );
    reply.close();
    return { phase: 'startup' };
  }
  const salt = newSalt();
  reply.send(authenticationMd5(salt));
  return { phase: 'password', user, application: params.application_name ?? '', salt };
}

/** The password message: on the right answer the session's parameters and readiness, else a refusal. */
export function onPassword(
  message: Message,
  state: Extract<StartState, { phase: 'password' }>,
  login: WarehouseLogin,
  parameters: Record<string, string>,
  reply: Reply,
): StartState {
  const answer = message.type === 'p' ? message.body.toString('latin1').replace(/\0$/, '') : '';
  if (!verify(login, state.user, answer, state.salt)) {
    reply.send(errorResponse('28P01', `password authentication failed for user "${state.user}"`, 'FATAL'));
    reply.close();
    return { phase: 'startup' };
  }
  const announced = {
    ...parameters,
    session_authorization: login.user,
    is_superuser: 'off',
    application_name: state.application,
  };
  reply.send(
    Buffer.concat([
      authenticationOk(),
      ...Object.entries(announced).map(([name, value]) => parameterStatus(name, value)),
      backendKeyData(randomInt(1, 2 ** 31), randomInt(1, 2 ** 31)),
      readyForQuery(),
    ]),
  );
  return { phase: 'ready' };
}
