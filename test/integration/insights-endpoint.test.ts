/**
 * The running platform serves the hand-made insights model (test/support/insights-model.ts) behind its second
 * endpoint: the functions' environment names it, and the one SageMaker runtime they call (through the test
 * switchboard) answers it beside the recommendations endpoint.
 */
import { InvokeEndpointCommand, SageMakerRuntimeClient, ValidationError } from '@aws-sdk/client-sagemaker-runtime';
import { afterAll, describe, expect, it } from '@jest/globals';
import { platform } from '../support/api';
import { TEST_INSIGHTS_VERSION } from '../support/insights-model';
import { TEST_MODEL_VERSION } from '../support/recommendation-model';

const env = () => platform().env;
const client = new SageMakerRuntimeClient({
  region: platform().region,
  endpoint: env().AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME,
  credentials: { accessKeyId: env().AWS_ACCESS_KEY_ID, secretAccessKey: env().AWS_SECRET_ACCESS_KEY },
  maxAttempts: 1,
});
afterAll(() => client.destroy());

const call = async (EndpointName: string, body: unknown) => {
  const out = await client.send(
    new InvokeEndpointCommand({ EndpointName, ContentType: 'application/json', Body: JSON.stringify(body) }),
  );
  return JSON.parse(new TextDecoder().decode(out.Body)) as Record<string, unknown>;
};

describe('the insights endpoint on the running platform', () => {
  it('is named in the functions’ environment and served from the start', async () => {
    expect(env().INSIGHTS_ENDPOINT_NAME).toBe('ecicomm-local-insights');
    expect(platform().insights.endpointName).toBe('ecicomm-local-insights');
    const ping = await fetch(`${platform().insights.modelUrl}/ping`);
    expect(await ping.json()).toEqual({ status: 'ok', modelVersion: TEST_INSIGHTS_VERSION });
  });

  it('answers through the same runtime URL as recommendations, each endpoint with its own model', async () => {
    const segments = await call(env().INSIGHTS_ENDPOINT_NAME, { task: 'segments' });
    expect(segments).toMatchObject({ asOf: '2026-01-05', items: expect.any(Array) });
    const recs = await call(env().SAGEMAKER_ENDPOINT_NAME, { history: [], k: 1 });
    expect(recs.modelVersion).toBe(TEST_MODEL_VERSION);
    await expect(call('ecicomm-local-unknown', { task: 'segments' })).rejects.toBeInstanceOf(ValidationError);
  });
});
