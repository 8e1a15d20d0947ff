/**
 * How to start DynamoDB Local on 127.0.0.1 only: through LoopbackDynamoDBLocal.java (its own main has no host
 * option and listens on every interface). The launcher is compiled once, with the compiler module of the Java
 * runtime itself (no `javac` needed), into node_modules/.cache — keyed by its source and the DynamoDB Local
 * release — so that later starts cost what the plain jar costs; compiling it on every start, as a single-file
 * source program, would add a second or more.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const SOURCE = fileURLToPath(new URL('./LoopbackDynamoDBLocal.java', import.meta.url));
const MAIN_CLASS = 'LoopbackDynamoDBLocal';

/** The java arguments that run the launcher on DynamoDB Local's jar (its manifest brings the libraries). */
export async function loopbackLauncherArgs(jar: string, cacheRoot: string): Promise<string[]> {
  const key = createHash('sha256').update(readFileSync(SOURCE)).update(jar).digest('hex').slice(0, 16);
  const classes = path.join(cacheRoot, `loopback-dynamodb-local-${key}`);
  if (!existsSync(path.join(classes, `${MAIN_CLASS}.class`))) await compile(jar, classes);
  return ['-cp', `${jar}${path.delimiter}${classes}`, MAIN_CLASS];
}

/** Compiles into a directory of its own, renamed into place: a start racing this one finds all or nothing. */
async function compile(jar: string, classes: string): Promise<void> {
  mkdirSync(path.dirname(classes), { recursive: true });
  const building = mkdtempSync(`${classes}.building-`);
  try {
    const args = [
      '-XX:TieredStopAtLevel=1',
      '-m',
      'jdk.compiler/com.sun.tools.javac.Main',
      '-nowarn',
      '-d',
      building,
      '-cp',
      jar,
      SOURCE,
    ];
    const child = spawn('java', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (b: Buffer) => (output += b.toString()));
    child.stderr.on('data', (b: Buffer) => (output += b.toString()));
    const code = await new Promise<number | string>((resolve) => {
      child.once('error', (e) => resolve(e.message));
      child.once('exit', (exit) => resolve(exit ?? -1));
    });
    if (code !== 0) {
      throw new Error(
        `Could not compile the loopback launcher for DynamoDB Local (${code}): a Java 17 runtime with the jdk.compiler module is needed (Debian's openjdk-17-jre-headless has it)\n${output}`,
      );
    }
    try {
      renameSync(building, classes);
    } catch (e) {
      // Another start put it there first.
      if (!existsSync(path.join(classes, `${MAIN_CLASS}.class`))) throw e;
    }
  } finally {
    rmSync(building, { recursive: true, force: true });
  }
}
