/**
 * How DynamoDB Local is launched: its jar's class path moved onto the command line (a JVM archives classes only
 * from a class path of jars), the class-data archive written by the first JVM that exits cleanly, and the compiler
 * chosen for the start ahead of it; older launcher builds removed once a new one is made.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from '@jest/globals';
import { expect } from '../support/expect';
import { removeOtherBuilds, withoutClassPath } from '@ecicomm/local-platform/dynamodb-local/launcher';
import { classDataSharing } from '@ecicomm/local-platform/dynamodb-local/class-data-sharing';
import { catalogSeedPending, datasetSeedPending, seedMarkerOf } from '@ecicomm/local-platform/platform/data-dir';

const MANIFEST = [
  'Manifest-Version: 1.0',
  'Main-Class: software.amazon.dynamodb.services.local.main.ServerRunner',
  'Bundle-Description: DynamoDB Local is a small client-side database and',
  '  server that mimics the DynamoDB service.',
  'Class-Path: . log4j2.xml DynamoDBLocal_lib/Apache-HttpComponents-HttpC',
  ' lient-4.5.x.jar DynamoDBLocal_lib/antlr4-runtime-4.7.2.jar',
  'Implementation-Version: 3.3.1',
  '',
].join('\r\n');

describe('the jar manifest without its class path', () => {
  it('returns the class path joined across its continuation lines', () => {
    expect(withoutClassPath(MANIFEST).classPath).toEqual([
      '.',
      'log4j2.xml',
      'DynamoDBLocal_lib/Apache-HttpComponents-HttpClient-4.5.x.jar',
      'DynamoDBLocal_lib/antlr4-runtime-4.7.2.jar',
    ]);
  });

  it('keeps every other attribute, continuation lines included, and only those', () => {
    expect(withoutClassPath(MANIFEST).manifest.split('\n')).toEqual([
      'Manifest-Version: 1.0',
      'Main-Class: software.amazon.dynamodb.services.local.main.ServerRunner',
      'Bundle-Description: DynamoDB Local is a small client-side database and',
      '  server that mimics the DynamoDB service.',
      'Implementation-Version: 3.3.1',
      '',
    ]);
  });

  it('is the manifest itself when it names no class path', () => {
    expect(withoutClassPath('Manifest-Version: 1.0\n')).toEqual({ manifest: 'Manifest-Version: 1.0\n', classPath: [] });
  });
});

describe('the launcher builds kept', () => {
  it('are only the current one once it is built: older ones go, builds in progress and anything else stay', () => {
    const root = mkdtempSync(path.join(tmpdir(), 'launcher-cache-'));
    const names = [
      'loopback-dynamodb-local-0123456789abcdef',
      'loopback-dynamodb-local-fedcba9876543210',
      'loopback-dynamodb-local-fedcba9876543210.building-x1Y2z3',
      'pglite',
    ];
    for (const name of names) mkdirSync(path.join(root, name));
    removeOtherBuilds(path.join(root, names[0]));
    expect(readdirSync(root).sort()).toEqual([names[0], names[2], names[3]]);
    rmSync(root, { recursive: true, force: true });
  });
});

describe('the class-data archive', () => {
  const writtenBy = (args: string[]) => args.find((a) => a.startsWith('-XX:ArchiveClassesAtExit='))?.split('=')[1];

  it('is written at the first clean exit, renamed into place, and mapped by the next start', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'cds-'));
    const first = classDataSharing(dir);
    const writing = writtenBy(first.args)!;
    expect(writing).toBeDefined();
    writeFileSync(writing, 'archive');
    first.afterExit(true);
    expect(readdirSync(dir)).toEqual([expect.stringMatching(/^dynamodb-local-[0-9a-f]{12}\.jsa$/)]);
    const next = classDataSharing(dir);
    expect(next.args).toContain(`-XX:SharedArchiveFile=${path.join(dir, readdirSync(dir)[0])}`);
    expect(writtenBy(next.args)).toBeUndefined();
  });

  it('is discarded when the JVM was killed, so a later start writes it again', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'cds-'));
    const killed = classDataSharing(dir);
    const writing = writtenBy(killed.args)!;
    writeFileSync(writing, 'half an archive');
    killed.afterExit(false);
    expect(existsSync(writing)).toBe(false);
    expect(readdirSync(dir)).toEqual([]);
    expect(writtenBy(classDataSharing(dir).args)).toBeDefined();
  });

  it('is written once when two JVMs exit side by side: the second one’s copy is dropped', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'cds-'));
    const [a, b] = [classDataSharing(dir), classDataSharing(dir)];
    expect(writtenBy(a.args)).not.toEqual(writtenBy(b.args));
    writeFileSync(writtenBy(a.args)!, 'a');
    writeFileSync(writtenBy(b.args)!, 'b');
    a.afterExit(true);
    b.afterExit(true);
    expect(readdirSync(dir)).toHaveLength(1);
  });
});

describe('which compiler DynamoDB Local starts with', () => {
  /** A data directory, and a dataset directory holding one of the dataset's files (a header is enough here). */
  const dirs = () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'data-'));
    const datasetDir = mkdtempSync(path.join(tmpdir(), 'dataset-'));
    writeFileSync(path.join(datasetDir, 'online_retail.csv'), 'InvoiceNo,StockCode\n');
    return { dataDir, datasetDir };
  };

  it('is the optimising one only for a start that writes the dataset’s catalog', async () => {
    const { dataDir, datasetDir } = dirs();
    expect(await datasetSeedPending({ dataDir, datasetDir })).toBe(true);
    expect(await datasetSeedPending({ dataDir, datasetDir, seed: 'dataset' })).toBe(true);
    expect(await datasetSeedPending({ dataDir, datasetDir, seed: 'demo' })).toBe(false);
    expect(await datasetSeedPending({ dataDir, datasetDir, seed: 'none' })).toBe(false);
    expect(await datasetSeedPending({ dataDir, datasetDir: path.join(datasetDir, 'absent') })).toBe(false);
  });

  it('is the quick one for a dataset directory without the dataset’s files: the demo catalog is seeded', async () => {
    const { dataDir } = dirs();
    const empty = mkdtempSync(path.join(tmpdir(), 'dataset-'));
    writeFileSync(path.join(empty, 'README.txt'), 'not the dataset');
    expect(await datasetSeedPending({ dataDir, datasetDir: empty })).toBe(false);
  });

  it('is the quick one on a restart: the data directory holds its catalog already', async () => {
    const { dataDir, datasetDir } = dirs();
    writeFileSync(seedMarkerOf(dataDir), '{"source":"dataset"}');
    expect(catalogSeedPending({ dataDir, datasetDir })).toBe(false);
    expect(await datasetSeedPending({ dataDir, datasetDir })).toBe(false);
  });
});
