/**
 * A local AWS Lambda Invoke API: an in-process HTTP server speaking the Invoke operation's REST-JSON wire
 * protocol, so that tools in another process (`npm run replay`, `npm run redrive`) invoke the platform's
 * functions through the platform — as they would through Lambda in AWS — with the real
 * `@aws-sdk/client-lambda` (`new LambdaClient({ endpoint })` + InvokeCommand) and no local branch. The
 * functions stay in the platform's process, which owns what they hold: the analytics warehouse (PGlite)
 * can be opened by one process only.
 *
 * `POST /2015-03-31/functions/{FunctionName}/invocations` where FunctionName is a name, a full function ARN
 * (`arn:aws:lambda:<region>:<account>:function:<name>[:<qualifier>]`) or a partial one
 * (`<account>:function:<name>`); an optional `Qualifier` query parameter must be `$LATEST` (no versions or
 * aliases here). `X-Amz-Invocation-Type`:
 * - RequestResponse (default): 200, the body is the handler's result as JSON (`null` for undefined) and
 *   `X-Amz-Executed-Version: $LATEST`; a thrown error is still a 200, with `X-Amz-Function-Error: Unhandled`
 *   and `{errorType, errorMessage, trace}` as the Node.js runtime reports it;
 * - Event: 202 with an empty body, the handler runs after the response (its error is reported to onError:
 *   there are no retries or async destinations here);
 * - DryRun: 204.
 * `GET /2015-03-31/functions/{FunctionName}/configuration` (GetFunctionConfiguration) answers with the
 * function's name, ARN and execution role, which callers use to check that a function exists and which a
 * Kinesis record names as its invokeIdentityArn.
 *
 * Only the platform's callers get in: every request must be signed (SigV4) with the platform's per-run
 * credentials (lib/local/guard/sigv4.ts; tools read them from LOCAL_DATA_DIR/runtime.json), and browsers are
 * refused — a request with an Origin header, or a POST whose content type is not the SDK's
 * (`application/octet-stream`) or JSON, which is how a web page would send one without a CORS preflight. Those
 * are 403 (MissingAuthenticationTokenException, UnrecognizedClientException, InvalidSignatureException,
 * AccessDeniedException) and 415 UnsupportedMediaTypeException, decided before any function is looked up.
 *
 * Errors in Lambda's shape (`x-amzn-ErrorType` header, `{Type, Message}` body): an unknown function or
 * qualifier → 404 ResourceNotFoundException; a payload that is not JSON → 400 InvalidRequestContentException;
 * over 6 MB (Lambda's synchronous limit; 1 MB for Event) → 413 RequestTooLargeException; a bad invocation
 * type → 400 InvalidParameterValueException; any other path → 404 UnknownOperationException.
 *
 * Not emulated: IAM (one identity may call everything), the other Lambda operations (and most configuration fields), timeouts (a local handler runs
 * to its end: an in-process function cannot be stopped), concurrency limits, `X-Amz-Log-Type: Tail` (no log
 * capture, so no `X-Amz-Log-Result`) and the client context.
 *
 * Parts: protocol.ts (paths, limits, who may call), invoke.ts (the operations), errors.ts, context.ts (the
 * context and handler loading), platform-functions.ts (what the platform serves).
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PortInUseError } from '../emulators';
import { Invocations } from './invoke';
import { LAMBDA_ACCOUNT_ID, sendError } from './protocol';
import type { LambdaEmulator, LambdaEmulatorOptions } from './types';

export { functionErrorPayload } from './errors';
export { LAMBDA_ACCOUNT_ID } from './protocol';
export type { LambdaEmulator, LambdaEmulatorOptions, LocalFunction } from './types';

const DEFAULT_REGION = 'eu-west-2';

export async function startLambdaEmulator(options: LambdaEmulatorOptions): Promise<LambdaEmulator> {
  const region = options.region ?? DEFAULT_REGION;
  const host = options.host ?? '127.0.0.1';
  const functions = new Map(Object.entries(options.functions));
  const onError =
    options.onError ?? ((e: unknown, name: string) => console.error(`lambda ${name} (Event invocation) failed:`, e));
  const functionArn = (name: string) => `arn:aws:lambda:${region}:${LAMBDA_ACCOUNT_ID}:function:${name}`;
  const roleArn = (name: string) => `arn:aws:iam::${LAMBDA_ACCOUNT_ID}:role/${name}-role`;
  const invocations = new Invocations({ functions, credentials: options.credentials, functionArn, roleArn, onError });

  const server = createServer((request, response) => {
    const answered = new Promise<void>((resolve) => response.once('close', () => resolve()));
    invocations.track(answered);
    invocations.handle(request, response).catch((e: unknown) => {
      // A refused request's body is drained unread, so its sender reads the answer rather than a reset.
      request.resume();
      if (response.headersSent) return;
      sendError(response, e);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) =>
      reject(e.code === 'EADDRINUSE' ? new PortInUseError(options.port, 'local Lambda') : e),
    );
    server.listen(options.port, host, () => resolve());
  });
  const endpoint = `http://${host}:${(server.address() as AddressInfo).port}`;

  return {
    name: 'lambda',
    endpoint,
    functionNames: [...functions.keys()],
    functionArn,
    roleArn,
    async stop() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      // Invocations under way are answered (and Event ones run to their end) before the connections go.
      while (invocations.running.size) await Promise.allSettled([...invocations.running]);
      server.closeAllConnections();
      await closed;
    },
  };
}
