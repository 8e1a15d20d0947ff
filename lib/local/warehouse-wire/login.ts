/**
 * Who may connect to the local warehouse over the Postgres protocol: one login, the reader's, with a password. The
 * password travels MD5-hashed with a salt of this connection (AuthenticationMD5Password), which psql, libpq and
 * node-postgres all answer; the server only listens on 127.0.0.1.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

export interface WarehouseLogin {
  user: string;
  password: string;
  /** The database name clients ask for (REDSHIFT_DATABASE locally). */
  database: string;
}

const md5 = (text: string | Buffer) => createHash('md5').update(text).digest('hex');

/** A fresh salt for one connection's challenge. */
export const newSalt = (): Buffer => randomBytes(4);

/** What a client that knows the password answers the challenge with: 'md5' + md5(md5(password + user) + salt). */
export const md5Answer = (login: Pick<WarehouseLogin, 'user' | 'password'>, salt: Buffer): string =>
  `md5${md5(Buffer.concat([Buffer.from(md5(`${login.password}${login.user}`), 'latin1'), salt]))}`;

/** Whether the client is the login and answered the challenge right; the same time whichever it got wrong. */
export function verify(login: WarehouseLogin, user: string, answer: string, salt: Buffer): boolean {
  const expected = Buffer.from(md5Answer(login, salt), 'latin1');
  const given = Buffer.from(answer, 'latin1');
  const sameAnswer = given.length === expected.length && timingSafeEqual(given, expected);
  return sameAnswer && user === login.user;
}

/** A password for a run that was given none: 24 URL-safe characters. */
export const newPassword = (): string => randomBytes(18).toString('base64url');
