/**
 * The local Lambda Invoke API, driven by the real @aws-sdk/client-lambda exactly as a tool would drive Lambda
 * in AWS: only the endpoint differs.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  GetFunctionConfigurationCommand,
  InvalidRequestContentException,
  InvokeCommand,
  LambdaClient,
  RequestTooLargeException,
  ResourceNotFoundException,
} from '@aws-sdk/client-lambda';
import { PortInUseError } from '../../lib/local/emulators';
import { startLambdaEmulator, type LambdaEmulator } from '../../lib/local/lambda-emulator';

const region = 'eu-west-2';
let emulator: LambdaEmulator;
let lambda: LambdaClient;
const received: { name: string; event: unknown }[] = [];
let releaseSlow: (() => void) | undefined;

class PaymentDeclinedError extends Error {
  override name = 'PaymentDeclinedError';
}

beforeAll(async () => {
  emulator = await startLambdaEmulator({
    port: 0,
    region,
    functions: {
      echo: (event) => {
        received.push({ name: 'echo', event });
        return { echoed: event };
      },
      nothing: () => undefined,
      fails: () => {
        throw new PaymentDeclinedError('card declined');
      },
      failsLater: async () => {
        await new Promise((r) => setTimeout(r, 1));
        throw new Error('async failure');
      },
      slow: () => new Promise((resolve) => (releaseSlow = () => resolve({ done: true }))),
    },
  });
  lambda = new LambdaClient({ region, endpoint: emulator.endpoint, credentials: { accessKeyId: 'local', secretAccessKey: 'local' }, maxAttempts: 1 });
});

afterAll(async () => {
  lambda?.destroy();
  await emulator?.stop();
});

const payload = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));
const decode = (bytes: Uint8Array | undefined) => (bytes ? JSON.parse(new TextDecoder().decode(bytes)) : undefined);

describe('Invoke (RequestResponse)', () => {
  it('returns the handler’s result as the payload, with status 200 and the executed version', async () => {
    const out = await lambda.send(new InvokeCommand({ FunctionName: 'echo', Payload: payload({ Records: [{ n: 1 }] }) }));
    expect(out.StatusCode).toBe(200);
    expect(out.FunctionError).toBeUndefined();
    expect(out.ExecutedVersion).toBe('$LATEST');
    expect(decode(out.Payload)).toEqual({ echoed: { Records: [{ n: 1 }] } });
    expect(received.at(-1)).toEqual({ name: 'echo', event: { Records: [{ n: 1 }] } });
  });

  it('finds the function by full ARN, partial ARN and the $LATEST qualifier', async () => {
    for (const FunctionName of [emulator.functionArn('echo'), '000000000000:function:echo', 'echo:$LATEST', `${emulator.functionArn('echo')}:$LATEST`]) {
      const out = await lambda.send(new InvokeCommand({ FunctionName, Payload: payload({ via: FunctionName }) }));
      expect(decode(out.Payload)).toEqual({ echoed: { via: FunctionName } });
    }
    const qualified = await lambda.send(new InvokeCommand({ FunctionName: 'echo', Qualifier: '$LATEST', Payload: payload(1) }));
    expect(decode(qualified.Payload)).toEqual({ echoed: 1 });
  });

  it('gives the function {} when no payload is sent, and null when it returns nothing', async () => {
    await lambda.send(new InvokeCommand({ FunctionName: 'echo' }));
    expect(received.at(-1)?.event).toEqual({});
    const out = await lambda.send(new InvokeCommand({ FunctionName: 'nothing', Payload: payload({}) }));
    expect(new TextDecoder().decode(out.Payload)).toBe('null');
  });

  it('reports a thrown error as Lambda does: 200, X-Amz-Function-Error Unhandled, errorType and errorMessage', async () => {
    for (const [FunctionName, errorType, errorMessage] of [
      ['fails', 'PaymentDeclinedError', 'card declined'],
      ['failsLater', 'Error', 'async failure'],
    ] as const) {
      const out = await lambda.send(new InvokeCommand({ FunctionName, Payload: payload({}) }));
      expect(out.StatusCode).toBe(200);
      expect(out.FunctionError).toBe('Unhandled');
      const error = decode(out.Payload);
      expect(error).toMatchObject({ errorType, errorMessage });
      expect(error.trace).toEqual(expect.arrayContaining([expect.stringContaining(errorMessage)]));
    }
  });
});

describe('Invoke errors in Lambda’s shape', () => {
  it('answers an unknown function with a 404 ResourceNotFoundException naming its ARN', async () => {
    const error = await lambda.send(new InvokeCommand({ FunctionName: 'loadNothing', Payload: payload({}) })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ResourceNotFoundException);
    expect((error as ResourceNotFoundException).$metadata.httpStatusCode).toBe(404);
    expect((error as ResourceNotFoundException).message).toBe(`Function not found: arn:aws:lambda:${region}:000000000000:function:loadNothing`);
    expect((error as ResourceNotFoundException).Type).toBe('User');
  });

  it('has no versions or aliases: another qualifier is not found', async () => {
    const error = await lambda.send(new InvokeCommand({ FunctionName: 'echo', Qualifier: 'live', Payload: payload({}) })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ResourceNotFoundException);
  });

  it('refuses a payload that is not JSON, and one over 6 MB, without invoking', async () => {
    const count = received.length;
    const notJson = await lambda.send(new InvokeCommand({ FunctionName: 'echo', Payload: new TextEncoder().encode('{"Records": [') })).catch((e: unknown) => e);
    expect(notJson).toBeInstanceOf(InvalidRequestContentException);
    expect((notJson as InvalidRequestContentException).message).toMatch(/^Could not parse request body into json/);
    const huge = await lambda.send(new InvokeCommand({ FunctionName: 'echo', Payload: payload({ blob: 'x'.repeat(6 * 1024 * 1024) }) })).catch((e: unknown) => e);
    expect(huge).toBeInstanceOf(RequestTooLargeException);
    expect((huge as RequestTooLargeException).$metadata.httpStatusCode).toBe(413);
    expect(received.length).toBe(count);
  });
});

describe('other invocation types and operations', () => {
  it('answers Event with 202 and runs the function after, and DryRun with 204 without running it', async () => {
    const count = received.length;
    const dry = await lambda.send(new InvokeCommand({ FunctionName: 'echo', InvocationType: 'DryRun', Payload: payload({ dry: true }) }));
    expect(dry.StatusCode).toBe(204);
    expect(received.length).toBe(count);
    const event = await lambda.send(new InvokeCommand({ FunctionName: 'echo', InvocationType: 'Event', Payload: payload({ async: true }) }));
    expect(event.StatusCode).toBe(202);
    await expect.poll(() => received.at(-1)?.event).toEqual({ async: true });
  });

  it('answers GetFunctionConfiguration with the function’s ARN and role', async () => {
    const config = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: 'echo' }));
    expect(config).toMatchObject({ FunctionName: 'echo', FunctionArn: emulator.functionArn('echo'), Role: 'arn:aws:iam::000000000000:role/echo-role', State: 'Active' });
    await expect(lambda.send(new GetFunctionConfigurationCommand({ FunctionName: 'nope' }))).rejects.toBeInstanceOf(ResourceNotFoundException);
  });
});

describe('lifecycle', () => {
  it('refuses a busy port with a PortInUseError', async () => {
    const port = Number(new URL(emulator.endpoint).port);
    await expect(startLambdaEmulator({ port, functions: {} })).rejects.toBeInstanceOf(PortInUseError);
  });

  it('answers an invocation under way before it stops', async () => {
    const other = await startLambdaEmulator({ port: 0, functions: { slow: () => new Promise((resolve) => (releaseSlow = () => resolve({ done: true }))) } });
    const client = new LambdaClient({ region, endpoint: other.endpoint, credentials: { accessKeyId: 'local', secretAccessKey: 'local' }, maxAttempts: 1 });
    const call = client.send(new InvokeCommand({ FunctionName: 'slow', Payload: payload({}) }));
    await expect.poll(() => releaseSlow).toBeDefined();
    let stopped = false;
    const stopping = other.stop().then(() => (stopped = true));
    // Not stopped while the invocation runs…
    await new Promise((r) => setImmediate(r));
    expect(stopped).toBe(false);
    releaseSlow!();
    // …and its caller still gets the answer.
    expect(decode((await call).Payload)).toEqual({ done: true });
    await stopping;
    client.destroy();
  });
});
