/** Runs a tool of the Java runtime itself (its compiler, its jar tool) as `java -m …`: no JDK needed. */
import { spawn } from 'node:child_process';

export async function runJavaTool(what: string, args: string[], cwd?: string): Promise<void> {
  const child = spawn('java', ['-XX:TieredStopAtLevel=1', ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (b: Buffer) => (output += b.toString()));
  child.stderr.on('data', (b: Buffer) => (output += b.toString()));
  const code = await new Promise<number | string>((resolve) => {
    child.once('error', (e) => resolve(e.message));
    child.once('exit', (exit) => resolve(exit ?? -1));
  });
  if (code !== 0) {
    throw new Error(
      `Could not ${what} (${code}): a Java 17 runtime with the jdk.compiler and jdk.jartool modules is needed (Debian's openjdk-17-jre-headless has both)\n${output}`,
    );
  }
}
