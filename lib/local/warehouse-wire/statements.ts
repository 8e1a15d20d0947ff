/**
 * A ready connection's statements. Each one runs on the engine in a read-only transaction of its own, as the reader
 * role, rolled back after it (lib/local/redshift-data/reader-role.ts WIRE_STATEMENT_BEGIN): so one statement at a time.
 *
 * - A simple query (psql's way) is sent to the engine as the extended protocol's parse, bind, describe, execute and
 *   sync of the unnamed statement, which Postgres takes one statement at a time — several statements in one query
 *   could otherwise COMMIT the read-only transaction and run the next ones outside it. The answer goes back as a
 *   simple query's would be: without the extended protocol's parse and bind acknowledgements.
 * - Extended-protocol messages (node-postgres' parameterised queries, JDBC…) are held until their Sync and run
 *   together, with at most one Execute, for the same reason. A Flush is answered at the Sync.
 * - Every answer ends with ReadyForQuery, idle: a statement leaves no transaction open behind it.
 */
import { asExtendedQuery, backendMessages, encode, errorResponse, readyForQuery, type Message } from './messages';
import type { Reply } from './startup';

/** The engine, as the wire server uses it (lib/local/redshift-data/database.ts Database). */
export interface WireEngine {
  protocol(messages: Uint8Array): Promise<Uint8Array>;
}

/** What a simple query's answer leaves out: parse, bind and close acknowledgements, NoData, and the engine's ReadyForQuery. */
const NOT_IN_A_SIMPLE_ANSWER = new Set(['1', '2', '3', 'n', 'Z']);
const NOT_IN_AN_EXTENDED_ANSWER = new Set(['Z']);
/** Held until the Sync. */
const EXTENDED = new Set(['P', 'B', 'D', 'E', 'C']);

/** Postgres' refusal of a second statement in the unnamed statement, which a simple query's reader never wrote. */
const SEVERAL_STATEMENTS = 'cannot insert multiple commands into a prepared statement';
const ONE_AT_A_TIME =
  'One statement at a time: the local warehouse runs each in a read-only transaction of its own. Send them one by one ' +
  '(psql does, from a file or typed; psql -c takes one each)';

/** A simple query's answer in the words of its own protocol. */
const inSimpleTerms = (bytes: Buffer): Buffer =>
  bytes[0] === 0x45 && bytes.includes(SEVERAL_STATEMENTS) ? errorResponse('42601', ONE_AT_A_TIME) : bytes;

export class Statements {
  private held: Buffer[] = [];
  private executes = 0;

  constructor(
    private readonly engine: WireEngine,
    private readonly reply: Reply,
  ) {}

  /** Handles one message; resolves once its answer (if any) is sent. */
  async onMessage(message: Message): Promise<void> {
    if (EXTENDED.has(message.type)) {
      this.held.push(encode(message.type, message.body));
      if (message.type === 'E') this.executes++;
      return;
    }
    switch (message.type) {
      case 'Q':
        return this.run(
          asExtendedQuery(message.body.toString('utf8').replace(/\0$/, '')),
          NOT_IN_A_SIMPLE_ANSWER,
          inSimpleTerms,
        );
      case 'S':
        return this.sync();
      case 'H':
        return;
      case 'X':
        return this.reply.close();
      case 'F':
        return this.refuse(
          '0A000',
          'Function calls are not supported by the local warehouse: SELECT the function instead',
        );
      default:
        return this.refuse('08P01', `Unexpected message '${message.type}' from the client`);
    }
  }

  private async sync(): Promise<void> {
    const held = this.held;
    const executes = this.executes;
    [this.held, this.executes] = [[], 0];
    if (executes > 1)
      return this.refuse(
        '0A000',
        'The local warehouse runs one statement per Sync, each in a read-only transaction of its own',
      );
    return this.run(Buffer.concat([...held, encode('S')]), NOT_IN_AN_EXTENDED_ANSWER);
  }

  private async run(
    messages: Buffer,
    leftOut: ReadonlySet<string>,
    translate: (bytes: Buffer) => Buffer = (bytes) => bytes,
  ): Promise<void> {
    let answer: Uint8Array;
    try {
      answer = await this.engine.protocol(new Uint8Array(messages.buffer, messages.byteOffset, messages.length));
    } catch (error) {
      return this.refuse('58000', `The local warehouse could not run the statement: ${(error as Error).message}`);
    }
    const kept = [...backendMessages(answer)].filter((m) => !leftOut.has(m.type)).map((m) => translate(m.bytes));
    this.reply.send(Buffer.concat([...kept, readyForQuery()]));
  }

  private refuse(code: string, message: string): void {
    this.reply.send(Buffer.concat([errorResponse(code, message), readyForQuery()]));
  }
}
