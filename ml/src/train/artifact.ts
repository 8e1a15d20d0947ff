/**
 * The artifact on disk: model.json, and model.tar.gz holding it (what SageMaker downloads from S3 and
 * unpacks into /opt/ml/model). The tar is written here (POSIX ustar, one regular file) and gzipped with
 * node:zlib: no dependency.
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import type { ModelArtifact } from '../model';

const BLOCK = 512;

function writeString(header: Buffer, offset: number, length: number, value: string): void {
  const bytes = Buffer.from(value, 'utf8');
  if (bytes.length > length) throw new Error(`tar: '${value}' longer than ${length} bytes`);
  bytes.copy(header, offset);
}

/** An octal number field: zero-padded digits and a NUL. */
const writeOctal = (header: Buffer, offset: number, length: number, value: number) =>
  writeString(
    header,
    offset,
    length,
    `${Math.floor(value)
      .toString(8)
      .padStart(length - 1, '0')}\0`,
  );

/** A tar archive (ustar) of regular files. */
export function tarFiles(files: { name: string; content: Buffer; mtime: Date }[]): Buffer {
  const parts: Buffer[] = [];
  for (const { name, content, mtime } of files) {
    const header = Buffer.alloc(BLOCK);
    writeString(header, 0, 100, name);
    writeOctal(header, 100, 8, 0o644); // mode
    writeOctal(header, 108, 8, 0); // uid
    writeOctal(header, 116, 8, 0); // gid
    writeOctal(header, 124, 12, content.length);
    writeOctal(header, 136, 12, mtime.getTime() / 1000);
    header.fill(0x20, 148, 156); // checksum counted as spaces
    header[156] = 0x30; // '0': regular file
    writeString(header, 257, 6, 'ustar\0');
    writeString(header, 263, 2, '00');
    writeString(header, 265, 32, 'root');
    writeString(header, 297, 32, 'root');
    let sum = 0;
    for (const byte of header) sum += byte;
    writeString(header, 148, 8, `${sum.toString(8).padStart(6, '0')}\0 `);
    parts.push(header, content, Buffer.alloc((BLOCK - (content.length % BLOCK)) % BLOCK));
  }
  parts.push(Buffer.alloc(2 * BLOCK));
  return Buffer.concat(parts);
}

/** The regular files of a tar archive (ustar or old-style headers), by name. */
export function untarFiles(tar: Buffer): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  let at = 0;
  while (at + BLOCK <= tar.length) {
    const header = tar.subarray(at, at + BLOCK);
    if (header.every((b) => b === 0)) break;
    const field = (offset: number, length: number) =>
      header
        .subarray(offset, offset + length)
        .toString('utf8')
        .replace(/\0.*$/s, '');
    const size = parseInt(field(124, 12).trim() || '0', 8);
    const prefix = field(257, 6).startsWith('ustar') ? field(345, 155) : '';
    const name = (prefix ? `${prefix}/` : '') + field(0, 100);
    const type = String.fromCharCode(header[156] || 0x30);
    at += BLOCK;
    if (type === '0' || type === '\0') files.set(name.replace(/^\.\//, ''), Buffer.from(tar.subarray(at, at + size)));
    at += Math.ceil(size / BLOCK) * BLOCK;
  }
  return files;
}

/** Writes `dir`/model.json and `dir`/model.tar.gz (holding model.json), each written whole then renamed into place. */
export async function writeArtifact(dir: string, artifact: ModelArtifact): Promise<void> {
  await writeModelFiles(dir, artifact);
}

/**
 * Writes any model's `dir`/model.json and `dir`/model.tar.gz, the tar holding model.json and the `extra`
 * files (e.g. metrics.json, readable without the model); each file written whole then renamed into place.
 */
export async function writeModelFiles(
  dir: string,
  artifact: { trainedAt: string },
  extra: { name: string; content: Buffer }[] = [],
): Promise<void> {
  await mkdir(dir, { recursive: true });
  const json = Buffer.from(JSON.stringify(artifact));
  const mtime = new Date(Date.parse(artifact.trainedAt) || Date.now());
  const tarGz = gzipSync(tarFiles([{ name: 'model.json', content: json }, ...extra].map((f) => ({ ...f, mtime }))));
  for (const [name, content] of [
    ['model.json', json],
    ['model.tar.gz', tarGz],
  ] as const) {
    const target = path.join(dir, name);
    const temporary = `${target}.${process.pid}.tmp`;
    await writeFile(temporary, content);
    await rename(temporary, target);
  }
}

/** Checks the shape that `recommend` relies on; throws naming what is wrong. */
export function assertArtifact(value: unknown, source: string): asserts value is ModelArtifact {
  const a = value as Partial<ModelArtifact> | null;
  const fail = (what: string) => {
    throw new Error(`${source}: not a recommendation model artifact (${what})`);
  };
  if (!a || typeof a !== 'object') fail('not an object');
  if (a!.format !== 'ecicomm-recs/1') fail(`format ${JSON.stringify(a!.format)}, expected "ecicomm-recs/1"`);
  if (typeof a!.version !== 'string' || !a!.version) fail('no version');
  if (!Array.isArray(a!.popularity)) fail('no popularity list');
  if (!a!.neighbours || typeof a!.neighbours !== 'object') fail('no neighbours');
  const p = a!.parameters;
  if (
    !p ||
    !['personalWeight', 'neighbourWeight', 'popularityWeight', 'recencyHalfLifeDays'].every(
      (key) => typeof p[key as keyof typeof p] === 'number',
    )
  ) {
    fail('parameters missing');
  }
}

/**
 * The artifact in `dir`: its model.json, or model.json inside its model.tar.gz. `dir` may also name a
 * model.json or model.tar.gz file itself.
 */
export async function readArtifact(dir: string): Promise<ModelArtifact> {
  let file = dir;
  if ((await stat(dir)).isDirectory()) {
    file = path.join(dir, 'model.json');
    if (!existsSync(file)) file = path.join(dir, 'model.tar.gz');
    if (!existsSync(file)) throw new Error(`${dir}: no model.json or model.tar.gz (train one with npm run ml:train)`);
  }
  let text: string;
  if (/\.t?gz$/.test(file)) {
    const json = untarFiles(gunzipSync(await readFile(file))).get('model.json');
    if (!json) throw new Error(`${file}: no model.json inside`);
    text = json.toString('utf8');
  } else {
    text = await readFile(file, 'utf8');
  }
  const artifact: unknown = JSON.parse(text);
  assertArtifact(artifact, file);
  return artifact;
}
