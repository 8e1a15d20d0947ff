import type { LocalCredentials } from '../guard/sigv4';

/**
 * A function as the emulator runs it: e.g. lib/local/lambda/context.ts' localInvoker for a handler module.
 * Its event is whatever JSON the caller sent, as in Lambda: the function checks it. It may answer with a promise.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a handler typed for its own event must fit, and an `unknown` parameter would refuse it
export type LocalFunction = (event: any) => unknown;

export interface LambdaEmulatorOptions {
  port: number;
  /** Interface to listen on; 127.0.0.1 unless told. */
  host?: string;
  /** For the function ARNs in error messages. Default eu-west-2. */
  region?: string;
  /** Function name → what runs it. */
  functions: Record<string, LocalFunction>;
  /** The only credentials a request may be signed with (the platform's per-run secret). */
  credentials: LocalCredentials;
  /** Errors of Event invocations, which have no caller to return them to; default console.error. */
  onError?: (error: unknown, functionName: string) => void;
}

export interface LambdaEmulator {
  name: 'lambda';
  endpoint: string;
  functionNames: string[];
  functionArn(name: string): string;
  /** The execution role a function is said to run with (the local event source mappings' invokeIdentityArn). */
  roleArn(name: string): string;
  /** Stops accepting invocations and waits for those running (Event ones included) to end. */
  stop(): Promise<void>;
}
