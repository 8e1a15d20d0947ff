/**
 * Hostile and malformed input over every route of lib/routes.ts. Cases are generated from the route table
 * and the zod schemas it names, so a new route (or a new field, nested ones included) is covered without
 * editing this file; the only hand-written parts are a valid body per route and valid values of path
 * parameters and declared headers by name, and anything missing from those tables fails loudly.
 *
 * Every refused request must be a 4xx in API.md's error shape, with the code matching the status, a
 * human-readable message and an x-request-id, never a 5xx; and a batch of them must leave every table
 * exactly as it was.
 */
import { randomUUID } from 'node:crypto';
import { beforeAll, describe, it } from '@jest/globals';
import { expect } from '../support/expect';
import { routes, type Route } from '../../lib/routes';
import { PARTNER_PAGE_MAX } from '../../functions/catalog/schemas';
import { MAX_SEGMENT_PAGE } from '../../functions/analytics/schemas';
import { PRICING_CASES, TEST_SEGMENTS } from '../support/insights-model';
import { adminSession, api, newShopper, platform, snapshotTables, strongPassword, type Shopper } from '../support/api';
import {
  DELETE,
  HOSTILE_PATH_SEGMENTS,
  HOSTILE_STRINGS,
  SAMPLE_OF_KIND,
  errorProblems,
  fieldSlots,
  fillPath,
  isOptional,
  isRecord,
  jsonKinds,
  pathParamNames,
  pathString,
  pool,
  quietSnapshot,
  rawRequest,
  shapeOf,
  snapshotDiff,
  withPath,
  type ErrorExpectation,
  type FieldSlot,
  type JsonKind,
  type RawRequest,
  type RawResponse,
} from '../support/hostile';

const MiB = 1024 * 1024;
const CONCURRENCY = 10;

interface Fixture {
  admin: string;
  shopper: Shopper;
  /** The product bodies and paths name; only a request that should have been refused changes it. */
  productId: string;
}
let fx: Fixture;

const newProductBody = () => ({
  sku: `BADIN-${randomUUID().slice(0, 8)}`,
  name: 'Hostile Input Lamp',
  description: 'A lamp that only exists to be attacked.',
  category: 'lighting',
  brand: 'Fuzz & Co',
  price: 4599,
  currency: 'GBP',
  attributes: { colour: 'amber', watts: 40, dimmable: true },
  initialStock: 7,
});

const address = {
  name: 'Ada Lovelace',
  line1: '12 St James Square',
  line2: 'Flat 2',
  city: 'London',
  state: 'Greater London',
  postalCode: 'SW1Y 4JH',
  country: 'GB',
};

/** A valid body for each route that takes one; every generated body case is one change away from it. */
const VALID_BODIES: Record<string, (f: Fixture) => Record<string, unknown>> = {
  registerUser: () => ({
    email: `bad-input-${randomUUID()}@example.com`,
    password: strongPassword(),
    firstName: 'Bad',
    lastName: 'Input',
  }),
  login: (f) => ({ email: f.shopper.email, password: f.shopper.password }),
  updateMyProfile: () => ({
    firstName: 'Valid',
    lastName: 'Name',
    phoneNumber: '+447700900123',
    preferences: { newsletter: true, language: 'en-GB', notifications: { email: true } },
  }),
  createProduct: () => newProductBody(),
  updateProduct: () => ({ version: 1, name: 'Renamed Lamp', price: 4999 }),
  requestProductImageUpload: () => ({ contentType: 'image/jpeg' }),
  setStock: () => ({ available: 5 }),
  addCartItem: (f) => ({ productId: f.productId, quantity: 1 }),
  setCartItem: () => ({ quantity: 2 }),
  applyPromoCode: () => ({ code: 'WELCOME10' }),
  mergeCarts: () => ({ sessionId: randomUUID() }),
  placeOrder: (f) => ({
    shippingAddress: address,
    paymentToken: 'tok_visa',
    items: [{ productId: f.productId, quantity: 1 }],
  }),
  // `at` must be near the server's time (within 24 h before it); eventId is the client's own id for the event.
  putEvents: (f) => ({
    events: [
      {
        type: 'add_to_cart',
        sessionId: randomUUID(),
        productId: f.productId,
        value: 1999,
        at: new Date(Date.now() - 60_000).toISOString(),
        eventId: randomUUID(),
      },
    ],
  }),
};

/** Valid path parameters by name (an order id that exists is not needed: validation comes first). */
const PARAM_VALUES: Record<string, (f: Fixture) => string> = {
  id: (f) => f.productId,
  productId: (f) => f.productId,
  orderId: () => 'order-that-does-not-exist',
  imageKey: () => 'i-does-not-exist',
  imageId: () => 'i-does-not-exist',
  // The hand-made insights model's (test/support/insights-model.ts) largest segment: its export has pages to tamper with.
  segment: () => TEST_SEGMENTS[0].segment,
};

/** Valid values of the request headers routes declare, by lower-case name. */
const HEADER_VALUES: Record<string, () => string> = {
  'x-session-id': () => randomUUID(),
  'idempotency-key': () => randomUUID(),
  // What Cognito's context-data library produces: base64 of {payload, signature, version}.
  'x-cognito-context-data': () =>
    Buffer.from(JSON.stringify({ payload: '{}', signature: 'c2ln', version: 'JS20171115' })).toString('base64'),
};

const bodySchema = (route: Route) => route.request?.body;
const bodyRoutes = routes.filter((r) => bodySchema(r));
const bodylessRoutes = routes.filter((r) => !bodySchema(r));
const paramRoutes = routes.filter((r) => pathParamNames(r).length > 0);
const queryRoutes = routes.filter((r) => shapeOf(r.request?.query));
const headerRoutes = routes.filter((r) => r.headers?.length);

/** A route missing from VALID_BODIES gets `{}` here (its field cases are then skipped, and the coverage test fails). */
const validBody = (route: Route): Record<string, unknown> => VALID_BODIES[route.id]?.(fx) ?? {};
const hasValidBody = (route: Route) => route.id in VALID_BODIES;

const validParams = (route: Route): Record<string, string> =>
  Object.fromEntries(
    pathParamNames(route).map((name) => [name, encodeURIComponent(PARAM_VALUES[name]?.(fx) ?? 'no-such-id-0')]),
  );

/** The declared headers with valid values, and a partner route's credential: the platform's partner key. */
const declaredHeaders = (route: Route): Record<string, string> => ({
  ...Object.fromEntries(
    (route.headers ?? []).map((h) => [h.name.toLowerCase(), HEADER_VALUES[h.name.toLowerCase()]?.() ?? randomUUID()]),
  ),
  ...(route.auth.kind === 'apiKey' ? { 'x-api-key': platform().partnerKeys[0].key } : {}),
});

/**
 * A token that reaches validation on every route: the admin's for group routes; for routes any user may
 * call (or anyone, for optional ones), a shopper of this file's own, so a write slipping through changes
 * nobody else's profile or cart; none on partner routes, whose credential is their API key (declaredHeaders).
 */
const tokenFor = (route: Route) =>
  route.auth.kind === 'none' || route.auth.kind === 'apiKey'
    ? undefined
    : route.auth.kind === 'groups'
      ? fx.admin
      : fx.shopper.token;

const jsonHeaders = { 'content-type': 'application/json' };

/** A request to `route` with valid params, declared headers and, when it takes one, a valid body; overrides on top. */
function requestFor(
  route: Route,
  overrides: Partial<RawRequest> & { params?: Record<string, string>; query?: string } = {},
): RawRequest {
  const path =
    fillPath(route, { ...validParams(route), ...overrides.params }) + (overrides.query ? `?${overrides.query}` : '');
  const base: RawRequest = { method: route.method, path, token: tokenFor(route), headers: declaredHeaders(route) };
  if (bodySchema(route))
    Object.assign(base, { headers: { ...base.headers, ...jsonHeaders }, body: JSON.stringify(validBody(route)) });
  const { params: _p, query: _q, ...rest } = overrides;
  return { ...base, ...rest, headers: { ...base.headers, ...rest.headers } };
}

/** The same, but with exactly these headers (plus the declared ones): for content-type cases. */
const withHeaders = (route: Route, headers: Record<string, string>, body?: string): RawRequest => ({
  ...requestFor(route),
  headers: { ...declaredHeaders(route), ...headers },
  ...(body === undefined ? {} : { body }),
});

interface Case {
  name: string;
  req: RawRequest;
  expect: ErrorExpectation;
  /** Extra checks on the response, returning problems. */
  check?: (res: RawResponse) => string[];
}

/**
 * Sends a batch (CONCURRENCY at a time), collects every problem of every response, and proves the batch
 * wrote nothing. Half the cases send their own x-request-id, which must be echoed; the rest must get one.
 */
async function runBatch(cases: Case[]) {
  expect(cases.length).toBeGreaterThan(0);
  const before = await quietSnapshot();
  const problems = (
    await pool(cases, CONCURRENCY, async (c, i) => {
      const requestId = i % 2 === 0 ? `bad-input-${i}-${randomUUID()}` : undefined;
      const req = requestId ? { ...c.req, headers: { ...c.req.headers, 'x-request-id': requestId } } : c.req;
      let res: RawResponse;
      try {
        res = await rawRequest(req);
      } catch (e) {
        return [`${c.name}: transport error ${(e as Error).message}`];
      }
      return [...errorProblems(res, { ...c.expect, requestId }), ...(c.check?.(res) ?? [])].map(
        (p) => `${c.name} [${req.method} ${req.path.slice(0, 120)}]: ${p}`,
      );
    })
  ).flat();
  const after = await snapshotTables();
  return { problems, written: snapshotDiff(before, after), count: cases.length };
}

const expectClean = ({ problems, written }: { problems: string[]; written: string[] }) => {
  expect(problems, `${problems.length} bad responses`).toEqual([]);
  expect(written, 'rejected requests changed the tables').toEqual([]);
};

const b64url = (s: string) => Buffer.from(s).toString('base64url');

beforeAll(async () => {
  const admin = await adminSession();
  const shopper = await newShopper();
  const created = await api('/v1/products', {
    method: 'POST',
    token: admin,
    body: { ...newProductBody(), initialStock: 1000 },
  });
  if (created.status !== 201) throw new Error(`fixture product: ${created.status} ${JSON.stringify(created.body)}`);
  fx = { admin, shopper, productId: created.body.id };
});

describe('the generated cases cover the route table', () => {
  it('has a valid body for every route that takes one, valid path parameters and valid declared headers', () => {
    expect(
      bodyRoutes.filter((r) => !hasValidBody(r)).map((r) => r.id),
      'routes with a body but no entry in VALID_BODIES',
    ).toEqual([]);
    for (const route of bodyRoutes.filter(hasValidBody)) {
      const parsed = bodySchema(route)!.safeParse(validBody(route));
      expect(parsed.success, `VALID_BODIES.${route.id} does not pass its own schema`).toBe(true);
      expect(
        shapeOf(bodySchema(route)),
        `${route.id}: body schema is not an object, the generator cannot mutate it`,
      ).toBeDefined();
    }
    expect(
      Object.keys(VALID_BODIES).filter((id) => !bodyRoutes.some((r) => r.id === id)),
      'stale VALID_BODIES entries',
    ).toEqual([]);
    const unknownParams = paramRoutes.flatMap((r) =>
      pathParamNames(r)
        .filter((n) => !PARAM_VALUES[n])
        .map((n) => `${r.id}.${n}`),
    );
    expect(unknownParams, 'path parameters without an entry in PARAM_VALUES').toEqual([]);
    for (const route of paramRoutes) {
      const params = Object.fromEntries(pathParamNames(route).map((n) => [n, PARAM_VALUES[n]?.(fx)]));
      expect(
        route.request?.params?.safeParse(params).success,
        `${route.id}: PARAM_VALUES do not pass the params schema`,
      ).toBe(true);
    }
    const unknownHeaders = headerRoutes.flatMap((r) =>
      r.headers!.filter((h) => !HEADER_VALUES[h.name.toLowerCase()]).map((h) => `${r.id}: ${h.name}`),
    );
    expect(unknownHeaders, 'declared headers without an entry in HEADER_VALUES').toEqual([]);
  });
});

describe('malformed and non-object JSON bodies', () => {
  const deep = (n: number) => `${'{"a":'.repeat(n)}1${'}'.repeat(n)}`;
  const bodies: [string, string][] = [
    ['truncated object', '{"name": "x"'],
    ['unquoted key', '{bad}'],
    ['trailing comma', '{"a":1,}'],
    ['single quotes', "{'a':1}"],
    ['comment', '{"a":1 /* hi */}'],
    ['NaN literal', '{"a": NaN}'],
    ['Infinity literal', '{"a": Infinity}'],
    ['byte-order mark', '\uFEFF{}'],
    ['bare word', 'undefined'],
    ['two documents', '{}{}'],
    ['NUL byte', '{"a":"\u0000"'],
    ['invalid UTF-8', '\xff\xfe{}'],
    ['empty', ''],
    ['whitespace only', '   \n'],
    ['array', '[]'],
    ['array of objects', '[{}]'],
    ['string', '"a string"'],
    ['number', '123'],
    ['null', 'null'],
    ['boolean', 'true'],
    ['__proto__ key', '{"__proto__":{"isAdmin":true}}'],
    ['constructor.prototype key', '{"constructor":{"prototype":{"isAdmin":true}}}'],
    ['100k-deep nesting (~600 KB)', deep(100_000)],
  ];

  it('refuses each with 400 VALIDATION_ERROR on every route that takes a body, writing nothing', async () => {
    const cases: Case[] = bodyRoutes.flatMap((route) =>
      bodies.map(([name, raw]) => ({
        name: `${route.id}: ${name}`,
        req: requestFor(route, { body: name === 'invalid UTF-8' ? Buffer.from([0xff, 0xfe, 0x7b, 0x7d]) : raw }),
        expect: { status: 400 },
      })),
    );
    expectClean(await runBatch(cases));
  });

  it('says what is wrong with a forbidden key instead of calling valid JSON invalid', async () => {
    const route = bodyRoutes[0];
    const res = await rawRequest(requestFor(route, { body: '{"__proto__":{"isAdmin":true}}' }));
    expect(errorProblems(res, { status: 400 })).toEqual([]);
    // The body is well-formed JSON; "not valid JSON" sends the client hunting for a syntax error.
    expect(res.json.error.message).not.toMatch(/not valid JSON/i);
    expect(res.json.error.message).toMatch(/__proto__|forbidden|not allowed/i);
  });
});

describe('forbidden keys nested in a body', () => {
  const FORBIDDEN = [
    ['constructor', 'x'],
    ['prototype', { isAdmin: true }],
    ['__proto__', { isAdmin: true }],
  ] as const;
  const PLACEHOLDER = 'forbidden-key-placeholder';

  /**
   * Where a route's valid body can hold a forbidden key at depth 2 or more: inside a nested object the schema
   * takes (preferences, attributes, an address, an event) when it has one — a record accepts any key, so only
   * the forbidden-key check stands between it and the handler — and always under a new nested field, two deep.
   */
  const placements = (body: Record<string, unknown>): (string | number)[][] => {
    const nested = Object.entries(body).flatMap(([key, value]): (string | number)[][] => {
      if (Array.isArray(value) && value[0] && typeof value[0] === 'object') return [[key, 0]];
      if (value && typeof value === 'object' && !Array.isArray(value)) return [[key]];
      return [];
    });
    return [...nested.slice(0, 1), ['nested', 'deeper']];
  };

  it('refuses constructor, prototype or __proto__ at depth 2 or more with 400 naming its path, on every route with a body, writing nothing', async () => {
    const cases: Case[] = bodyRoutes.flatMap((route) =>
      placements(validBody(route)).flatMap((at) =>
        FORBIDDEN.map(([key, value]) => {
          // Built as text: an object literal with a __proto__ key would set the prototype instead of a key.
          const body = JSON.stringify(withPath(validBody(route), [...at, PLACEHOLDER], value)).replace(
            `"${PLACEHOLDER}"`,
            JSON.stringify(key),
          );
          const path = pathString([...at, key]);
          return {
            name: `${route.id}: ${path}`,
            req: requestFor(route, { body }),
            // middy's parser refuses __proto__ itself, while parsing, before any path is known.
            expect: key === '__proto__' ? { status: 400 } : { status: 400, detailPath: path },
            check: (res: RawResponse) =>
              /forbidden/i.test(String(res.json?.error?.message))
                ? []
                : [`message does not say the key is forbidden: ${res.text.slice(0, 200)}`],
          };
        }),
      ),
    );
    expect(cases.some((c) => c.name === 'updateMyProfile: preferences.constructor')).toBe(true);
    expectClean(await runBatch(cases));
  });

  it('answers PATCH /v1/users/me with {"preferences":{"constructor":"x"}} with 400, not 500, and keeps the profile', async () => {
    const before = await api('/v1/users/me', { token: fx.shopper.token });
    const res = await api('/v1/users/me', {
      method: 'PATCH',
      token: fx.shopper.token,
      body: { preferences: { constructor: 'x' } },
    });
    expect([res.status, res.body.error?.code, res.body.error?.details]).toEqual([
      400,
      'VALIDATION_ERROR',
      [{ path: 'preferences.constructor', message: 'Is a forbidden key' }],
    ]);
    expect((await api('/v1/users/me', { token: fx.shopper.token })).body).toEqual(before.body);
  });
});

describe('wrong types, missing, unknown and out-of-range fields', () => {
  /** For one field: a value of every JSON kind its schema does not take, plus values its own checks refuse. */
  const badValuesFor = (field: Parameters<typeof jsonKinds>[0]): [string, unknown][] => {
    const kinds = jsonKinds(field);
    const out: [string, unknown][] = (Object.keys(SAMPLE_OF_KIND) as JsonKind[])
      .filter((k) => !kinds.has(k))
      .map((k) => [`a ${k}`, SAMPLE_OF_KIND[k]]);
    const candidates: [string, unknown][] = [
      ['empty string', ''],
      ['blank string', '   '],
      ['5001 characters', 'x'.repeat(5001)],
      ['numeric string', '1299'],
      ['fraction', 12.5],
      ['negative', -1],
      ['zero', 0],
      ['huge number', 1e21],
      ['unsafe integer', 2 ** 53 + 2],
      ['record with a bad key', { 'bad key!': 'x' }],
      ['record with a nested object', { nested: { deeper: 1 } }],
      ['record with an array value', { list: [1, 2] }],
      ['record with a null value', { nothing: null }],
      ['record with 501-character value', { long: 'y'.repeat(501) }],
      ['record with 51 keys', Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, i]))],
    ];
    for (const [label, value] of candidates) {
      const kind: JsonKind = value === null ? 'null' : Array.isArray(value) ? 'array' : (typeof value as JsonKind);
      // Only values of a kind the field takes (other kinds are covered above) that its schema refuses.
      if (kinds.has(kind) && !field.safeParse(value).success) out.push([label, value]);
    }
    return out;
  };

  const fieldCases = (route: Route): Case[] => {
    const cases: Case[] = [];
    const mutate = (name: string, path: (string | number)[], to: unknown, detailPath = pathString(path)) => {
      const body = withPath(validBody(route), path, to);
      cases.push({
        name: `${route.id}: ${name}`,
        req: requestFor(route, { body: JSON.stringify(body) }),
        expect: { status: 400, detailPath },
      });
    };
    for (const { path, field } of fieldSlots(bodySchema(route), validBody(route))) {
      const key = pathString(path);
      if (!isOptional(field)) mutate(`missing required ${key}`, path, DELETE);
      for (const [label, value] of badValuesFor(field)) mutate(`${key} as ${label}`, path, value);
    }
    mutate('an unknown field', ['unexpectedField'], 'surprise');
    mutate('a field name that looks like an operator', ['$where'], 'sleep(1000)');
    cases.push({ name: `${route.id}: empty object`, req: requestFor(route, { body: '{}' }), expect: { status: 400 } });
    return cases;
  };

  it('refuses every bad field of every body with 400 naming the field, writing nothing', async () => {
    const cases = bodyRoutes.filter(hasValidBody).flatMap(fieldCases);
    expectClean(await runBatch(cases));
  });

  it('refuses preferences.notifications of the wrong shape, or an object under a flat key, with 400 naming it', async () => {
    const route = routes.find((r) => r.id === 'updateMyProfile')!;
    const wrong: [string, unknown, string][] = [
      ['email as a string', { notifications: { email: 'no' } }, 'preferences.notifications.email'],
      ['email as a number', { notifications: { email: 0 } }, 'preferences.notifications.email'],
      ['email as null', { notifications: { email: null } }, 'preferences.notifications.email'],
      ['an unknown channel', { notifications: { email: false, sms: true } }, 'preferences.notifications'],
      ['notifications as an array', { notifications: [false] }, 'preferences.notifications'],
      ['another key holding an object', { language: { email: false } }, 'preferences.language'],
    ];
    const cases: Case[] = wrong.map(([name, preferences, detailPath]) => ({
      name: `updateMyProfile: preferences with ${name}`,
      req: requestFor(route, { body: JSON.stringify({ preferences }) }),
      expect: { status: 400, detailPath },
    }));
    expectClean(await runBatch(cases));
  });
});

describe('content types', () => {
  const refused: [string, Record<string, string>, string | undefined][] = [
    ['text/plain', { 'content-type': 'text/plain' }, undefined],
    ['text/plain;charset=utf-8', { 'content-type': 'text/plain;charset=utf-8' }, undefined],
    ['form-urlencoded', { 'content-type': 'application/x-www-form-urlencoded' }, 'email=a%40b.c&password=x'],
    [
      'multipart/form-data',
      { 'content-type': 'multipart/form-data; boundary=xyz' },
      '--xyz\r\nContent-Disposition: form-data; name="a"\r\n\r\n1\r\n--xyz--\r\n',
    ],
    ['application/xml', { 'content-type': 'application/xml' }, '<a>1</a>'],
    ['text/json', { 'content-type': 'text/json' }, undefined],
    ['application/jsonp', { 'content-type': 'application/jsonp' }, undefined],
    ['no content type', {}, undefined],
  ];

  it('refuses a body that is not declared application/json with 415 on every route that takes one', async () => {
    const cases: Case[] = bodyRoutes.flatMap((route) =>
      refused.map(([name, headers, body]) => ({
        name: `${route.id}: ${name}`,
        // A JSON body the route would accept, so only the declared type is wrong.
        req: withHeaders(route, headers, body ?? JSON.stringify(validBody(route))),
        expect: { status: 415 },
      })),
    );
    expectClean(await runBatch(cases));
  });

  it('accepts application/json with parameters, in any case, and +json types (the body is then validated)', async () => {
    const accepted = ['application/json; charset=utf-8', 'APPLICATION/JSON', 'application/vnd.api+json'];
    const cases: Case[] = bodyRoutes.flatMap((route) =>
      accepted.map((type) => ({
        name: `${route.id}: ${type}`,
        req: requestFor(route, { headers: { 'content-type': type }, body: '{"unexpectedField":1}' }),
        expect: { status: 400 },
      })),
    );
    expectClean(await runBatch(cases));
  });
});

describe('a body sent to a route that takes none', () => {
  it('is refused with 400 (or 415) on every route without a body schema, GET included', async () => {
    const cases: Case[] = bodylessRoutes.flatMap((route) => [
      {
        name: `${route.id}: JSON object`,
        req: withHeaders(route, jsonHeaders, '{"sneaky":true}'),
        expect: { status: [400, 415] },
      },
      {
        name: `${route.id}: text`,
        req: withHeaders(route, { 'content-type': 'text/plain' }, 'hello'),
        expect: { status: [400, 415] },
      },
      {
        name: `${route.id}: malformed JSON`,
        req: withHeaders(route, jsonHeaders, '{oops'),
        expect: { status: [400, 415] },
      },
    ]);
    expectClean(await runBatch(cases));
  });
});

describe('oversize bodies', () => {
  /** A JSON object of exactly `bytes` bytes (one padding field). */
  const jsonOfSize = (bytes: number) => {
    const shell = '{"padding":""}';
    return `{"padding":"${'p'.repeat(bytes - shell.length)}"}`;
  };

  it('answers a body over 1 MiB with 413 PAYLOAD_TOO_LARGE on every route, declared or streamed', async () => {
    const over = jsonOfSize(MiB + 1);
    const huge = jsonOfSize(5 * MiB);
    expect(Buffer.byteLength(over)).toBe(MiB + 1);
    // The client sends no more than the server must read to decide, then waits for the answer: a declared
    // length over the limit is refused before any of the body; a chunked body once it passes the limit.
    const cases: Case[] = routes.flatMap((route) => [
      {
        name: `${route.id}: declares 1 MiB + 1 byte`,
        req: { ...withHeaders(route, jsonHeaders), body: over, stallAfter: 0 },
        expect: { status: 413 },
      },
      {
        name: `${route.id}: declares 5 MiB`,
        req: { ...withHeaders(route, jsonHeaders), body: huge, stallAfter: 0 },
        expect: { status: 413 },
      },
      {
        name: `${route.id}: streams 1 MiB + 1 byte`,
        req: { ...withHeaders(route, jsonHeaders), body: huge, chunked: true, stallAfter: MiB + 1 },
        expect: { status: 413 },
      },
    ]);
    expectClean(await runBatch(cases));
  });

  it('still delivers the 413 to a client that sends its whole oversize body (no reset before the answer)', async () => {
    // A client that writes the whole body before reading (most do) must get the 413, not a broken pipe:
    // the server has to drain or linger before closing, or the kernel resets the connection and the
    // answer is lost with it.
    const route = bodyRoutes.find((r) => r.auth.kind === 'none') ?? bodyRoutes[0];
    const huge = jsonOfSize(5 * MiB);
    const outcomes: string[] = [];
    for (let i = 0; i < 8; i++) {
      const res = await rawRequest({ ...withHeaders(route, jsonHeaders), body: huge, writeAll: true }).catch(
        (e: NodeJS.ErrnoException) => e,
      );
      outcomes.push(res instanceof Error ? `transport error ${res.code ?? res.message}` : String(res.status));
    }
    expect(outcomes, `${route.method} ${route.path} with 5 MiB, 8 times`).toEqual(Array(8).fill('413'));
  });

  it('lets a body of exactly 1 MiB through to validation (400, not 413)', async () => {
    const atLimit = jsonOfSize(MiB);
    expect(Buffer.byteLength(atLimit)).toBe(MiB);
    const cases: Case[] = routes.flatMap((route) => [
      {
        name: `${route.id}: exactly 1 MiB`,
        req: { ...withHeaders(route, jsonHeaders), body: atLimit },
        expect: { status: 400 },
      },
      {
        name: `${route.id}: exactly 1 MiB chunked`,
        req: { ...withHeaders(route, jsonHeaders), body: atLimit, chunked: true },
        expect: { status: 400 },
      },
    ]);
    expectClean(await runBatch(cases));
  });

  it('counts bytes, not characters: 1 MiB of bytes in multi-byte characters is still within the limit', async () => {
    // 3-byte characters: fewer than 1 MiB / 3 characters but exactly 1 MiB of UTF-8.
    const shell = '{"padding":""}';
    const chars = Math.floor((MiB - shell.length) / 3);
    const body = `{"padding":"${'漢'.repeat(chars)}${'p'.repeat(MiB - shell.length - chars * 3)}"}`;
    expect(Buffer.byteLength(body)).toBe(MiB);
    const overBy1 = `${body.slice(0, -2)}p"}`;
    expect(Buffer.byteLength(overBy1)).toBe(MiB + 1);
    const route = bodyRoutes[0];
    expectClean(
      await runBatch([
        { name: `${route.id}: 1 MiB of CJK`, req: requestFor(route, { body }), expect: { status: 400 } },
        {
          name: `${route.id}: 1 MiB + 1 byte of CJK`,
          req: requestFor(route, { body: overBy1 }),
          expect: { status: 413 },
        },
      ]),
    );
  });
});

describe('hostile strings in body fields', () => {
  interface Slot {
    label: string;
    path: (string | number)[];
    field: FieldSlot['field'];
    place: (value: string) => unknown;
  }
  /** Every string-taking field of every body at any depth, plus the values and the keys of record fields. */
  const stringSlots = (route: Route): Slot[] =>
    fieldSlots(bodySchema(route), validBody(route)).flatMap(({ path, field }): Slot[] => {
      const label = pathString(path);
      const out: Slot[] = [];
      if (jsonKinds(field).has('string')) out.push({ label, path, field, place: (v) => v });
      if (isRecord(field)) {
        out.push({ label: `${label} value`, path, field, place: (v) => ({ note: v }) });
        out.push({ label: `${label} key`, path, field, place: (v) => ({ [v]: 'x' }) });
      }
      return out;
    });

  const allCases = () =>
    bodyRoutes.filter(hasValidBody).flatMap((route) =>
      stringSlots(route).flatMap((slot) =>
        HOSTILE_STRINGS.map((hostile) => {
          const value = slot.place(hostile.value);
          const refused = hostile.alwaysRefused || !slot.field.safeParse(value).success;
          return { route, slot, hostile, value, refused };
        }),
      ),
    );

  const refusedCases = (bidi: boolean): Case[] =>
    allCases()
      .filter((c) => c.refused && c.hostile.bidi === bidi)
      .map(({ route, slot, hostile, value }) => ({
        name: `${route.id}: ${hostile.label} in ${slot.label}`,
        req: requestFor(route, { body: JSON.stringify(withPath(validBody(route), slot.path, value)) }),
        // login answers an impossible password as a wrong one (401): a refusal all the same.
        expect:
          route.id === 'login' && slot.label === 'password'
            ? { status: [400, 401] }
            : { status: 400, detailPath: slot.label.replace(/ (value|key)$/, '') },
      }));

  it('refuses markup, control characters, over-long unicode and anything a field format forbids, writing nothing', async () => {
    expectClean(await runBatch(refusedCases(false)));
  });

  it('refuses bidi override characters (U+202E, "Trojan Source" spoofing) in every string field, writing nothing', async () => {
    expectClean(await runBatch(refusedCases(true)));
  });

  it('stores SQL, NoSQL and traversal strings in free-text fields as inert text, and drops no data', async () => {
    // These requests are valid, so they write: run them with their own tokens and resources, check each
    // value comes back exactly where the response shows it, and that no item of any table disappeared.
    const inert = allCases().filter((c) => !c.refused);
    expect(inert.length).toBeGreaterThan(0);
    const shopper = await newShopper();
    const { body: own } = await api('/v1/products', {
      method: 'POST',
      token: fx.admin,
      body: { ...newProductBody(), initialStock: 1000 },
    });
    const before = await quietSnapshot();
    const byRoute = new Map<string, typeof inert>();
    for (const c of inert) byRoute.set(c.route.id, [...(byRoute.get(c.route.id) ?? []), c]);
    const problems: string[] = [];
    // One request at a time per route (versions, carts), routes side by side.
    await Promise.all(
      [...byRoute.values()].map(async (group) => {
        for (const { route, slot, hostile, value } of group) {
          let body: Record<string, unknown> = withPath(validBody(route), slot.path, value);
          if (route.id === 'updateProduct') body.version = (await api(`/v1/products/${own.id}`)).body.version;
          // Everything this batch might change is its own: its product, its shopper.
          body = JSON.parse(JSON.stringify(body).split(fx.productId).join(own.id)) as Record<string, unknown>;
          const token =
            route.auth.kind === 'none' ? undefined : route.auth.kind === 'groups' ? fx.admin : shopper.token;
          const params = Object.fromEntries(pathParamNames(route).map((n) => [n, own.id]));
          const res = await rawRequest({
            method: route.method,
            path: fillPath(route, params),
            token,
            headers: { ...declaredHeaders(route), ...jsonHeaders },
            body: JSON.stringify(body),
          });
          const name = `${route.id}: ${hostile.label} in ${slot.label}`;
          if (res.status >= 500) problems.push(`${name}: server error ${res.status} ${res.text.slice(0, 200)}`);
          else if (res.status >= 400) problems.push(...errorProblems(res).map((p) => `${name}: ${p}`));
          else if (
            slot.path.length === 1 &&
            res.json &&
            typeof res.json === 'object' &&
            String(slot.path[0]) in res.json
          ) {
            const stored = res.json[String(slot.path[0])];
            const expected = typeof value === 'string' ? value.trim() : value;
            if (JSON.stringify(stored) !== JSON.stringify(expected))
              problems.push(`${name}: stored ${JSON.stringify(stored)}, sent ${JSON.stringify(expected)}`);
          }
        }
      }),
    );
    const after = await snapshotTables();
    const removed = snapshotDiff(before, after).filter((d) => d.includes(': removed '));
    expect(problems).toEqual([]);
    expect(removed).toEqual([]);
    expect((await api('/v1/products?limit=1')).status).toBe(200);
  });
});

describe('hostile path parameters', () => {
  it('refuses hostile, traversing and badly encoded ids in every path parameter with 400 (404 where the URL no longer names a route)', async () => {
    const cases: Case[] = paramRoutes.flatMap((route) =>
      pathParamNames(route).flatMap((param) =>
        HOSTILE_PATH_SEGMENTS.map((seg) => ({
          name: `${route.id}: ${seg.label} in {${param}}`,
          req: requestFor(route, { params: { [param]: seg.raw } }),
          expect: { status: [400, 404, ...(seg.alsoAllowed ?? [])] },
        })),
      ),
    );
    expectClean(await runBatch(cases));
  });

  it('refuses malformed percent-encoding anywhere in the path with 400', async () => {
    const cases: Case[] = routes.map((route) => ({
      name: `${route.id}: %ZZ in the path`,
      req: { ...requestFor(route), path: `${route.path.replace(/\{\w+\}/g, 'x')}%ZZ` },
      expect: { status: [400, 404] },
    }));
    expectClean(await runBatch(cases));
  });

  it('answers a 10k+ character unicode path parameter or query value as a 4xx in the contract shape', async () => {
    const paramRoute = paramRoutes.find((r) => r.method === 'GET')!;
    const queryRoute = queryRoutes.find((r) => r.method === 'GET')!;
    const queryKey = Object.keys(shapeOf(queryRoute.request!.query)!)[0];
    const cases: Case[] = [
      {
        name: `${paramRoute.id}: 10k emoji id`,
        req: requestFor(paramRoute, {
          params: Object.fromEntries(
            pathParamNames(paramRoute).map((n) => [n, encodeURIComponent('😀'.repeat(10_000))]),
          ),
        }),
        expect: {},
      },
      {
        name: `${queryRoute.id}: 12k CJK ${queryKey}`,
        req: requestFor(queryRoute, { query: `${queryKey}=${encodeURIComponent('漢字'.repeat(6_000))}` }),
        expect: {},
      },
    ];
    expectClean(await runBatch(cases));
  });
});

/**
 * Query parameters that are a shopper's free text (search words): any printable text is a word to look for, so
 * SQL, JSON, paths and markup are answered as searches (200), never as errors; what the schema refuses in them
 * (control characters, bidi overrides, excess length) is a 400 naming the parameter.
 */
const FREE_TEXT_QUERY: Record<string, string[]> = { searchProducts: ['q', 'brand'], suggestProducts: ['q'] };
const isFreeText = (route: Route, key: string) => FREE_TEXT_QUERY[route.id]?.includes(key) ?? false;
/** Routes whose `limit` is not the list convention's 1-100 (API.md): type-ahead answers at most 20. */
const LIMIT_MAX: Record<string, number> = {
  suggestProducts: 20,
  listPartnerProducts: PARTNER_PAGE_MAX,
  analyticsSegmentCustomers: MAX_SEGMENT_PAGE,
};
/** Query parameters a route requires, sent with a case about another parameter so that only that one is wrong. */
const REQUIRED_QUERY: Record<string, string> = {
  suggestProducts: 'q=cak&',
  analyticsForecast: `productId=${PRICING_CASES.elastic.productId}&`,
  analyticsPricing: `productId=${PRICING_CASES.elastic.productId}&`,
};
const besides = (route: Route, key?: string) =>
  key !== undefined && REQUIRED_QUERY[route.id]?.startsWith(`${key}=`) ? '' : (REQUIRED_QUERY[route.id] ?? '');
/** What the edge hands the function for a raw query value (URLSearchParams: lenient percent-decoding, + as space). */
const decodedQueryValue = (raw: string) => new URLSearchParams(`v=${raw}`).get('v') ?? '';

describe('hostile query strings', () => {
  const rawValues: [string, string][] = [
    ...HOSTILE_STRINGS.filter((h) => h.value.length < 100).map((h): [string, string] => [
      h.label,
      encodeURIComponent(h.value),
    ]),
    ['raw %00', 'abc%00'],
    ['malformed %ZZ', 'abc%ZZ'],
    ['truncated %E0%A4%A', '%E0%A4%A'],
    ['encoded ..%2F', '..%2F..%2Fetc%2Fpasswd'],
    ['plus and spaces', '+OR+1%3D1+--'],
  ];

  it('refuses hostile values in every query parameter of every route that has a query schema with 400 naming it', async () => {
    const cases: Case[] = queryRoutes.flatMap((route) => {
      const shape = shapeOf(route.request!.query)!;
      return [
        ...Object.keys(shape).flatMap((key) =>
          rawValues.map(([label, raw]) => ({
            name: `${route.id}: ${label} in ${key}`,
            req: requestFor(route, { query: `${besides(route, key)}${key}=${raw}` }),
            expect:
              isFreeText(route, key) && shape[key].safeParse(decodedQueryValue(raw)).success
                ? { status: route.response.status }
                : { status: 400, detailPath: key },
          })),
        ),
        {
          name: `${route.id}: unknown parameter`,
          req: requestFor(route, { query: `${besides(route)}unexpected=1` }),
          expect: { status: 400, detailPath: 'unexpected' },
        },
        ...rawValues.map(([label, raw]) => ({
          name: `${route.id}: ${label} as a parameter name`,
          req: requestFor(route, { query: `${besides(route)}${raw}=1` }),
          expect: { status: 400 },
        })),
        ...Object.keys(shape).map((key) => ({
          name: `${route.id}: ${key} given twice, the second bad`,
          req: requestFor(route, {
            query: `${besides(route, key)}${key}=${encodeURIComponent(String(shape[key].safeParse('1').success ? '1' : 'lighting'))}&${key}=%3Cscript%3E`,
          }),
          // In free text, `<script>` is words to search for (where the schema takes `<`).
          expect: {
            status: isFreeText(route, key) && shape[key].safeParse('<script>').success ? route.response.status : 400,
          },
        })),
      ];
    });
    expectClean(await runBatch(cases));
  });

  it('never fails on hostile query strings sent to GET routes that take no query (they are ignored or refused)', async () => {
    const cases = routes
      .filter((r) => r.method === 'GET' && !shapeOf(r.request?.query))
      .flatMap((route) =>
        rawValues.map(([label, raw]) => ({
          route,
          name: `${route.id}: ${label}`,
          req: requestFor(route, { query: `q=${raw}&${raw}=1` }),
        })),
      );
    const before = await quietSnapshot();
    const problems = (
      await pool(cases, CONCURRENCY, async (c) => {
        const res = await rawRequest(c.req);
        if (res.status === c.route.response.status)
          return typeof res.headers['x-request-id'] === 'string' ? [] : [`${c.name}: no x-request-id`];
        return errorProblems(res).map((p) => `${c.name}: ${p}`);
      })
    ).flat();
    expectClean({ problems, written: snapshotDiff(before, await snapshotTables()) });
  });
});

describe('hostile request headers', () => {
  const values: [string, string][] = [
    ['SQL tautology', "' OR 1=1 --"],
    ['path traversal', '../../etc/passwd'],
    ['script tag', '<script>alert(1)</script>'],
    ['not a UUID', 'not-a-uuid'],
    ['empty', ''],
    ['a UUID with SQL after it', `${randomUUID()}' OR '1'='1`],
    ['a UUID without dashes', randomUUID().replace(/-/g, '')],
    ['4000 characters', 'x'.repeat(4000)],
    ['latin-1 bytes', 'caf\u00e9-\u00ff'],
  ];

  it('refuses a hostile value in every header a route declares with 400 naming the header', async () => {
    const cases: Case[] = headerRoutes.flatMap((route) =>
      route.headers!.flatMap((header) =>
        values.map(([label, value]) => ({
          name: `${route.id}: ${label} in ${header.name}`,
          // Anonymous where the route allows it, so a session header is what identifies the caller.
          req: {
            ...requestFor(route, { headers: { [header.name.toLowerCase()]: value } }),
            ...(route.auth.kind === 'optional' ? { token: undefined } : {}),
          },
          expect: { status: 400, detailPath: header.name.toLowerCase() },
        })),
      ),
    );
    // Header names are case-insensitive: compare the detail case-insensitively too.
    const lowered = cases.map((c) => ({
      ...c,
      check: (res: RawResponse) => {
        const named = JSON.stringify(res.json ?? '')
          .toLowerCase()
          .includes(String(c.expect.detailPath));
        return res.status === 400 && !named
          ? [`the error does not say which header is wrong: ${res.text.slice(0, 200)}`]
          : [];
      },
      expect: { status: 400 },
    }));
    expectClean(await runBatch(lowered));
  });

  it('refuses a missing required header with 400 naming it', async () => {
    const cases: Case[] = headerRoutes.flatMap((route) =>
      route
        .headers!.filter((h) => h.required)
        .map((header) => {
          const req = requestFor(route);
          const headers = Object.fromEntries(
            Object.entries(req.headers ?? {}).filter(([k]) => k !== header.name.toLowerCase()),
          );
          return {
            name: `${route.id}: no ${header.name}`,
            req: { ...req, headers },
            expect: { status: 400 },
            check: (res: RawResponse) =>
              JSON.stringify(res.json ?? '')
                .toLowerCase()
                .includes(header.name.toLowerCase())
                ? []
                : [`the error does not name ${header.name}`],
          };
        }),
    );
    if (cases.length) expectClean(await runBatch(cases));
  });
});

describe('bad pagination', () => {
  const pagedRoutes = queryRoutes.filter(
    (r) => 'limit' in shapeOf(r.request!.query)! || 'cursor' in shapeOf(r.request!.query)!,
  );

  it('has paginated routes to test', () => {
    expect(pagedRoutes.length).toBeGreaterThan(0);
  });

  it('refuses out-of-range and non-integer limits with 400 naming limit', async () => {
    const limits = [
      '0',
      '-1',
      '1.5',
      'abc',
      '',
      '1e2',
      '0x10',
      '%205',
      '5%20',
      '+5',
      '%D9%A1%D9%A0',
      '9999999999',
      '00000000000000000001',
      '20%00',
    ];
    const cases: Case[] = pagedRoutes
      .filter((r) => 'limit' in shapeOf(r.request!.query)!)
      .flatMap((route) => {
        // Just over the route's largest page, and over the shoppers' 100 unless the route allows more (partners).
        const max = LIMIT_MAX[route.id] ?? 100;
        const over = [...new Set(['101', String(max + 1)])].filter((l) => Number(l) > max);
        return [...limits, ...over].map((l) => ({
          name: `${route.id}: limit=${l}`,
          req: requestFor(route, { query: `${REQUIRED_QUERY[route.id] ?? ''}limit=${l}` }),
          expect: { status: 400, detailPath: 'limit' },
        }));
      });
    expectClean(await runBatch(cases));
    // The boundaries themselves are fine.
    for (const route of pagedRoutes) {
      for (const l of ['1', String(LIMIT_MAX[route.id] ?? 100)]) {
        expect(
          (await rawRequest(requestFor(route, { query: `${REQUIRED_QUERY[route.id] ?? ''}limit=${l}` }))).status,
          `${route.id} limit=${l}`,
        ).toBe(route.response.status);
      }
    }
  });

  it('refuses garbage and forged cursors with 400, and never fails (5xx) or leaks on a tampered one', async () => {
    const cases: Case[] = [];
    for (const route of pagedRoutes.filter((r) => 'cursor' in shapeOf(r.request!.query)!)) {
      // A genuine cursor to tamper with (the fixture shopper has orders by now; the catalog is seeded).
      const first = await rawRequest(requestFor(route, { query: 'limit=1' }));
      expect(first.status).toBe(route.response.status);
      const real = first.json.nextCursor as string | undefined;
      const strict = (label: string, cursor: string, query = 'limit=1'): Case => ({
        name: `${route.id}: cursor ${label}`,
        req: requestFor(route, { query: `${query}&cursor=${encodeURIComponent(cursor)}` }),
        expect: { status: 400, detailPath: 'cursor' },
      });
      /**
       * A cursor of the right form whose values were changed: refusing it (400) is best, carrying on
       * from wherever it points (200) is acceptable as long as the page holds only what the caller
       * may see; a 5xx never is.
       */
      const lenient = (label: string, cursor: string, query = 'limit=1'): Case => ({
        name: `${route.id}: cursor ${label}`,
        req: requestFor(route, { query: `${query}&cursor=${encodeURIComponent(cursor)}` }),
        expect: { status: [200, 400] },
        check: (res) => {
          if (res.status !== 200) return [];
          const problems: string[] = [];
          const category = new URLSearchParams(query).get('category');
          for (const item of (res.json?.items ?? []) as Record<string, unknown>[]) {
            // An admin's list (the audit trail) holds everyone's items by design; a shopper's only their own.
            if (route.auth.kind !== 'groups' && 'userId' in item && item.userId !== fx.shopper.userId)
              problems.push(`page shows another user's item ${JSON.stringify(item).slice(0, 120)}`);
            if (category && item.category !== category)
              problems.push(`page of ${category} shows a ${String(item.category)} item`);
          }
          return problems;
        },
      });
      cases.push(
        strict('that is garbage', 'garbage!!'),
        strict('of percent soup', '%25%25%25'),
        strict('of 3000 characters', 'A'.repeat(3000)),
        strict('in standard base64 with + / =', `${Buffer.from('{"id":"x"}').toString('base64')}+/==`),
        strict('of base64 text', b64url('not json at all')),
        strict('of a base64 array', b64url('[]')),
        strict('of base64 null', b64url('null')),
        strict('of base64 {}', b64url('{}')),
      );
      if (!real) continue;
      const decoded = JSON.parse(Buffer.from(real, 'base64url').toString('utf8')) as Record<string, string>;
      const keys = Object.keys(decoded);
      cases.push(
        strict('missing a key', b64url(JSON.stringify(Object.fromEntries(Object.entries(decoded).slice(1))))),
        strict('with an extra key', b64url(JSON.stringify({ ...decoded, extra: 'x' }))),
        lenient('with one flipped character', real.slice(0, 5) + (real[5] === 'A' ? 'B' : 'A') + real.slice(6)),
      );
      for (const key of keys) {
        cases.push(
          strict(`with a number ${key}`, b64url(JSON.stringify({ ...decoded, [key]: 1 }))),
          strict(`with a DynamoDB-typed ${key}`, b64url(JSON.stringify({ ...decoded, [key]: { S: 'x' } }))),
          strict(`with a 300-character ${key}`, b64url(JSON.stringify({ ...decoded, [key]: 'x'.repeat(300) }))),
          // Never issued by the API, and no key may be empty in DynamoDB: a 400, not a failed query.
          strict(`with an empty ${key}`, b64url(JSON.stringify({ ...decoded, [key]: '' }))),
          lenient(
            `with ${key} pointing elsewhere`,
            b64url(JSON.stringify({ ...decoded, [key]: key === 'userId' ? platform().admin.userId : 'INACTIVE' })),
          ),
        );
      }
      // A genuine cursor replayed with a date window it does not fall in, where the route filters by date.
      const queryShape = shapeOf(route.request!.query)!;
      if ('from' in queryShape) cases.push(lenient('replayed with a later from', real, 'from=2999-01-01&limit=1'));
      if ('to' in queryShape) cases.push(lenient('replayed with an earlier to', real, 'to=2000-01-01&limit=1'));
      // A cursor of one category replayed on another, where the route filters by category.
      if ('category' in shapeOf(route.request!.query)!) {
        const scoped = await rawRequest(requestFor(route, { query: 'category=lighting&limit=1' }));
        const scopedCursor = scoped.json.nextCursor as string | undefined;
        expect(scopedCursor, 'the seeded catalog has more than one lighting product').toEqual(expect.any(String));
        cases.push(
          lenient('of lighting replayed on kitchen-dining', scopedCursor!, 'category=kitchen-dining'),
          strict('of lighting replayed without a category', scopedCursor!, 'limit=5'),
          strict('without a category replayed on lighting', real, 'category=lighting'),
        );
      }
    }
    expectClean(await runBatch(cases));
  });
});

describe('unsupported methods', () => {
  it('answers a method a path does not have with a 4xx in the contract shape', async () => {
    const methods = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'];
    const paths = [...new Set(routes.map((r) => r.path))];
    const cases: Case[] = paths.flatMap((p) => {
      const route = routes.find((r) => r.path === p)!;
      return methods
        .filter((m) => !routes.some((r) => r.path === p && r.method === m))
        .map((method) => ({
          name: `${method} ${p}`,
          req: {
            method,
            path: fillPath(route, validParams(route)),
            token: fx.admin,
            headers: jsonHeaders,
            body: method === 'GET' || method === 'DELETE' ? undefined : '{}',
          },
          expect: { status: [404, 405] },
        }));
    });
    expectClean(await runBatch(cases));
  });
});

describe('bad search input', () => {
  const search = routes.find((r) => r.id === 'searchProducts')!;
  const suggest = routes.find((r) => r.id === 'suggestProducts')!;

  it('refuses limit over 100, a negative offset, unknown sort or order, non-numeric or inverted prices and q over 200 characters, naming the parameter', async () => {
    const refused: [string, string][] = [
      ['limit=101', 'limit'],
      ['offset=-1', 'offset'],
      ['offset=9950&limit=100', 'offset'],
      ['sort=cheapest', 'sort'],
      ['order=sideways', 'order'],
      ['sort=relevance&order=asc', 'order'],
      ['minPrice=cheap', 'minPrice'],
      ['maxPrice=12.50', 'maxPrice'],
      ['minPrice=-1', 'minPrice'],
      ['minPrice=5000&maxPrice=100', 'maxPrice'],
      [`q=${'a'.repeat(201)}`, 'q'],
      // Characters, not UTF-16 units: 200 emoji are a valid q, 201 are not.
      [`q=${encodeURIComponent('😀'.repeat(201))}`, 'q'],
      ['category=spaceships', 'category'],
      ['brand=%3Cb%3E', 'brand'],
    ];
    const cases: Case[] = [
      ...refused.map(([query, key]) => ({
        name: `search: ${query.slice(0, 60)}`,
        req: requestFor(search, { query }),
        expect: { status: 400, detailPath: key },
      })),
      { name: 'suggest: no q', req: requestFor(suggest), expect: { status: 400, detailPath: 'q' } },
      {
        name: 'suggest: blank q',
        req: requestFor(suggest, { query: 'q=%20%20' }),
        expect: { status: 400, detailPath: 'q' },
      },
      {
        name: 'suggest: limit 21',
        req: requestFor(suggest, { query: 'q=cak&limit=21' }),
        expect: { status: 400, detailPath: 'limit' },
      },
      {
        name: 'suggest: q of 201',
        req: requestFor(suggest, { query: `q=${'a'.repeat(201)}` }),
        expect: { status: 400, detailPath: 'q' },
      },
    ];
    expectClean(await runBatch(cases));
  });

  it('answers query syntax, wildcards, backslashes, JSON and script text as words to search for, never as an error', async () => {
    const words = [
      'name:foo AND (',
      '*',
      '\\',
      '\\"',
      '{"query":{"match_all":{}}}',
      '<script>alert(1)</script>',
      "' OR 1=1 --",
      'price:[0 TO *]',
      '((((((((',
      'a'.repeat(200),
    ];
    const cases: Case[] = [search, suggest].flatMap((route) =>
      words.map((q) => ({
        name: `${route.id}: q=${q.slice(0, 40)}`,
        req: requestFor(route, { query: `q=${encodeURIComponent(q)}` }),
        expect: { status: 200 },
      })),
    );
    expectClean(await runBatch(cases));
  });
});
