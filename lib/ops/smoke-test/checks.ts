import { randomBytes, randomUUID } from 'node:crypto';
import * as contract from './contract';
import { expectAnswer, SmokeFailure, type ApiClient } from './http';

/** What the checks share: the client, and what an earlier check learnt (the product read, the shopper's token). */
export interface CheckContext {
  readonly api: ApiClient;
  /** The product the checkout buys (the stage's smoke test product). */
  readonly checkoutProductId: string;
  /** How long an order may stay PENDING, and how often to look. */
  readonly orderTimeoutMs: number;
  readonly pollIntervalMs: number;
  productName?: string;
  shopperToken?: string;
}

export interface Check {
  readonly name: string;
  /** A check that needs what an earlier one left in the context (the token) is skipped when that one failed. */
  readonly needs?: 'shopperToken';
  /** What passed, in a few words for the log. */
  run(ctx: CheckContext): Promise<string>;
}

/** The routes each check depends on, as the OpenAPI document must list them. */
const REQUIRED_PATHS = [
  '/health',
  '/products/{id}',
  '/search',
  '/users',
  '/auth/login',
  '/orders',
  '/orders/{orderId}',
];

export const health: Check = {
  name: 'health',
  async run({ api }) {
    const answer = await api.request('GET', '/health');
    if (answer.status === 503) {
      const components = contract.Health.safeParse(answer.body).data?.components ?? {};
      const down = Object.keys(components).filter((c) => components[c] !== 'ok');
      throw new SmokeFailure(`GET /v1/health: 503, down: ${down.join(', ') || 'not said'}`);
    }
    const body = expectAnswer(answer, 200, contract.Health, 'GET /v1/health');
    if (body.status !== 'ok') throw new SmokeFailure(`GET /v1/health: status "${body.status}"`);
    return `ok (${Object.keys(body.components).join(', ')})`;
  },
};

export const openApi: Check = {
  name: 'OpenAPI document',
  async run({ api }) {
    const doc = expectAnswer(
      await api.request('GET', '/openapi.json'),
      200,
      contract.OpenApiDocument,
      'GET /v1/openapi.json',
    );
    const paths = Object.keys(doc.paths);
    const missing = REQUIRED_PATHS.filter((p) => !paths.some((path) => path.endsWith(p)));
    if (missing.length > 0) throw new SmokeFailure(`GET /v1/openapi.json lists no ${missing.join(', ')}`);
    return `OpenAPI ${doc.openapi}, ${paths.length} paths`;
  },
};

export const productRead: Check = {
  name: 'product read',
  async run(ctx) {
    const page = expectAnswer(
      await ctx.api.request('GET', '/products?limit=1'),
      200,
      contract.ProductPage,
      'GET /v1/products',
    );
    const [first] = page.items;
    if (!first) {
      // An empty catalog (a new stage): reading a product that is not there still exercises the route and table.
      const answer = await ctx.api.request('GET', `/products/smoke-missing-${randomUUID()}`);
      const { error } = expectAnswer(answer, 404, contract.ErrorBody, 'GET /v1/products/{id} of no product');
      return `the catalog is empty; an unknown id answers ${error.code}`;
    }
    const product = expectAnswer(
      await ctx.api.request('GET', `/products/${encodeURIComponent(first.id)}`),
      200,
      contract.Product,
      `GET /v1/products/${first.id}`,
    );
    if (product.id !== first.id) throw new SmokeFailure(`GET /v1/products/${first.id} answered product ${product.id}`);
    ctx.productName = product.name;
    return `${product.id} (${product.name})`;
  },
};

export const search: Check = {
  name: 'search',
  async run(ctx) {
    const q = ctx.productName?.split(/\s+/).find((w) => /^\p{L}{3,}$/u.test(w)) ?? 'gift';
    const result = expectAnswer(
      await ctx.api.request('GET', `/search?q=${encodeURIComponent(q)}&limit=5`),
      200,
      contract.SearchResult,
      'GET /v1/search',
    );
    return `"${q}": ${result.total} results`;
  },
};

/** A password the contract accepts (8-30 characters, upper, lower, digit, special), new every run. */
const throwawayPassword = () => `Sm0ke!${randomBytes(9).toString('base64url')}`;

export const signUp: Check = {
  name: 'sign-up and login',
  async run(ctx) {
    const email = `smoke-test+${randomUUID()}@example.com`;
    const password = throwawayPassword();
    const registered = expectAnswer(
      await ctx.api.request('POST', '/users', { body: { email, password, firstName: 'Smoke', lastName: 'Test' } }),
      201,
      contract.Registered,
      'POST /v1/users',
    );
    const { idToken } = expectAnswer(
      await ctx.api.request('POST', '/auth/login', { body: { email, password } }),
      200,
      contract.Tokens,
      'POST /v1/auth/login',
    );
    const me = expectAnswer(
      await ctx.api.request('GET', '/users/me', { token: idToken }),
      200,
      contract.Profile,
      'GET /v1/users/me',
    );
    if (me.userId !== registered.userId) throw new SmokeFailure(`GET /v1/users/me answered user ${me.userId}`);
    ctx.shopperToken = idToken;
    return email;
  },
};
