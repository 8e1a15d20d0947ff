/**
 * How tools in other processes (`npm run replay`, `npm run redrive`) find a running local platform: it writes
 * LOCAL_DATA_DIR/runtime.json once it is ready and removes it when it stops. The file carries the run's secret
 * (in `env`, as AWS_SECRET_ACCESS_KEY), so only its owner may read it (mode 0600).
 */
import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export interface RuntimeInfo {
  apiUrl: string;
  /** The Lambda Invoke API (lib/local/lambda/). */
  lambdaEndpoint: string;
  /** Each stream consumer's on-failure queue, by consumer id. */
  failureQueueUrls: Record<string, string>;
  /**
   * The handlers' environment: region, every service's endpoint, and the run's credentials, whose secret the
   * Lambda Invoke and Step Functions endpoints check every request's signature with.
   */
  env: Record<string, string>;
  pid: number;
}

export const runtimeFile = (dataDir: string) => path.join(dataDir, 'runtime.json');

/** Written whole under another name and renamed, created readable by its owner only (an older file's mode is not kept). */
export function writeRuntimeInfo(dataDir: string, info: RuntimeInfo): void {
  const temporary = `${runtimeFile(dataDir)}.${process.pid}.tmp`;
  rmSync(temporary, { force: true });
  writeFileSync(temporary, JSON.stringify(info, null, 2), { mode: 0o600 });
  renameSync(temporary, runtimeFile(dataDir));
}

/** The platform using dataDir, when one is running and answering; undefined otherwise (a stale file included). */
export async function findRunningPlatform(dataDir: string): Promise<RuntimeInfo | undefined> {
  const file = runtimeFile(dataDir);
  if (!existsSync(file)) return undefined;
  let running: RuntimeInfo;
  try {
    running = JSON.parse(readFileSync(file, 'utf8')) as RuntimeInfo;
  } catch {
    return undefined;
  }
  const alive = await fetch(`${running.apiUrl}/v1/health`, { signal: AbortSignal.timeout(5000) }).then(
    () => true,
    () => false,
  );
  return alive ? running : undefined;
}
