/**
 * The local Lambda Invoke API, driven by the real @aws-sdk/client-lambda exactly as a tool would drive Lambda
 * in AWS: only the endpoint and the credentials (the platform's per-run secret) differ.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SignatureV4 } from '@smithy/signature-v4';
import {
  GetFunctionConfigurationCommand,
  InvalidRequestContentException,
  InvokeCommand,
  LambdaClient,
  RequestTooLargeException,
  ResourceNotFoundException,
} from '@aws-sdk/client-lambda';
import { PortInUseError } from '@ecicomm/local-platform/emulators';
import { Sha256 } from '@ecicomm/local-platform/guard/sha256';
import { startLambdaEmulator, type LambdaEmulator } from '@ecicomm/local-platform/lambda/server';

const region = 'eu-west-2';
const credentials = { accessKeyId: 'local', secretAccessKey: randomBytes(32).toString('base64url') };
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
    credentials,
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
  lambda = new LambdaClient({ region, endpoint: emulator.endpoint, credentials, maxAttempts: 1 });
});

afterAll(async () => {
  lambda?.destroy();
  await emulator?.stop();
});

const payload = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));
const decode = (bytes: Uint8Array | undefined) => (bytes ? JSON.parse(new TextDecoder().decode(bytes)) : undefined);

describe('Invoke (RequestResponse)', () => {
  it('returns the handler’s result as the payload, with status 200 and the executed version', async () => {
    const out = await lambda.send(
      new InvokeCommand({ FunctionName: 'echo', Payload: payload({ Records: [{ n: 1 }] }) }),
    );
    expect(out.StatusCode).toBe(200);
    expect(out.FunctionError).toBeUndefined();
    expect(out.ExecutedVersion).toBe('$LATEST');
    expect(decode(out.Payload)).toEqual({ echoed: { Records: [{ n: 1 }] } });
    expect(received.at(-1)).toEqual({ name: 'echo', event: { Records: [{ n: 1 }] } });
  });

  it('finds the function by full ARN, partial ARN and the $LATEST qualifier', async () => {
    for (const FunctionName of [
      emulator.functionArn('echo'),
      '000000000000:function:echo',
      'echo:$LATEST',
      `${emulator.functionArn('echo')}:$LATEST`,
    ]) {
      const out = await lambda.send(new InvokeCommand({ FunctionName, Payload: payload({ via: FunctionName }) }));
      expect(decode(out.Payload)).toEqual({ echoed: { via: FunctionName } });
    }
    const qualified = await lambda.send(
      new InvokeCommand({ FunctionName: 'echo', Qualifier: '$LATEST', Payload: payload(1) }),
    );
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
    const error = await lambda
      .send(new InvokeCommand({ FunctionName: 'loadNothing', Payload: payload({}) }))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ResourceNotFoundException);
    expect((error as ResourceNotFoundException).$metadata.httpStatusCode).toBe(404);
    expect((error as ResourceNotFoundException).message).toBe(
      `Function not found: arn:aws:lambda:${region}:000000000000:function:loadNothing`,
    );
    expect((error as ResourceNotFoundException).Type).toBe('User');
  });

  it('has no versions or aliases: another qualifier is not found', async () => {
    const error = await lambda
      .send(new InvokeCommand({ FunctionName: 'echo', Qualifier: 'live', Payload: payload({}) }))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ResourceNotFoundException);
  });

  it('refuses a payload that is not JSON, and one over 6 MB, without invoking', async () => {
    const count = received.length;
    const notJson = await lambda
      .send(new InvokeCommand({ FunctionName: 'echo', Payload: new TextEncoder().encode('{"Records": [') }))
      .catch((e: unknown) => e);
    expect(notJson).toBeInstanceOf(InvalidRequestContentException);
    expect((notJson as InvalidRequestContentException).message).toMatch(/^Could not parse request body into json/);
    const huge = await lambda
      .send(new InvokeCommand({ FunctionName: 'echo', Payload: payload({ blob: 'x'.repeat(6 * 1024 * 1024) }) }))
      .catch((e: unknown) => e);
    expect(huge).toBeInstanceOf(RequestTooLargeException);
    expect((huge as RequestTooLargeException).$metadata.httpStatusCode).toBe(413);
    expect(received.length).toBe(count);
  });
});

describe('other invocation types and operations', () => {
  it('answers Event with 202 and runs the function after, and DryRun with 204 without running it', async () => {
    const count = received.length;
    const dry = await lambda.send(
      new InvokeCommand({ FunctionName: 'echo', InvocationType: 'DryRun', Payload: payload({ dry: true }) }),
    );
    expect(dry.StatusCode).toBe(204);
    expect(received.length).toBe(count);
    const event = await lambda.send(
      new InvokeCommand({ FunctionName: 'echo', InvocationType: 'Event', Payload: payload({ async: true }) }),
    );
    expect(event.StatusCode).toBe(202);
    await expect.poll(() => received.at(-1)?.event).toEqual({ async: true });
  });

  it('answers GetFunctionConfiguration with the function’s ARN and role', async () => {
    const config = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: 'echo' }));
    expect(config).toMatchObject({
      FunctionName: 'echo',
      FunctionArn: emulator.functionArn('echo'),
      Role: 'arn:aws:iam::000000000000:role/echo-role',
      State: 'Active',
    });
    await expect(lambda.send(new GetFunctionConfigurationCommand({ FunctionName: 'nope' }))).rejects.toBeInstanceOf(
      ResourceNotFoundException,
    );
  });
});

describe('lifecycle', () => {
  it('refuses a busy port with a PortInUseError', async () => {
    const port = Number(new URL(emulator.endpoint).port);
    await expect(startLambdaEmulator({ port, credentials, functions: {} })).rejects.toBeInstanceOf(PortInUseError);
  });

  it('answers an invocation under way before it stops', async () => {
    const other = await startLambdaEmulator({
      port: 0,
      credentials,
      functions: { slow: () => new Promise((resolve) => (releaseSlow = () => resolve({ done: true }))) },
    });
    const client = new LambdaClient({ region, endpoint: other.endpoint, credentials, maxAttempts: 1 });
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

describe('only the platform’s callers: signed with its secret, never a browser', () => {
  const invokeUrl = (name: string) => `${emulator.endpoint}/2015-03-31/functions/${name}/invocations`;
  const refusal = async (response: Response) => ({
    status: response.status,
    type: response.headers.get('x-amzn-errortype'),
    body: (await response.json()) as { message: string },
  });

  /** A request signed as the SDK signs it, so that a test can change one thing after signing. */
  async function signed(body: string, options: { secret?: string; signingDate?: Date } = {}) {
    const url = new URL(invokeUrl('echo'));
    const signer = new SignatureV4({
      credentials: { ...credentials, secretAccessKey: options.secret ?? credentials.secretAccessKey },
      region,
      service: 'lambda',
      sha256: Sha256,
    });
    const request = await signer.sign(
      {
        method: 'POST',
        protocol: 'http:',
        hostname: url.hostname,
        port: Number(url.port),
        path: url.pathname,
        query: {},
        headers: { host: url.host, 'content-type': 'application/octet-stream' },
        body,
      },
      { signingDate: options.signingDate },
    );
    return request.headers as Record<string, string>;
  }

  it('refuses what a web page can send without a preflight (text/plain, a form, no type), and invokes nothing', async () => {
    const count = received.length;
    const event = JSON.stringify({ orderId: 'ord_from_a_web_page' });
    for (const contentType of [
      'text/plain;charset=UTF-8',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x',
    ]) {
      const answer = await refusal(
        await fetch(invokeUrl('echo'), { method: 'POST', headers: { 'content-type': contentType }, body: event }),
      );
      expect(answer, contentType).toMatchObject({ status: 415, type: 'UnsupportedMediaTypeException' });
    }
    const untyped = await fetch(invokeUrl('echo'), { method: 'POST', body: new Blob([event]) });
    expect(untyped.status).toBe(415);
    expect(received.length).toBe(count);
  });

  it('refuses a request with an Origin header, even signed with the secret', async () => {
    const count = received.length;
    const body = JSON.stringify({ from: 'a page' });
    const headers = await signed(body);
    const answer = await refusal(
      await fetch(invokeUrl('echo'), { method: 'POST', headers: { ...headers, origin: 'http://evil.example' }, body }),
    );
    expect(answer).toMatchObject({ status: 403, type: 'AccessDeniedException' });
    expect(received.length).toBe(count);
  });

  it('refuses an unsigned request, and one signed with another secret or access key, with 403s as Lambda names them', async () => {
    const count = received.length;
    const unsigned = await refusal(
      await fetch(invokeUrl('echo'), { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' }),
    );
    expect(unsigned).toMatchObject({ status: 403, type: 'MissingAuthenticationTokenException' });

    const guessing = new LambdaClient({
      region,
      endpoint: emulator.endpoint,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      maxAttempts: 1,
    });
    const wrongSecret = await guessing
      .send(new InvokeCommand({ FunctionName: 'echo', Payload: payload({}) }))
      .catch((e: { name: string; $metadata: { httpStatusCode: number } }) => e);
    expect(wrongSecret).toMatchObject({ name: 'InvalidSignatureException', $metadata: { httpStatusCode: 403 } });
    const configuration = await guessing
      .send(new GetFunctionConfigurationCommand({ FunctionName: 'echo' }))
      .catch((e: { name: string }) => e);
    expect(configuration).toMatchObject({ name: 'InvalidSignatureException' });
    guessing.destroy();

    const stranger = new LambdaClient({
      region,
      endpoint: emulator.endpoint,
      credentials: { accessKeyId: 'AKIASTRANGER', secretAccessKey: credentials.secretAccessKey },
      maxAttempts: 1,
    });
    const wrongKey = await stranger
      .send(new InvokeCommand({ FunctionName: 'echo', Payload: payload({}) }))
      .catch((e: { name: string }) => e);
    expect(wrongKey).toMatchObject({ name: 'UnrecognizedClientException' });
    stranger.destroy();
    expect(received.length).toBe(count);
  });

  it('refuses a signed request whose body was changed after signing, or whose signature is 20 minutes old', async () => {
    const count = received.length;
    const headers = await signed(JSON.stringify({ amount: 100 }));
    const tampered = await refusal(
      await fetch(invokeUrl('echo'), { method: 'POST', headers, body: JSON.stringify({ amount: 999_999 }) }),
    );
    expect(tampered).toMatchObject({ status: 403, type: 'InvalidSignatureException' });
    const { 'x-amz-content-sha256': _hash, ...withoutHash } = headers;
    const rehashed = await refusal(
      await fetch(invokeUrl('echo'), {
        method: 'POST',
        headers: withoutHash,
        body: JSON.stringify({ amount: 999_999 }),
      }),
    );
    expect(rehashed.status).toBe(403);

    const old = JSON.stringify({ amount: 1 });
    const stale = await refusal(
      await fetch(invokeUrl('echo'), {
        method: 'POST',
        headers: await signed(old, { signingDate: new Date(Date.now() - 20 * 60_000) }),
        body: old,
      }),
    );
    expect(stale).toMatchObject({ status: 403, type: 'InvalidSignatureException' });
    expect(stale.body.message).toMatch(/15 minutes/);
    expect(received.length).toBe(count);
  });

  it('invokes for a request signed with its secret, sent with fetch as well as with the SDK', async () => {
    const body = JSON.stringify({ signed: true });
    const response = await fetch(invokeUrl('echo'), { method: 'POST', headers: await signed(body), body });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ echoed: { signed: true } });
  });
});
