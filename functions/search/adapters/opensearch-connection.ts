import { defaultProvider } from '@aws-sdk/credential-provider-node';
// The SDK v3 flavour: it never tries to load the v2 `aws-sdk`, which bundles would otherwise have to resolve.
import { AwsSigv4Signer } from '@opensearch-project/opensearch/aws-v3';
import * as z from 'zod/mini';

/**
 * Where the engine is and how requests are signed: OPENSEARCH_ENDPOINT (the domain's `https://…` endpoint in AWS,
 * the local engine's `http://127.0.0.1:<SEARCH_PORT>` on `npm start`), the SigV4 signing name (`es` for an
 * OpenSearch Service domain, `aoss` for Serverless) and the region.
 */
export const SearchEnv = z.object({
  OPENSEARCH_ENDPOINT: z.url({ protocol: /^https?$/, message: 'Must be the http(s) URL of the OpenSearch endpoint' }),
  OPENSEARCH_SIGNING_SERVICE: z._default(z.enum(['es', 'aoss']), 'es'),
  AWS_REGION: z.string().check(z.minLength(1)),
});
export type SearchEnv = z.infer<typeof SearchEnv>;

export interface ClientTuning {
  /** How long one request may take before it counts as failed. */
  requestTimeoutMs: number;
  /** Retries of a request that failed on the connection or with 502/503/504. */
  maxRetries: number;
}

/** A route answers a shopper: it gives up quickly, and a slow engine becomes a 503 rather than a hung request. */
export const QUERY_TUNING: ClientTuning = { requestTimeoutMs: 3_000, maxRetries: 1 };
/** The indexer and the reindex move pages of documents: more patience, a few retries. */
export const WRITE_TUNING: ClientTuning = { requestTimeoutMs: 30_000, maxRetries: 3 };

export type LocalCredentials = { accessKeyId: string; secretAccessKey: string };

/**
 * The OpenSearch client's options for one endpoint, every request SigV4-signed with the SDK's default credentials
 * (the function's role in AWS; locally the platform's per-run secret, which the local engine checks the same way)
 * unless given others. Both ./opensearch-client.ts (the whole client) and ./opensearch-transport.ts (its transport
 * alone) are built from these, so the two send the same requests.
 */
export function signedConnection(env: SearchEnv, tuning: ClientTuning, credentials?: LocalCredentials) {
  const provider = defaultProvider();
  return {
    ...AwsSigv4Signer({
      region: env.AWS_REGION,
      service: env.OPENSEARCH_SIGNING_SERVICE,
      getCredentials: credentials ? () => Promise.resolve(credentials) : () => provider(),
    }),
    node: env.OPENSEARCH_ENDPOINT,
    requestTimeout: tuning.requestTimeoutMs,
    maxRetries: tuning.maxRetries,
    // One endpoint: after a failure it is simply tried again (the default would ping it with HEAD / first).
    resurrectStrategy: 'optimistic' as const,
  };
}
