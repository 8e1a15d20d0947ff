/**
 * Who may call what: every route of lib/routes.ts × {anonymous, shopper, other shopper, analyst, admin},
 * with the expected status derived from the route's declared auth (none / optional / user / groups / apiKey). The cases are
 * generated from the route table; each route needs a request builder below, and a route without one fails
 * loudly. Then: shoppers only ever see and change their own profile, cart and orders; refused calls write nothing; and
 * expired, tampered, re-signed, foreign-audience and wrong-use tokens are all refused with 401.
 */
import { createHmac, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { beforeAll, describe, it } from '@jest/globals';
import { expect } from '../support/expect';
import {
  AdminAddUserToGroupCommand,
  CognitoIdentityProviderClient,
  CreateUserPoolClientCommand,
  InitiateAuthCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { routes, type Route } from '../../lib/routes';
import {
  adminSession,
  api,
  newShopper,
  platform,
  signIn,
  snapshotTables,
  strongPassword,
  type ApiResponse,
  type Shopper,
} from '../support/api';
import {
  alterPayload,
  decodeJwt,
  emulatorSigningKey,
  encodeJwt,
  errorProblems,
  flipSignatureByte,
  foreignKey,
  pathParamNames,
  pool,
  quietSnapshot,
  rawRequest,
  snapshotDiff,
  type RawRequest,
  type RawResponse,
} from '../support/hostile';
import { resetSwitchboard, switchboardStatus } from '../support/recommendations';
import { PRICING_CASES, TEST_SEGMENTS } from '../support/insights-model';

const PERSONAS = ['anonymous', 'shopper', 'otherShopper', 'analyst', 'admin'] as const;
type Persona = (typeof PERSONAS)[number];

/** The groups each persona's token carries. */
const GROUPS: Record<Persona, string[]> = {
  anonymous: [],
  shopper: [],
  otherShopper: [],
  analyst: ['analyst'],
  admin: ['admin', 'analyst'],
};

interface World {
  tokens: Record<Persona, string | undefined>;
  credentials: Record<Persona, { email: string; password: string } | undefined>;
  /** Each persona's anonymous-cart session (sent on optional-auth routes; ignored when signed in). */
  sessions: Record<Persona, string>;
  shopper: Shopper;
  otherShopper: Shopper;
  productId: string;
  /** One order per signed-in persona, placed on first use. */
  orders: Partial<Record<Persona, Promise<string>>>;
}
let world: World;

const address = {
  name: 'Ada Lovelace',
  line1: '12 St James Square',
  city: 'London',
  postalCode: 'SW1Y 4JH',
  country: 'GB',
};

const newProduct = () => ({
  name: 'Authorization Matrix Clock',
  description: 'Ticks only for admins.',
  category: 'clocks',
  brand: 'Gatekeeper',
  price: 2599,
  currency: 'GBP',
  initialStock: 1000,
});

/** A call made as `who` (token, or else session), for the setup a builder needs. */
const as = (
  who: Persona,
  path: string,
  init: { method?: string; body?: unknown; headers?: Record<string, string> } = {},
): Promise<ApiResponse> =>
  api(path, { ...init, token: world.tokens[who], headers: { 'x-session-id': world.sessions[who], ...init.headers } });

const orderBody = (w: World) => ({
  shippingAddress: address,
  paymentToken: 'tok_visa',
  items: [{ productId: w.productId, quantity: 1 }],
});

/** An order of `who`'s (the shopper's for anonymous, who cannot have one). */
function orderOf(who: Persona): Promise<string> {
  const owner: Persona = who === 'anonymous' ? 'shopper' : who;
  return (world.orders[owner] ??= as(owner, '/v1/orders', {
    method: 'POST',
    body: orderBody(world),
    headers: { 'idempotency-key': randomUUID() },
  }).then((res) => {
    if (res.status !== 202) throw new Error(`placing ${owner}'s order: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body.orderId as string;
  }));
}

/**
 * An image of the matrix's product that the pipeline has settled (REJECTED: its bytes are no image), uploaded by
 * the admin whoever the persona is: only an admin may ask for an upload, and only a settled image may be removed.
 */
async function settledImage(w: World): Promise<string> {
  const ticket = await api(`/v1/products/${w.productId}/images`, {
    method: 'POST',
    token: await adminSession(),
    body: { contentType: 'image/png' },
  });
  if (ticket.status !== 201) throw new Error(`asking for an upload: ${ticket.status} ${JSON.stringify(ticket.body)}`);
  const put = await fetch(ticket.body.uploadUrl, {
    method: 'PUT',
    body: 'not an image',
    headers: { 'content-type': 'image/png' },
  });
  if (put.status !== 200) throw new Error(`uploading: ${put.status} ${await put.text()}`);
  const path = `/v1/products/${w.productId}/images/${ticket.body.imageKey}`;
  for (let waited = 0; waited < 30_000; waited += 100) {
    const status = await api(path, { token: await adminSession() });
    if (status.body?.status === 'REJECTED') return ticket.body.imageKey as string;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`image ${ticket.body.imageKey} was not settled in 30 s`);
}

interface Built {
  path: string;
  body?: unknown;
}
type Builder = (w: World, who: Persona) => Built | Promise<Built>;

/**
 * A valid, happy-path request for each route, as `who` would make it (setup calls, when a route needs
 * state first, are made as `who` too). A new route needs an entry here: the matrix fails loudly without.
 */
const BUILDERS: Record<string, Builder> = {
  health: () => ({ path: '/v1/health' }),
  openapi: () => ({ path: '/v1/openapi.json' }),
  registerUser: () => ({
    path: '/v1/users',
    body: {
      email: `authz-${randomUUID()}@example.com`,
      password: strongPassword(),
      firstName: 'Matrix',
      lastName: 'Case',
    },
  }),
  login: (w, who) => ({ path: '/v1/auth/login', body: w.credentials[who] ?? w.credentials.shopper }),
  getMyProfile: () => ({ path: '/v1/users/me' }),
  // The admin's name is shared with other suites: set it to what it already is.
  updateMyProfile: (_w, who) => ({
    path: '/v1/users/me',
    body: who === 'admin' ? { firstName: 'Local' } : { preferences: { lastMatrixCase: who } },
  }),
  listProducts: () => ({ path: '/v1/products?limit=2' }),
  listPartnerProducts: () => ({ path: '/v1/partner/products?limit=2' }),
  getProduct: (w) => ({ path: `/v1/products/${w.productId}` }),
  createProduct: () => ({ path: '/v1/products', body: newProduct() }),
  updateProduct: async (w) => {
    const current = await api(`/v1/products/${w.productId}`);
    return {
      path: `/v1/products/${w.productId}`,
      body: { version: current.body.version, price: 2000 + Math.floor(Math.random() * 1000) },
    };
  },
  requestProductImageUpload: (w) => ({
    path: `/v1/products/${w.productId}/images`,
    body: { contentType: 'image/png' },
  }),
  getProductImage: async (w) => ({ path: `/v1/products/${w.productId}/images/${await settledImage(w)}` }),
  deleteProductImage: async (w) => ({ path: `/v1/products/${w.productId}/images/${await settledImage(w)}` }),
  getStock: (w) => ({ path: `/v1/inventory/${w.productId}` }),
  setStock: (w) => ({ path: `/v1/inventory/${w.productId}`, body: { available: 1000 } }),
  getCart: () => ({ path: '/v1/cart' }),
  addCartItem: (w) => ({ path: '/v1/cart/items', body: { productId: w.productId, quantity: 1 } }),
  setCartItem: (w) => ({ path: `/v1/cart/items/${w.productId}`, body: { quantity: 2 } }),
  removeCartItem: (w) => ({ path: `/v1/cart/items/${w.productId}` }),
  applyPromoCode: async (w, who) => {
    // WELCOME10 needs a subtotal of at least 20.00: one clock (25.99) in this persona's cart.
    await as(who, `/v1/cart/items/${w.productId}`, { method: 'PUT', body: { quantity: 1 } });
    return { path: '/v1/cart/promo', body: { code: 'WELCOME10' } };
  },
  mergeCarts: () => ({ path: '/v1/cart/merge', body: { sessionId: randomUUID() } }),
  placeOrder: (w) => ({ path: '/v1/orders', body: orderBody(w) }),
  getOrder: async (_w, who) => ({ path: `/v1/orders/${await orderOf(who)}` }),
  listOrders: () => ({ path: '/v1/orders?limit=5' }),
  getRecommendations: () => ({ path: '/v1/recommendations?limit=3' }),
  searchProducts: () => ({ path: '/v1/search?q=clock&limit=3' }),
  suggestProducts: () => ({ path: '/v1/search/suggest?q=clo' }),
  putEvents: (w, who) => ({
    path: '/v1/events',
    body: { events: [{ type: 'product_view', sessionId: w.sessions[who], productId: w.productId }] },
  }),
  analyticsSummary: () => ({ path: '/v1/analytics/dashboard/summary' }),
  analyticsSalesReport: () => ({ path: '/v1/analytics/reports/sales?dimension=category' }),
  analyticsInsights: () => ({ path: '/v1/analytics/insights' }),
  analyticsForecast: () => ({ path: `/v1/analytics/forecast?productId=${PRICING_CASES.elastic.productId}` }),
  analyticsSegments: () => ({ path: '/v1/analytics/segments' }),
  analyticsSegmentCustomers: () => ({
    path: `/v1/analytics/segments/${TEST_SEGMENTS[0].segment}/customers?limit=5`,
  }),
  analyticsPricing: () => ({ path: `/v1/analytics/pricing?productId=${PRICING_CASES.elastic.productId}` }),
  listAudit: () => ({ path: '/v1/audit?limit=5' }),
};

/** Values of the request headers routes declare, by lower-case name. */
const HEADERS: Record<string, (who: Persona) => string> = {
  'x-session-id': (who) => world.sessions[who],
  'idempotency-key': () => randomUUID(),
  // What Cognito's context-data library produces: base64 of {payload, signature, version}.
  'x-cognito-context-data': () =>
    Buffer.from(JSON.stringify({ payload: '{}', signature: 'c2ln', version: 'JS20171115' })).toString('base64'),
};

async function build(route: Route, who: Persona, token = world.tokens[who]): Promise<RawRequest> {
  const builder = BUILDERS[route.id];
  if (!builder)
    throw new Error(
      `No request builder for route ${route.id} (${route.method} ${route.path}): add one to BUILDERS in authorization.test.ts`,
    );
  const { path, body } = await builder(world, who);
  const headers: Record<string, string> = {};
  for (const { name } of route.headers ?? []) {
    const value = HEADERS[name.toLowerCase()];
    if (!value)
      throw new Error(`No value for header ${name} of route ${route.id}: add one to HEADERS in authorization.test.ts`);
    headers[name.toLowerCase()] = value(who);
  }
  if (body !== undefined) headers['content-type'] = 'application/json';
  return { method: route.method, path, token, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) };
}

/** What the contract says `who` gets from `route` with a valid request. */
function expectedStatus(route: Route, who: Persona): number {
  const auth = route.auth;
  switch (auth.kind) {
    case 'none':
    case 'optional': // anonymous shoppers name their cart with x-session-id
      return route.response.status;
    case 'user':
      return who === 'anonymous' ? 401 : route.response.status;
    case 'groups':
      return who === 'anonymous' ? 401 : auth.groups.some((g) => GROUPS[who].includes(g)) ? route.response.status : 403;
    // No persona holds a partner's API key, and no token stands in for one: API Gateway answers 403 (INVALID_API_KEY).
    case 'apiKey':
      return 403;
    default:
      throw new Error(
        `Unknown auth kind ${JSON.stringify(auth)} of route ${route.id}: teach expectedStatus in authorization.test.ts`,
      );
  }
}

const describeStatus = (s: number) => (s === 401 ? '401 UNAUTHORIZED' : s === 403 ? '403 FORBIDDEN' : `${s}`);

function checkResponse(route: Route, who: Persona, res: RawResponse): string[] {
  const expected = expectedStatus(route, who);
  if (expected >= 400) return errorProblems(res, { status: expected });
  const problems: string[] = [];
  if (res.status !== expected) problems.push(`status ${res.status}, expected ${expected}: ${res.text.slice(0, 300)}`);
  else if (route.response.schema && !route.response.schema.safeParse(res.json).success)
    problems.push(`body does not match the response schema: ${res.text.slice(0, 300)}`);
  if (typeof res.headers['x-request-id'] !== 'string') problems.push('no x-request-id header');
  return problems;
}

let cognito: CognitoIdentityProviderClient | undefined;
const cognitoClient = () =>
  (cognito ??= new CognitoIdentityProviderClient({
    region: platform().region,
    endpoint: platform().cognitoEndpoint,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  }));

beforeAll(async () => {
  const admin = await adminSession();
  const [shopper, otherShopper, analyst] = await Promise.all([newShopper(), newShopper(), newShopper()]);
  // An analyst: a shopper put in the analyst group by an operator, signing in again to carry the claim.
  await cognitoClient().send(
    new AdminAddUserToGroupCommand({
      UserPoolId: platform().userPoolId,
      Username: analyst.email,
      GroupName: 'analyst',
    }),
  );
  const analystToken = await signIn(analyst.email, analyst.password);
  expect(decodeJwt(analystToken).payload['cognito:groups']).toEqual(['analyst']);
  const created = await api('/v1/products', { method: 'POST', token: admin, body: newProduct() });
  if (created.status !== 201) throw new Error(`fixture product: ${created.status} ${JSON.stringify(created.body)}`);
  world = {
    tokens: {
      anonymous: undefined,
      shopper: shopper.token,
      otherShopper: otherShopper.token,
      analyst: analystToken,
      admin,
    },
    credentials: {
      anonymous: undefined,
      shopper: { email: shopper.email, password: shopper.password },
      otherShopper: { email: otherShopper.email, password: otherShopper.password },
      analyst: { email: analyst.email, password: analyst.password },
      admin: { email: platform().admin.email, password: platform().admin.password },
    },
    sessions: Object.fromEntries(PERSONAS.map((p) => [p, randomUUID()])) as Record<Persona, string>,
    shopper,
    otherShopper,
    productId: created.body.id,
    orders: {},
  };
});

describe('the matrix covers the route table', () => {
  it('has a request builder for every route, and none for routes that no longer exist', () => {
    expect(
      routes.filter((r) => !BUILDERS[r.id]).map((r) => `${r.id} (${r.method} ${r.path})`),
      'routes without a request builder',
    ).toEqual([]);
    expect(
      Object.keys(BUILDERS).filter((id) => !routes.some((r) => r.id === id)),
      'builders of unknown routes',
    ).toEqual([]);
    const headers = routes
      .flatMap((r) => (r.headers ?? []).map((h) => h.name.toLowerCase()))
      .filter((h) => !HEADERS[h]);
    expect(headers, 'declared headers without a value in HEADERS').toEqual([]);
  });

  it('knows every auth kind and group the table uses', () => {
    for (const route of routes) {
      expect(['none', 'optional', 'user', 'groups', 'apiKey'], route.id).toContain(route.auth.kind);
      if (route.auth.kind === 'groups')
        for (const g of route.auth.groups) expect(Object.values(GROUPS).flat(), `${route.id} group ${g}`).toContain(g);
    }
  });
});

describe('route × caller', () => {
  // By id: a test runner may hand each-table objects to the callback as copies, which lose the route's getters.
  describe.each(
    routes.map(
      (r) =>
        [
          `${r.method} ${r.path} (${r.id}, auth ${r.auth.kind === 'groups' ? r.auth.groups.join('|') : r.auth.kind})`,
          r.id,
        ] as const,
    ),
  )('%s', (_title, id) => {
    const route = routes.find((r) => r.id === id)!;
    it.each(PERSONAS.map((who) => [who, describeStatus(expectedStatus(route, who))] as const))(
      'as %s → %s',
      async (who) => {
        const res = await rawRequest(await build(route, who));
        expect(checkResponse(route, who, res)).toEqual([]);
        if (route.auth.kind === 'none') expect([401, 403]).not.toContain(res.status);
      },
    );
  });
});

describe('partner routes', () => {
  const partnerRoutes = routes.filter((r) => r.auth.kind === 'apiKey');
  const key = () => platform().partnerKeys[0].key;

  it("answer a partner's API key, with or without a token beside it, and nothing else", async () => {
    expect(partnerRoutes.length).toBeGreaterThan(0);
    for (const route of partnerRoutes) {
      const req = await build(route, 'anonymous');
      for (const token of [undefined, world.tokens.admin]) {
        const res = await rawRequest({ ...req, token, headers: { ...req.headers, 'x-api-key': key() } });
        expect([route.id, res.status]).toEqual([route.id, route.response.status]);
        expect(route.response.schema!.safeParse(res.json).success).toBe(true);
      }
      const forged = await rawRequest({ ...req, headers: { ...req.headers, 'x-api-key': `${key()}x` } });
      expect(errorProblems(forged, { status: 403 })).toEqual([]);
    }
  });

  it("do not make a partner's key a token: routes that need a user still answer 401 to it", async () => {
    const res = await rawRequest({ method: 'GET', path: '/v1/users/me', headers: { 'x-api-key': key() } });
    expect(errorProblems(res, { status: 401 })).toEqual([]);
  });
});

describe('refused calls', () => {
  it('write nothing: every 401 and 403 of the matrix, sent together, leaves the tables as they were', async () => {
    const denied = routes.flatMap((route) =>
      PERSONAS.filter((who) => expectedStatus(route, who) >= 400).map((who) => ({ route, who })),
    );
    expect(denied.length).toBeGreaterThan(0);
    const requests = await Promise.all(denied.map(async (c) => ({ ...c, req: await build(c.route, c.who) })));
    const before = await quietSnapshot();
    const problems = (
      await pool(requests, 10, async ({ route, who, req }) =>
        checkResponse(route, who, await rawRequest(req)).map((p) => `${route.id} as ${who}: ${p}`),
      )
    ).flat();
    expect(problems).toEqual([]);
    expect(snapshotDiff(before, await snapshotTables())).toEqual([]);
  });

  it('are 403 FORBIDDEN for a signed-in shopper even when the body is invalid (authorization before validation)', async () => {
    const groupRoutes = routes.filter((r) => r.auth.kind === 'groups' && r.request?.body);
    expect(groupRoutes.length).toBeGreaterThan(0);
    for (const route of groupRoutes) {
      const req = await build(route, 'shopper');
      const res = await rawRequest({ ...req, body: '{"not":"valid for this route"}' });
      expect(errorProblems(res, { status: 403 }), route.id).toEqual([]);
    }
  });

  it('do not stop public routes: a garbage bearer token on a route with auth none is ignored', async () => {
    const publicRoutes = routes.filter((r) => r.auth.kind === 'none');
    for (const route of publicRoutes) {
      const res = await rawRequest(await build(route, 'anonymous', 'not-a-token'));
      expect(res.status, `${route.id}: ${res.text.slice(0, 200)}`).toBe(route.response.status);
    }
  });
});

describe("a shopper's own resources", () => {
  /** Routes that act on the caller's own things; each is exercised by a two-shopper case below. */
  const ISOLATION_CHECKED = [
    'getMyProfile',
    'updateMyProfile',
    'getCart',
    'addCartItem',
    'setCartItem',
    'removeCartItem',
    'applyPromoCode',
    'mergeCarts',
    'placeOrder',
    'getOrder',
    'listOrders',
    'getRecommendations',
  ];

  it('has a two-shopper isolation case for every route a user (or session) calls on their own things', () => {
    // Write-only routes answer nothing of anyone's (POST /v1/events returns a count): there is nothing to isolate.
    const WRITE_ONLY = ['putEvents'];
    const personal = routes
      .filter((r) => (r.auth.kind === 'user' || r.auth.kind === 'optional') && !WRITE_ONLY.includes(r.id))
      .map((r) => r.id);
    expect(
      personal.filter((id) => !ISOLATION_CHECKED.includes(id)),
      'user/optional routes without an isolation case',
    ).toEqual([]);
  });

  it('has no user route that names a resource by id without an "other shopper gets 404" case', () => {
    const OWNERSHIP_CHECKED = ['getOrder'];
    const addressed = routes
      .filter(
        (r) =>
          (r.auth.kind === 'user' || r.auth.kind === 'optional') && pathParamNames(r).some((p) => p !== 'productId'),
      )
      .map((r) => r.id);
    expect(addressed.filter((id) => !OWNERSHIP_CHECKED.includes(id))).toEqual([]);
  });

  it("GET /v1/recommendations personalises each shopper's answer from their own orders only", async () => {
    const { shopper: a } = world;
    await orderOf('shopper');
    const b = await newShopper();
    const historySent = async (token: string) => {
      await resetSwitchboard();
      expect((await api('/v1/recommendations?limit=3', { token })).status).toBe(200);
      return ((await switchboardStatus()).lastBody as { history: { productId: string }[] }).history;
    };
    expect(await historySent(b.token), "a new shopper's request carries no one's history").toEqual([]);
    const ordersA = (await api('/v1/orders?limit=100', { token: a.token })).body.items as {
      status: string;
      items: { productId: string }[];
    }[];
    const boughtByA = new Set(
      ordersA.filter((o) => o.status !== 'CANCELLED').flatMap((o) => o.items.map((l) => l.productId)),
    );
    const sentForA = await historySent(a.token);
    expect(sentForA.length).toBeGreaterThan(0);
    expect(new Set(sentForA.map((l) => l.productId))).toEqual(boughtByA);
    // A's orders do not leak into B's answer afterwards either.
    expect(await historySent(b.token)).toEqual([]);
  });

  it('GET /v1/users/me shows each shopper their own profile, never the other one', async () => {
    const { shopper: a, otherShopper: b } = world;
    const [meA, meB] = await Promise.all([
      api('/v1/users/me', { token: a.token }),
      api('/v1/users/me', { token: b.token }),
    ]);
    expect(meA.status).toBe(200);
    expect(meB.status).toBe(200);
    expect(meA.body).toMatchObject({ userId: a.userId, email: a.email, groups: [] });
    expect(meB.body).toMatchObject({ userId: b.userId, email: b.email, groups: [] });
    expect(JSON.stringify(meB.body)).not.toContain(a.userId);
    expect(JSON.stringify(meB.body)).not.toContain(a.email);
  });

  it("PATCH /v1/users/me by one shopper changes only that shopper's profile", async () => {
    const { shopper: a, otherShopper: b } = world;
    const setA = await api('/v1/users/me', {
      method: 'PATCH',
      token: a.token,
      body: { firstName: 'Alice', phoneNumber: '+447700900001' },
    });
    expect(setA.status).toBe(200);
    const aBefore = (await api('/v1/users/me', { token: a.token })).body;

    const setB = await api('/v1/users/me', {
      method: 'PATCH',
      token: b.token,
      body: { firstName: 'Bob', lastName: 'Other', phoneNumber: '+447700900002' },
    });
    expect(setB.status).toBe(200);
    expect(setB.body).toMatchObject({
      userId: b.userId,
      email: b.email,
      firstName: 'Bob',
      lastName: 'Other',
      phoneNumber: '+447700900002',
    });

    // B cannot name A's record in the body either: the body has no owner field to smuggle in.
    for (const smuggled of [
      { userId: a.userId, firstName: 'Mallory' },
      { email: a.email, firstName: 'Mallory' },
      { sub: a.userId, firstName: 'Mallory' },
    ]) {
      const res = await rawRequest({
        method: 'PATCH',
        path: '/v1/users/me',
        token: b.token,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(smuggled),
      });
      expect(errorProblems(res, { status: 400 }), JSON.stringify(smuggled)).toEqual([]);
    }
    // Nor through the query string or an impersonation header.
    const viaQuery = await rawRequest({
      method: 'GET',
      path: `/v1/users/me?userId=${a.userId}`,
      token: b.token,
      headers: { 'x-user-id': a.userId },
    });
    expect(viaQuery.json?.userId, 'a userId in the query or a header must not select another profile').not.toBe(
      a.userId,
    );

    const aAfter = await api('/v1/users/me', { token: a.token });
    expect(aAfter.body).toEqual(aBefore);
    expect(aAfter.body).toMatchObject({ firstName: 'Alice', lastName: 'Shopper', phoneNumber: '+447700900001' });
  });
});

describe("a shopper's cart and orders", () => {
  const lineOf = (cart: { items?: { productId: string; quantity: number }[] }, productId: string) =>
    cart.items?.find((l) => l.productId === productId)?.quantity ?? 0;

  it('keeps carts apart: signed-in shoppers, anonymous sessions, and a session header sent while signed in', async () => {
    // Fresh shoppers: the matrix has already filled the world's shoppers' carts.
    const [a, b] = await Promise.all([newShopper(), newShopper()]);
    const { productId } = world;
    const sessionA = randomUUID();
    const sessionB = randomUUID();
    const asA = (path: string, init: Parameters<typeof api>[1] = {}) => api(path, { ...init, token: a.token });
    const asB = (path: string, init: Parameters<typeof api>[1] = {}) => api(path, { ...init, token: b.token });

    expect((await asA(`/v1/cart/items/${productId}`, { method: 'PUT', body: { quantity: 3 } })).status).toBe(200);
    // B sees and changes only B's cart, whatever B does to the same product.
    expect(lineOf((await asB('/v1/cart')).body, productId)).not.toBe(3);
    expect((await asB(`/v1/cart/items/${productId}`, { method: 'DELETE' })).status).toBe(200);
    expect((await asB(`/v1/cart/items/${productId}`, { method: 'PUT', body: { quantity: 0 } })).status).toBe(200);
    expect((await asB('/v1/cart/promo', { method: 'POST', body: { code: 'WELCOME10' } })).status).toBeLessThan(500);
    const cartA = (await asA('/v1/cart')).body;
    expect(lineOf(cartA, productId)).toBe(3);
    expect(cartA.promoCode).toBeUndefined();

    // Anonymous sessions are separate carts.
    const anon = (session: string, path: string, init: Parameters<typeof api>[1] = {}) =>
      api(path, { ...init, headers: { 'x-session-id': session } });
    expect((await anon(sessionA, '/v1/cart/items', { method: 'POST', body: { productId, quantity: 2 } })).status).toBe(
      200,
    );
    expect(lineOf((await anon(sessionB, '/v1/cart')).body, productId)).toBe(0);
    expect(lineOf((await anon(sessionA, '/v1/cart')).body, productId)).toBe(2);
    // A signed-in shopper naming someone's session reads their own cart, not the session's.
    const bWithSession = await api('/v1/cart', { token: b.token, headers: { 'x-session-id': sessionA } });
    expect(bWithSession.status).toBe(200);
    expect(lineOf(bWithSession.body, productId)).not.toBe(2);
    expect(bWithSession.body.cartId).toBe((await asB('/v1/cart')).body.cartId);
    expect(lineOf((await anon(sessionA, '/v1/cart')).body, productId)).toBe(2);
  });

  it('answers a cart route (optional auth, x-session-id) with neither a token nor a session with 400, in the contract shape', async () => {
    // Routes that name an anonymous shopper's things by session; others open to anonymous callers (recommendations) need none.
    const sessionRoutes = routes.filter(
      (r) => r.auth.kind === 'optional' && r.headers?.some((h) => h.name === 'x-session-id'),
    );
    expect(sessionRoutes.length).toBeGreaterThan(0);
    for (const route of sessionRoutes) {
      const req = await build(route, 'anonymous');
      const headers = Object.fromEntries(Object.entries(req.headers ?? {}).filter(([k]) => k !== 'x-session-id'));
      const res = await rawRequest({ ...req, headers });
      expect(errorProblems(res, { status: 400 }), route.id).toEqual([]);
    }
  });

  it("hides one shopper's order from another: 404 by id, absent from their list", async () => {
    const { shopper: a, otherShopper: b } = world;
    const orderA = await orderOf('shopper');
    const mine = await api(`/v1/orders/${orderA}`, { token: a.token });
    expect(mine.status).toBe(200);
    expect(mine.body.userId).toBe(a.userId);
    const theirs = await rawRequest({ method: 'GET', path: `/v1/orders/${orderA}`, token: b.token });
    expect(errorProblems(theirs, { status: 404 })).toEqual([]);
    expect(theirs.text).not.toContain(a.userId);
    const admins = await rawRequest({ method: 'GET', path: `/v1/orders/${orderA}`, token: world.tokens.admin });
    expect(admins.status, 'GET /v1/orders/{id} is "user (owner)": the admin is not the owner either').toBe(404);
    const listB = await api('/v1/orders?limit=100', { token: b.token });
    expect(listB.status).toBe(200);
    expect(listB.body.items.map((o: { orderId: string }) => o.orderId)).not.toContain(orderA);
    for (const o of listB.body.items as { userId: string }[]) expect(o.userId).toBe(b.userId);
    const listA = await api('/v1/orders?limit=100', { token: a.token });
    expect(listA.body.items.map((o: { orderId: string }) => o.orderId)).toContain(orderA);
  });

  it("does not hand one shopper another's order for the same Idempotency-Key", async () => {
    const { shopper: a, otherShopper: b } = world;
    const key = randomUUID();
    const body = orderBody(world);
    const placedA = await api('/v1/orders', {
      method: 'POST',
      token: a.token,
      headers: { 'idempotency-key': key },
      body,
    });
    const placedB = await api('/v1/orders', {
      method: 'POST',
      token: b.token,
      headers: { 'idempotency-key': key },
      body,
    });
    expect(placedA.status).toBe(202);
    expect(placedB.status).toBe(202);
    expect(placedB.body.orderId).not.toBe(placedA.body.orderId);
    expect((await api(`/v1/orders/${placedB.body.orderId}`, { token: b.token })).body.userId).toBe(b.userId);
    // And the same key again from A is A's same order.
    const againA = await api('/v1/orders', {
      method: 'POST',
      token: a.token,
      headers: { 'idempotency-key': key },
      body,
    });
    expect(againA.body.orderId).toBe(placedA.body.orderId);
  });
});

describe('tokens', () => {
  // Routes that take a token: a partner route's credential is its API key (see 'partner routes').
  const authRoutes = routes.filter((r) => r.auth.kind !== 'none' && r.auth.kind !== 'apiKey');

  /** Claims of a real admin ID token, re-signed: only what the case changes differs. */
  const resigned = (
    changes: Record<string, unknown>,
    options: { header?: Record<string, unknown>; key?: ReturnType<typeof foreignKey> } = {},
  ) => {
    const { header, payload } = decodeJwt(world.tokens.admin!);
    return encodeJwt({ ...header, ...options.header }, { ...payload, ...changes }, options.key ?? emulatorSigningKey());
  };
  const now = () => Math.floor(Date.now() / 1000);

  it('control: a token re-signed with the emulator key, unchanged but for a fresh expiry, is accepted', async () => {
    // Proves the refusals below are for the one thing each case changes, not for being re-signed.
    const token = resigned({ exp: now() + 600 });
    const res = await api('/v1/users/me', { token });
    expect(res.status).toBe(200);
    expect(res.body.email).toBe(platform().admin.email);
  });

  const cases: [string, () => string | Promise<string>][] = [
    ['expired an hour ago (correctly signed)', () => resigned({ iat: now() - 7200, exp: now() - 3600 })],
    ['expired a second ago (correctly signed)', () => resigned({ exp: now() - 1 })],
    ['not valid for another hour (nbf, correctly signed)', () => resigned({ nbf: now() + 3600, exp: now() + 7200 })],
    ['signature byte flipped', () => flipSignatureByte(world.tokens.admin!)],
    ['signature removed', () => world.tokens.admin!.split('.').slice(0, 2).join('.') + '.'],
    [
      'payload altered: a shopper promoted to admin',
      () => alterPayload(world.tokens.shopper!, { 'cognito:groups': ['admin'] }),
    ],
    ['payload altered: another sub', () => alterPayload(world.tokens.otherShopper!, { sub: world.shopper.userId })],
    ['payload altered: expiry extended', () => alterPayload(world.tokens.admin!, { exp: now() + 86_400 * 365 })],
    ['alg none', () => encodeJwt({ alg: 'none', typ: 'JWT' }, decodeJwt(world.tokens.admin!).payload)],
    ['signed by a foreign key under the emulator key id', () => resigned({}, { key: foreignKey() })],
    [
      'HS256 keyed with the public key (algorithm confusion)',
      () => {
        const require = createRequire(import.meta.url);
        const { pem } = JSON.parse(
          readFileSync(require.resolve('cognito-local/lib/keys/cognitoLocal.public.json'), 'utf8'),
        ) as { pem: string };
        const { header, payload } = decodeJwt(world.tokens.admin!);
        const input = `${Buffer.from(JSON.stringify({ ...header, alg: 'HS256' })).toString('base64url')}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}`;
        return `${input}.${createHmac('sha256', pem).update(input).digest('base64url')}`;
      },
    ],
    ['another issuer (correctly signed)', () => resigned({ iss: `${platform().cognitoEndpoint}/local_SomeoneElse` })],
    ['another audience (correctly signed)', () => resigned({ aud: 'some-other-app-client' })],
    [
      'an access token instead of the ID token',
      async () => (await api('/v1/auth/login', { method: 'POST', body: world.credentials.admin })).body.accessToken,
    ],
    [
      'a refresh token instead of the ID token',
      async () => (await api('/v1/auth/login', { method: 'POST', body: world.credentials.admin })).body.refreshToken,
    ],
    ['token_use access on ID claims (correctly signed)', () => resigned({ token_use: 'access' })],
    ['unknown key id (correctly signed)', () => resigned({}, { header: { kid: 'SomeOtherKey' } })],
    ['garbage', () => 'garbage'],
    ['three empty segments', () => '..'],
    [
      'a JWT of JSON null',
      () => `${Buffer.from('null').toString('base64url')}.${Buffer.from('null').toString('base64url')}.`,
    ],
  ];

  it.each(cases)(
    'refuses a token that is %s with 401 on every authenticated route, writing nothing',
    async (_label, make) => {
      const token = await make();
      // Built first: some builders set state up (as the admin, with the real token) before the snapshot.
      const requests = await Promise.all(
        authRoutes.map(async (route) => ({ route, req: await build(route, 'admin', token) })),
      );
      const before = await quietSnapshot();
      const problems = (
        await pool(requests, 10, async ({ route, req }) =>
          errorProblems(await rawRequest(req), { status: 401 }).map((p) => `${route.id}: ${p}`),
        )
      ).flat();
      expect(problems).toEqual([]);
      expect(snapshotDiff(before, await snapshotTables())).toEqual([]);
    },
  );

  it('refuses an ID token issued by the pool to another app client (audience) with 401', async () => {
    const other = await cognitoClient().send(
      new CreateUserPoolClientCommand({
        UserPoolId: platform().userPoolId,
        ClientName: `authz-other-${randomUUID().slice(0, 8)}`,
        ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH'],
      }),
    );
    const otherClientId = other.UserPoolClient!.ClientId!;
    expect(otherClientId).not.toBe(platform().clientId);
    const auth = await cognitoClient().send(
      new InitiateAuthCommand({
        ClientId: otherClientId,
        AuthFlow: 'USER_PASSWORD_AUTH',
        AuthParameters: { USERNAME: world.credentials.admin!.email, PASSWORD: world.credentials.admin!.password },
      }),
    );
    const token = auth.AuthenticationResult!.IdToken!;
    expect(decodeJwt(token).payload.aud).toBe(otherClientId);
    for (const route of authRoutes) {
      const res = await rawRequest(await build(route, 'admin', token));
      expect(errorProblems(res, { status: 401 }), route.id).toEqual([]);
    }
  });

  it('refuses malformed Authorization headers with 401', async () => {
    const admin = world.tokens.admin!;
    const headers: [string, string][] = [
      ['empty', ''],
      ['scheme only', 'Bearer'],
      ['scheme and space', 'Bearer '],
      [
        'Basic credentials',
        `Basic ${Buffer.from(`${platform().admin.email}:${platform().admin.password}`).toString('base64')}`,
      ],
      ['another scheme', `Token ${admin}`],
      ['two tokens', `Bearer ${admin} ${admin}`],
      ['token with a trailing junk word', `Bearer ${admin} x`],
    ];
    const route = routes.find((r) => r.auth.kind === 'user' && r.method === 'GET')!;
    for (const [label, value] of headers) {
      const res = await rawRequest({ method: route.method, path: route.path, headers: { authorization: value } });
      expect(errorProblems(res, { status: 401 }), label).toEqual([]);
    }
    // The scheme is case-insensitive (RFC 9110): this one is fine.
    const lower = await rawRequest({
      method: route.method,
      path: route.path,
      headers: { authorization: `bearer ${admin}` },
    });
    expect(lower.status).toBe(route.response.status);
  });
});
