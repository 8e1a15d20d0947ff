/** What test/bench/platform-child.ts prints once the platform is up: one line, the marker then JSON. */
import { readFileSync } from 'node:fs';
import type { Platform } from '@ecicomm/local-platform/platform';

export const READY_MARKER = 'BENCH_PLATFORM ';

export interface ChildPlatformInfo {
  apiUrl: string;
  dynamoEndpoint: string;
  region: string;
  tableNames: Platform['tableNames'];
  seeded: Platform['seeded'];
  /** The local admin (the search section writes products as it). */
  admin: { email: string; password: string };
  /** The local search engine and the index behind the products alias. */
  search: { endpoint: string; index: string };
  /** The environment the handlers run with: endpoints, table names, the run's credentials (the engine checks them). */
  env: Record<string, string>;
  /** The emulators' pids (DynamoDB Local's JVM, cognito-local): SIGKILLed by the parent as a last resort. */
  pids: number[];
  dataDir: string;
  pid: number;
}

/** SIGKILL an emulator by pid, only while that pid still is an emulator (pids get reused). */
export function killEmulator(pid: number): void {
  try {
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    if (cmdline.includes('DynamoDBLocal') || cmdline.includes('cognito-local')) process.kill(pid, 'SIGKILL');
  } catch {
    // Gone already.
  }
}
