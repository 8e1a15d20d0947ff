/**
 * How to start DynamoDB Local on 127.0.0.1 only: through LoopbackDynamoDBLocal.java (its own main has no host
 * option and listens on every interface). The launcher is compiled once, with the compiler module of the Java
 * runtime itself (no `javac` needed), into node_modules/.cache — keyed by its source and the DynamoDB Local
 * release — so that later starts cost what the plain jar costs; compiling it on every start, as a single-file
 * source program, would add a second or more.
 *
 * The compiled launcher goes into a copy of DynamoDB Local's jar whose manifest names no class path, and the
 * libraries are named on the command line instead: the release's manifest lists its own directory (`.`), and
 * a JVM refuses to archive classes (./class-data-sharing.ts) from a class path with a directory on it.
 */
import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runJavaTool } from './java-tool';

const SOURCE = fileURLToPath(new URL('./LoopbackDynamoDBLocal.java', import.meta.url));
const MAIN_CLASS = 'LoopbackDynamoDBLocal';
const JAR = 'dynamodb-local-loopback.jar';
const BUILD_PREFIX = 'loopback-dynamodb-local-';
/** The libraries the release's manifest names, one path relative to the release per line. */
const LIBRARIES = 'libraries.txt';
/** Bumped when what is built here changes shape, so that caches of an older shape are not read. */
const LAYOUT = '2';

export interface LoopbackLauncher {
  /** The java arguments from the class path on: `-cp … LoopbackDynamoDBLocal`. */
  args: string[];
  /** The directory the launcher was built into (keyed by the launcher and the release). */
  cacheDir: string;
}

/** The launcher for the DynamoDB Local release in `releaseDir` (built into `cacheRoot` on first use). */
export async function loopbackLauncher(releaseDir: string, cacheRoot: string): Promise<LoopbackLauncher> {
  const key = createHash('sha256')
    .update(readFileSync(SOURCE))
    .update(releaseDir)
    .update(LAYOUT)
    .digest('hex')
    .slice(0, 16);
  const cacheDir = path.join(cacheRoot, `${BUILD_PREFIX}${key}`);
  if (!existsSync(path.join(cacheDir, JAR))) {
    await build(releaseDir, cacheDir);
    removeOtherBuilds(cacheDir);
  }
  const libraries = readFileSync(path.join(cacheDir, LIBRARIES), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((library) => path.join(releaseDir, library));
  return { args: ['-cp', [path.join(cacheDir, JAR), ...libraries].join(path.delimiter), MAIN_CLASS], cacheDir };
}

/** Builds into a directory of its own, renamed into place: a start racing this one finds all or nothing. */
async function build(releaseDir: string, cacheDir: string): Promise<void> {
  mkdirSync(path.dirname(cacheDir), { recursive: true });
  const building = mkdtempSync(`${cacheDir}.building-`);
  try {
    const jar = path.join(releaseDir, 'DynamoDBLocal.jar');
    const content = path.join(building, 'content');
    mkdirSync(content);
    await runJavaTool('compile the loopback launcher for DynamoDB Local', [
      '-m',
      'jdk.compiler/com.sun.tools.javac.Main',
      '-nowarn',
      '-d',
      content,
      '-cp',
      jar,
      SOURCE,
    ]);
    await runJavaTool('unpack DynamoDB Local', ['-m', 'jdk.jartool/sun.tools.jar.Main', 'xf', jar], content);
    const manifestPath = path.join(content, 'META-INF', 'MANIFEST.MF');
    const { manifest, classPath } = withoutClassPath(readFileSync(manifestPath, 'utf8'));
    rmSync(manifestPath);
    writeFileSync(path.join(building, 'MANIFEST.MF'), manifest);
    writeFileSync(path.join(building, LIBRARIES), classPath.filter((entry) => entry.endsWith('.jar')).join('\n'));
    await runJavaTool('pack the loopback launcher for DynamoDB Local', [
      '-m',
      'jdk.jartool/sun.tools.jar.Main',
      '--create',
      '--no-compress',
      '--file',
      path.join(building, JAR),
      '--manifest',
      path.join(building, 'MANIFEST.MF'),
      '-C',
      content,
      '.',
    ]);
    rmSync(content, { recursive: true, force: true });
    try {
      renameSync(building, cacheDir);
    } catch (e) {
      // Another start put it there first.
      if (!existsSync(path.join(cacheDir, JAR))) throw e;
    }
  } finally {
    rmSync(building, { recursive: true, force: true });
  }
}

/**
 * Removes the builds beside `cacheDir` for other launcher sources or releases (each a copy of DynamoDB Local's jar and
 * its class archive, tens of MB), which no start of this checkout will use again. A JVM still running from one keeps
 * its open files. Builds in progress (`….building-…`) are left alone.
 */
export function removeOtherBuilds(cacheDir: string): void {
  const root = path.dirname(cacheDir);
  const build = new RegExp(`^${BUILD_PREFIX}[0-9a-f]{16}$`);
  for (const name of readdirSync(root))
    if (build.test(name) && name !== path.basename(cacheDir))
      rmSync(path.join(root, name), { recursive: true, force: true });
}

/**
 * A jar manifest without its Class-Path attribute, and that class path. A line starting with a space continues the
 * one before it; the other attributes' lines are kept as they are.
 */
export function withoutClassPath(manifest: string): { manifest: string; classPath: string[] } {
  const kept: string[] = [];
  let classPath: string | undefined;
  let inClassPath = false;
  for (const line of manifest.replace(/\r\n/g, '\n').split('\n')) {
    if (inClassPath && line.startsWith(' ')) classPath += line.slice(1);
    else {
      inClassPath = line.startsWith('Class-Path:');
      if (inClassPath) classPath = line.slice('Class-Path:'.length);
      else kept.push(line);
    }
  }
  return { manifest: kept.join('\n'), classPath: (classPath ?? '').split(' ').filter(Boolean) };
}
