/**
 * The platform's one SageMaker runtime: AWS has one runtime URL per region in front of every endpoint, and
 * the SDK takes one AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME, so a function that calls both the recommendations
 * and the insights endpoint (getRecommendations, for a shopper's segment) needs both behind one URL. The
 * router (ml/src/serve/router.ts) answers each endpoint name with its model server, and an unknown name
 * with SageMaker's ValidationError.
 */
import { createRuntimeRouter } from '../../../ml/src/serve/router';
import type { ModelServer } from '../../../ml/src/serve/server';

export interface LocalSageMakerRuntime {
  url: string;
  /** Every function's runtime URL: the router, unless the caller puts something in front of it (tests' switchboard). */
  env: { AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME: string };
  stop(): Promise<void>;
}

export async function startLocalSageMakerRuntime(options: {
  endpoints: Record<string, Pick<ModelServer, 'serving'>>;
  /** What the functions call instead of the router (it passes requests on to `url`); the router otherwise. */
  endpointUrl?: string;
  port?: number;
}): Promise<LocalSageMakerRuntime> {
  const router = createRuntimeRouter(options.endpoints);
  const { url } = await router.listen(options.port ?? 0);
  return {
    url,
    env: { AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME: options.endpointUrl ?? url },
    stop: () => router.close(),
  };
}
