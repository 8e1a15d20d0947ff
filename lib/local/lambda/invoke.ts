/**
 * The two operations: GetFunctionConfiguration, and Invoke with its three invocation types
 * (RequestResponse, Event, DryRun). Keeps track of what is running so stop() can wait for it.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { LocalCredentials } from '../guard/sigv4';
import { functionErrorPayload, LambdaError, tooLarge } from './errors';
import {
  ASYNC_PAYLOAD_LIMIT,
  authenticatedBody,
  CONFIGURATION_PATH,
  functionConfiguration,
  INVOKE_PATH,
  parsePayload,
  resolveFunctionName,
  send,
  SYNC_PAYLOAD_LIMIT,
} from './protocol';
import type { LocalFunction } from './types';

export interface InvokeSettings {
  functions: Map<string, LocalFunction>;
  credentials: LocalCredentials;
  functionArn(name: string): string;
  roleArn(name: string): string;
  onError(error: unknown, functionName: string): void;
}

export class Invocations {
  /** Requests being answered and functions running (Event ones outlive their request). */
  readonly running = new Set<Promise<unknown>>();

  constructor(private readonly settings: InvokeSettings) {}

  async handle(request: IncomingMessage, response: ServerResponse) {
    const payload = await authenticatedBody(request, this.settings.credentials);
    const url = new URL(request.url ?? '/', 'http://lambda');
    const configuration = CONFIGURATION_PATH.exec(url.pathname);
    if (request.method === 'GET' && configuration) {
      const { name } = this.resolve(decodeURIComponent(configuration[1]!), url.searchParams.get('Qualifier'));
      return send(
        response,
        200,
        {},
        JSON.stringify(functionConfiguration(name, this.settings.functionArn(name), this.settings.roleArn(name))),
      );
    }
    const route = INVOKE_PATH.exec(url.pathname);
    if (request.method !== 'POST' || !route) {
      throw new LambdaError(404, 'UnknownOperationException', `Unknown operation ${request.method} ${url.pathname}`);
    }
    const invocationType = (request.headers['x-amz-invocation-type'] as string | undefined) ?? 'RequestResponse';
    if (!['RequestResponse', 'Event', 'DryRun'].includes(invocationType)) {
      throw new LambdaError(400, 'InvalidParameterValueException', `Unsupported invocation type: ${invocationType}`);
    }
    const { name, fn } = this.resolve(decodeURIComponent(route[1]!), url.searchParams.get('Qualifier'));
    if (invocationType === 'Event' && payload.length > ASYNC_PAYLOAD_LIMIT) throw tooLarge(ASYNC_PAYLOAD_LIMIT);
    const event = parsePayload(payload);
    if (invocationType === 'DryRun') return send(response, 204, {});
    if (invocationType === 'Event') {
      send(response, 202, {});
      this.track(
        Promise.resolve()
          .then(() => fn(event))
          .catch((e: unknown) => this.settings.onError(e, name)),
      );
      return;
    }
    await this.invokeSynchronously(response, fn, event);
  }

  track<T>(promise: Promise<T>): Promise<T> {
    this.running.add(promise);
    void promise.finally(() => this.running.delete(promise)).catch(() => undefined);
    return promise;
  }

  /** The function a FunctionName (and Qualifier) names, as Lambda resolves it. */
  private resolve(raw: string, qualifier: string | null): { name: string; fn: LocalFunction } {
    const { functions, functionArn } = this.settings;
    const name = resolveFunctionName(raw, qualifier, (n) => functions.has(n), functionArn);
    return { name, fn: functions.get(name)! };
  }

  /** RequestResponse: the function's result, or its error as the Node.js runtime reports it, in a 200. */
  private async invokeSynchronously(response: ServerResponse, fn: LocalFunction, event: unknown) {
    const executed = { 'x-amz-executed-version': '$LATEST' };
    let result: unknown;
    try {
      result = await this.track(Promise.resolve().then(() => fn(event)));
    } catch (error) {
      return send(
        response,
        200,
        { ...executed, 'x-amz-function-error': 'Unhandled' },
        JSON.stringify(functionErrorPayload(error)),
      );
    }
    let body: string;
    try {
      body = JSON.stringify(result ?? null);
    } catch (error) {
      // A result JSON cannot carry (a cycle, a BigInt) fails the invocation, as it does in the runtime.
      return send(
        response,
        200,
        { ...executed, 'x-amz-function-error': 'Unhandled' },
        JSON.stringify(functionErrorPayload(error)),
      );
    }
    if (Buffer.byteLength(body) > SYNC_PAYLOAD_LIMIT) {
      const payload = {
        errorType: 'Function.ResponseSizeTooLarge',
        errorMessage: `Response payload size exceeded maximum allowed payload size (${SYNC_PAYLOAD_LIMIT} bytes).`,
      };
      return send(response, 200, { ...executed, 'x-amz-function-error': 'Unhandled' }, JSON.stringify(payload));
    }
    send(response, 200, executed, body);
  }
}
