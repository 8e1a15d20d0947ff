/**
 * CSV as the dataset writes it (RFC 4180): one record from a line, or the records of a stream of text,
 * a batch per chunk read.
 */

const QUOTE = 34; // "

/**
 * Parses one CSV record (RFC 4180): comma-separated fields, optionally wrapped in double quotes, a
 * doubled quote inside a quoted field standing for one quote. Returns undefined when a quoted field is
 * not closed by the end of the text (the record continues on the next line).
 */
export function tryParseCsvRecord(text: string): string[] | undefined {
  const fields: string[] = [];
  const n = text.length;
  let i = 0;
  for (;;) {
    if (text.charCodeAt(i) === QUOTE) {
      // Quoted field: runs to the next quote not doubled.
      let value = '';
      let from = i + 1;
      for (;;) {
        const q = text.indexOf('"', from);
        if (q < 0) return undefined;
        value += text.slice(from, q);
        if (text.charCodeAt(q + 1) === QUOTE) {
          value += '"';
          from = q + 2;
          continue;
        }
        i = q + 1;
        break;
      }
      // Tolerate stray characters between the closing quote and the comma (kept, as most readers do).
      const comma = text.indexOf(',', i);
      const end = comma < 0 ? n : comma;
      if (end > i) value += text.slice(i, end);
      fields.push(value);
      if (comma < 0) return fields;
      i = comma + 1;
    } else {
      const comma = text.indexOf(',', i);
      if (comma < 0) {
        fields.push(text.slice(i));
        return fields;
      }
      fields.push(text.slice(i, comma));
      i = comma + 1;
    }
  }
}

/** Parses one complete CSV line; throws when a quoted field is left open. */
export function parseCsvLine(line: string): string[] {
  const fields = tryParseCsvRecord(line);
  if (!fields) throw new Error(`Unterminated quoted field in CSV line: ${line.slice(0, 120)}`);
  return fields;
}

/** CSV records of a text stream, one at a time (see `csvRecordBatches`). */
export async function* csvRecords(text: AsyncIterable<string> | Iterable<string>): AsyncGenerator<string[]> {
  for await (const batch of csvRecordBatches(text)) yield* batch;
}

/**
 * CSV records of a text stream, a batch per chunk read: lines split on LF (a CR before it dropped),
 * lines joined while a quoted field is open, a byte-order mark dropped, blank lines skipped.
 */
export async function* csvRecordBatches(text: AsyncIterable<string> | Iterable<string>): AsyncGenerator<string[][]> {
  let carry = '';
  let pending: string | undefined;
  let first = true;
  const take = (line: string, batch: string[][]) => {
    if (line.charCodeAt(line.length - 1) === 13) line = line.slice(0, -1);
    const record = pending === undefined ? line : `${pending}\n${line}`;
    if (pending === undefined && record === '') return;
    const fields = tryParseCsvRecord(record);
    if (fields) {
      pending = undefined;
      batch.push(fields);
    } else {
      pending = record;
    }
  };
  for await (let chunk of text) {
    if (first) {
      first = false;
      if (chunk.charCodeAt(0) === 0xfeff) chunk = chunk.slice(1);
    }
    const batch: string[][] = [];
    let from = 0;
    let nl = chunk.indexOf('\n');
    if (nl >= 0 && carry) {
      take(carry + chunk.slice(0, nl), batch);
      carry = '';
      from = nl + 1;
      nl = chunk.indexOf('\n', from);
    }
    while (nl >= 0) {
      take(chunk.slice(from, nl), batch);
      from = nl + 1;
      nl = chunk.indexOf('\n', from);
    }
    carry += chunk.slice(from);
    if (batch.length) yield batch;
  }
  const batch: string[][] = [];
  if (carry) take(carry, batch);
  if (pending !== undefined) throw new Error(`Unterminated quoted field at end of CSV: ${pending.slice(0, 120)}`);
  if (batch.length) yield batch;
}
