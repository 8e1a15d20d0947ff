/** Message attributes: how SQS validates them, counts their size and digests them. */
import { createHash } from 'node:crypto';
import { invalidParameter } from './errors';
import type { SqsMessageAttribute } from './types';

/** What SQS accepts in a message body and in a String or Number attribute. */
export const INVALID_BODY_CHARACTERS = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;
const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

export const md5 = (data: string | Buffer) => createHash('md5').update(data).digest('hex');

/**
 * SQS's digest of message attributes: for each attribute in order of name, the name, the data type and the
 * value, each as a 4-byte big-endian length and its bytes, with a transport byte (1 string, 2 binary) before
 * the value; then MD5 over the whole.
 */
export function md5OfMessageAttributes(attributes: Record<string, SqsMessageAttribute>): string | undefined {
  const names = Object.keys(attributes).sort();
  if (names.length === 0) return undefined;
  const parts: Buffer[] = [];
  const lengthPrefixed = (bytes: Buffer) => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(bytes.length);
    parts.push(length, bytes);
  };
  for (const name of names) {
    const { DataType, StringValue, BinaryValue } = attributes[name]!;
    lengthPrefixed(Buffer.from(name, 'utf8'));
    lengthPrefixed(Buffer.from(DataType, 'utf8'));
    if (BinaryValue !== undefined) {
      parts.push(Buffer.from([2]));
      lengthPrefixed(Buffer.from(BinaryValue, 'base64'));
    } else {
      parts.push(Buffer.from([1]));
      lengthPrefixed(Buffer.from(StringValue ?? '', 'utf8'));
    }
  }
  return md5(Buffer.concat(parts));
}

/**
 * A request's MessageAttributes (or, with `system`, MessageSystemAttributes, of which only AWSTraceHeader may
 * be sent), validated as SQS does: at most ten, well-named, typed Binary, Number or String with a value to match.
 */
export function readMessageAttributes(
  raw: unknown,
  field: string,
  system: boolean,
): Record<string, SqsMessageAttribute> {
  if (raw === undefined || raw === null) return {};
  if (typeof raw !== 'object' || Array.isArray(raw)) throw invalidParameter(field, raw, 'must be a map of attributes');
  const entries = Object.entries(raw as Record<string, unknown>);
  if (entries.length > 10)
    throw invalidParameter(
      field,
      entries.length,
      `Number of message attributes [${entries.length}] exceeds the allowed maximum [10]`,
    );
  const out: Record<string, SqsMessageAttribute> = {};
  for (const [name, value] of entries) {
    checkAttributeName(field, name, system);
    out[name] = readAttributeValue(field, name, value);
  }
  return out;
}

function checkAttributeName(field: string, name: string, system: boolean): void {
  if (system) {
    if (name !== 'AWSTraceHeader')
      throw invalidParameter(field, name, 'Only the AWSTraceHeader message system attribute may be sent');
  } else if (
    !/^[A-Za-z0-9_.-]{1,256}$/.test(name) ||
    name.startsWith('.') ||
    name.endsWith('.') ||
    name.includes('..') ||
    /^(aws\.|amazon\.)/i.test(name)
  ) {
    throw invalidParameter(field, name, `Message attribute name '${name}' is invalid`);
  }
}

function readAttributeValue(field: string, name: string, value: unknown): SqsMessageAttribute {
  if (typeof value !== 'object' || value === null)
    throw invalidParameter(field, name, `The message attribute '${name}' must be an object`);
  const { DataType, StringValue, BinaryValue, StringListValues, BinaryListValues } = value as Record<string, unknown>;
  if (typeof DataType !== 'string' || DataType === '') {
    throw invalidParameter(
      field,
      name,
      `The message attribute '${name}' must contain non-empty message attribute type`,
    );
  }
  if (
    (Array.isArray(StringListValues) && StringListValues.length) ||
    (Array.isArray(BinaryListValues) && BinaryListValues.length)
  ) {
    throw invalidParameter(field, name, 'StringListValues and BinaryListValues are reserved for future use');
  }
  const emptyValue = () =>
    invalidParameter(
      field,
      name,
      `The message attribute '${name}' must contain non-empty message attribute value for message attribute type '${DataType}'`,
    );
  const base = DataType.split('.')[0];
  if (base === 'Binary') {
    if (typeof BinaryValue !== 'string' || BinaryValue === '' || !BASE64.test(BinaryValue)) throw emptyValue();
    return { DataType, BinaryValue };
  }
  if (base === 'String' || base === 'Number') {
    if (typeof StringValue !== 'string' || StringValue === '') throw emptyValue();
    if (base === 'Number' && !NUMBER.test(StringValue)) {
      throw invalidParameter(field, name, `Can't cast the value of message (user) attribute '${name}' to a number`);
    }
    if (INVALID_BODY_CHARACTERS.test(StringValue))
      throw invalidParameter(field, name, `The message attribute '${name}' contains invalid characters`);
    return { DataType, StringValue };
  }
  throw invalidParameter(
    field,
    name,
    `The type of message (user) attribute '${name}' is invalid. You must use only the following supported type prefixes: Binary, Number, String`,
  );
}

/** The attributes' share of a message's size, as SQS counts it against MaximumMessageSize. */
export const attributesSize = (attributes: Record<string, SqsMessageAttribute>) =>
  Object.entries(attributes).reduce(
    (sum, [name, a]) =>
      sum +
      Buffer.byteLength(name) +
      Buffer.byteLength(a.DataType) +
      (a.BinaryValue !== undefined
        ? Buffer.from(a.BinaryValue, 'base64').length
        : Buffer.byteLength(a.StringValue ?? '')),
    0,
  );
