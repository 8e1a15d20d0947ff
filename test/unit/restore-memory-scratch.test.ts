/**
 * A restore's tables load in a memory-backed scratch folder linked from its staging directory
 * (lib/local/backup/memory-scratch.ts): settled, the staging directory holds a real copy and the scratch folder is
 * gone; a killed restore's scratch folder is removed through its link, and only a scratch folder of ours; without
 * room in memory the tables load in the staging directory itself, as before.
 */
import {
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { removeLeftoverScratch, settleTables, tablesScratch } from '@ecicomm/local-platform/backup/memory-scratch';
import { MEMORY_ROOT } from '@ecicomm/local-platform/memory-folder';

const inMemory = existsSync(MEMORY_ROOT);
let staging: string;
beforeEach(() => {
  staging = mkdtempSync(path.join(tmpdir(), 'restore-scratch-'));
});
afterEach(() => rmSync(staging, { recursive: true, force: true }));

describe("a restore's tables scratch folder", () => {
  it('is the staging directory itself when memory has no room for the items', () => {
    const scratch = tablesScratch(staging, Number.MAX_SAFE_INTEGER / 8);
    expect(scratch).toBe(path.join(staging, 'dynamodb'));
    expect(lstatSync(scratch).isDirectory()).toBe(true);
    settleTables(staging, scratch);
    expect(lstatSync(scratch).isDirectory()).toBe(true);
  });

  (inMemory ? it : it.skip)('is in memory, linked from the staging directory, and settles into a copy', () => {
    const scratch = tablesScratch(staging, 1000);
    expect(path.dirname(scratch)).toBe(MEMORY_ROOT);
    const link = path.join(staging, 'dynamodb');
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    writeFileSync(path.join(scratch, 'shared-local-instance.db'), 'tables');
    settleTables(staging, scratch);
    expect(lstatSync(link).isDirectory()).toBe(true);
    expect(readFileSync(path.join(link, 'shared-local-instance.db'), 'utf8')).toBe('tables');
    expect(existsSync(scratch)).toBe(false);
    expect(existsSync(`${link}.settling`)).toBe(false);
  });

  (inMemory ? it : it.skip)("a killed restore's scratch folder is removed through its link", () => {
    const scratch = tablesScratch(staging, 1000);
    writeFileSync(path.join(scratch, 'shared-local-instance.db'), 'half');
    removeLeftoverScratch(staging);
    expect(existsSync(scratch)).toBe(false);
  });

  it('a link to a folder that is not a scratch folder of ours is left alone', () => {
    const elsewhere = path.join(staging, 'elsewhere');
    mkdirSync(path.join(staging, 'restoring'), { recursive: true });
    mkdirSync(elsewhere);
    symlinkSync(elsewhere, path.join(staging, 'restoring', 'dynamodb'));
    removeLeftoverScratch(path.join(staging, 'restoring'));
    expect(existsSync(elsewhere)).toBe(true);
  });
});
