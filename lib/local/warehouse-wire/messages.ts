/**
 * The Postgres wire protocol (version 3.0), as much of it as a SQL client's session with the local warehouse needs:
 * reading what the client sends (a startup packet, then typed messages) and writing what the server answers.
 * https://www.postgresql.org/docs/current/protocol-message-formats.html
 */

export const PROTOCOL_3 = 196_608;
export const SSL_REQUEST = 80_877_103;
export const GSSENC_REQUEST = 80_877_104;
export const CANCEL_REQUEST = 80_877_102;
/** No client message is anywhere near this long; a longer length is a client speaking something else. */
export const MAX_MESSAGE_BYTES = 64 * 1024 * 1024;

/** A typed message: its type byte as a character, and its body (after the length). */
export interface Message {
  type: string;
  body: Buffer;
}

export class ProtocolError extends Error {}

/** Bytes that arrive in pieces, taken out message by message once a whole one is there. */
export class MessageReader {
  private pending: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): void {
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
  }

  /** The next startup-phase packet (a length, then the rest: no type byte), or undefined until it is whole. */
  nextStartup(): Buffer | undefined {
    if (this.pending.length < 4) return undefined;
    const length = this.pending.readInt32BE(0);
    if (length < 8 || length > 10_000) throw new ProtocolError(`Not a startup packet (length ${length})`);
    return this.take(length)?.subarray(4);
  }

  /** The next typed message, or undefined until it is whole. */
  next(): Message | undefined {
    if (this.pending.length < 5) return undefined;
    const length = this.pending.readInt32BE(1);
    if (length < 4 || length > MAX_MESSAGE_BYTES)
      throw new ProtocolError(`Message ${String.fromCharCode(this.pending[0])} of ${length} bytes`);
    const whole = this.take(1 + length);
    return whole && { type: String.fromCharCode(whole[0]), body: whole.subarray(5) };
  }

  private take(length: number): Buffer | undefined {
    if (this.pending.length < length) return undefined;
    const out = this.pending.subarray(0, length);
    this.pending = this.pending.subarray(length);
    return out;
  }
}

/** A whole message as it goes on the wire: type byte, length (itself included), body. */
export function encode(type: string, body: Buffer = Buffer.alloc(0)): Buffer {
  const out = Buffer.alloc(5 + body.length);
  out.write(type, 0, 'latin1');
  out.writeInt32BE(4 + body.length, 1);
  body.copy(out, 5);
  return out;
}

/** Strings as the protocol writes them: UTF-8, each ended by a NUL. */
export const cstrings = (...values: string[]): Buffer =>
  Buffer.concat(values.map((v) => Buffer.from(`${v}\0`, 'utf8')));

const int32 = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeInt32BE(n);
  return b;
};
const int16 = (n: number) => {
  const b = Buffer.alloc(2);
  b.writeInt16BE(n);
  return b;
};

/** The NUL-terminated strings of a body from `offset`, up to the terminating empty one (startup parameters). */
export function readPairs(body: Buffer, offset: number): Record<string, string> {
  const out: Record<string, string> = {};
  const parts = body.subarray(offset).toString('utf8').split('\0');
  for (let i = 0; i + 1 < parts.length && parts[i] !== ''; i += 2) out[parts[i]] = parts[i + 1]!;
  return out;
}

// ------------------------------------------------------------------ what the server sends

export const authenticationOk = () => encode('R', int32(0));
export const authenticationMd5 = (salt: Buffer) => encode('R', Buffer.concat([int32(5), salt]));
export const parameterStatus = (name: string, value: string) => encode('S', cstrings(name, value));
export const backendKeyData = (pid: number, secret: number) => encode('K', Buffer.concat([int32(pid), int32(secret)]));
export const readyForQuery = () => encode('Z', Buffer.from('I', 'latin1'));

/** An ErrorResponse: severity, SQLSTATE code and message, as libpq and node-postgres show them. */
export function errorResponse(code: string, message: string, severity: 'ERROR' | 'FATAL' = 'ERROR'): Buffer {
  return encode(
    'E',
    Buffer.concat([cstrings(`S${severity}`, `V${severity}`, `C${code}`, `M${message}`), Buffer.from([0])]),
  );
}

// ------------------------------------------------------------------ what the server sends the engine

/** A simple query as the extended protocol's unnamed statement and portal: parse, bind, describe, execute, sync. */
export function asExtendedQuery(sql: string): Buffer {
  return Buffer.concat([
    encode('P', Buffer.concat([cstrings('', sql), int16(0)])),
    encode('B', Buffer.concat([cstrings('', ''), int16(0), int16(0), int16(0)])),
    encode('D', Buffer.concat([Buffer.from('P', 'latin1'), cstrings('')])),
    encode('E', Buffer.concat([cstrings(''), int32(0)])),
    encode('S'),
  ]);
}

/** The messages of an engine's answer, in order. */
export function* backendMessages(answer: Uint8Array): Generator<{ type: string; bytes: Buffer }> {
  const bytes = Buffer.from(answer.buffer, answer.byteOffset, answer.length);
  for (let at = 0; at + 5 <= bytes.length;) {
    const end = at + 1 + bytes.readInt32BE(at + 1);
    yield { type: String.fromCharCode(bytes[at]), bytes: bytes.subarray(at, end) };
    at = end;
  }
}
