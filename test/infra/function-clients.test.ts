/**
 * Each route's function loads at its cold start the AWS clients it uses and no other (issue 17: a product read paid
 * for the Kinesis client it never called). What a cold start reads is index.mjs and the chunks it imports statically,
 * as lib/contexts/function-bundling.ts builds them; this lists the SDK clients in those files for every route, against
 * the table below. A route that starts using a client changes the table on purpose; one that loads a client through a
 * shared module it only half uses fails here. Also: no function reads the OpenSearch client's API namespaces (the
 * query routes take its transport alone, functions/search/adapters/opensearch-transport.ts).
 */
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import * as esbuild from 'esbuild';
import { functionBuildOptions, PROJECT_ROOT } from '../../lib/contexts/function-bundling';
import { routes } from '../../lib/routes';
import { loadedAtInit } from '../support/bundle-chunks';

const EXPECTED: Record<string, string[]> = {
  health: ['cognito-identity-provider', 'dynamodb', 'kinesis', 'redshift-serverless'],
  openapi: [],
  registerUser: ['cognito-identity-provider', 'dynamodb'],
  login: ['cognito-identity-provider', 'dynamodb'],
  getMyProfile: ['dynamodb'],
  updateMyProfile: ['dynamodb'],
  listProducts: ['dynamodb'],
  getProduct: ['dynamodb'],
  createProduct: ['dynamodb'],
  updateProduct: ['dynamodb'],
  requestProductImageUpload: ['dynamodb', 's3'],
  getProductImage: ['dynamodb'],
  deleteProductImage: ['dynamodb', 's3'],
  searchProducts: ['kinesis'],
  suggestProducts: [],
  listPartnerProducts: ['dynamodb'],
  getStock: ['dynamodb'],
  setStock: ['dynamodb'],
  getCart: ['dynamodb'],
  addCartItem: ['dynamodb'],
  setCartItem: ['dynamodb'],
  removeCartItem: ['dynamodb'],
  applyPromoCode: ['dynamodb'],
  mergeCarts: ['dynamodb'],
  placeOrder: ['dynamodb', 'sfn'],
  getOrder: ['dynamodb'],
  listOrders: ['dynamodb'],
  getRecommendations: ['dynamodb', 'sagemaker-runtime'],
  putEvents: ['kinesis'],
  analyticsSummary: ['dynamodb'],
  analyticsSalesReport: ['dynamodb'],
  analyticsInsights: ['dynamodb', 'sagemaker-runtime'],
  analyticsForecast: ['dynamodb', 'sagemaker-runtime'],
  analyticsSegments: ['dynamodb', 'sagemaker-runtime'],
  analyticsSegmentCustomers: ['dynamodb', 'sagemaker-runtime'],
  analyticsPricing: ['dynamodb', 'sagemaker-runtime'],
  listAudit: ['dynamodb'],
};

/** The SDK clients (and whether the OpenSearch API namespaces) in the files a cold start of `handler` reads. */
async function readAtInit(handler: string) {
  const options = functionBuildOptions({ entry: path.join(PROJECT_ROOT, handler), outdir: '/nonexistent' });
  // Which module lands in which chunk does not depend on minifying or source maps: left out, and nothing written.
  const { metafile } = await esbuild.build({ ...options, minify: false, sourcemap: false, write: false });
  const inputs = [...loadedAtInit(metafile)].flatMap((file) => Object.keys(metafile.outputs[file].inputs));
  const clients = new Set(inputs.flatMap((i) => /@aws-sdk\/client-([a-z0-9-]+)\//.exec(i)?.[1] ?? []));
  return {
    clients: [...clients].sort(),
    openSearchApi: inputs.some((i) => /@opensearch-project\/opensearch\/api\//.test(i)),
  };
}

describe('the AWS clients each route loads at its cold start', () => {
  it('has an expectation for every route and no other', () => {
    expect(Object.keys(EXPECTED).sort()).toEqual(routes.map((r) => r.id).sort());
  });

  it.each(routes.map((r) => [r.id, r.handler] as const))('%s', async (id, handler) => {
    expect(await readAtInit(handler)).toEqual({ clients: EXPECTED[id], openSearchApi: false });
  });
});
