/**
 * The one route table. The CDK app (API Gateway methods, one function per route, its grants and
 * environment) and the local HTTP edge are both built from it, and the OpenAPI document is generated
 * from its schemas. Adding a route is one entry here plus its handler.
 */
import type * as z from 'zod/mini';
import * as catalog from '../functions/catalog/schemas';
import * as inventory from '../functions/inventory/schemas';
import * as users from '../functions/users/schemas';
import * as platform from '../functions/platform/schemas';
import * as cart from '../functions/cart/schemas';
import * as orders from '../functions/orders/schemas';
import * as recommendations from '../functions/recommendations/schemas';
import * as analytics from '../functions/analytics/schemas';
import * as search from '../functions/search/schemas';
import type { WarehouseAccess } from './analytics';
import type { SearchAccess } from './search';
import type { StreamAccess, StreamKey } from './streams';
import type { TableKey } from './tables';

export type BoundedContext = 'platform' | 'users' | 'catalog' | 'inventory' | 'cart' | 'orders' | 'payments' | 'search' | 'recommendations' | 'analytics';
export type Group = 'admin' | 'analyst';
/**
 * none: public; user: a valid Cognito ID token; groups: a token whose `cognito:groups` has one of them;
 * optional: anonymous or signed in (carts) — a token, when sent, must be valid.
 */
export type Auth = { kind: 'none' } | { kind: 'user' } | { kind: 'groups'; groups: Group[] } | { kind: 'optional' };
export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
export type TableAccess = 'read' | 'write' | 'readwrite';

export interface Route {
  /** Stable name: the function's logical id in CDK and its name in logs. */
  id: string;
  method: HttpMethod;
  path: `/v1/${string}`;
  context: BoundedContext;
  /** Handler module, relative to the project root; it exports `handler`. */
  handler: string;
  auth: Auth;
  summary: string;
  request?: { params?: z.ZodMiniType; query?: z.ZodMiniType; body?: z.ZodMiniType };
  response: { status: number; schema?: z.ZodMiniType };
  /** What the function may touch: each table it names is granted and passed in as an environment variable. */
  tables?: Partial<Record<TableKey, TableAccess>>;
  /** The Kinesis streams it uses: each is granted (write: PutRecords) and passed in as an environment variable. */
  streams?: Partial<Record<StreamKey, StreamAccess>>;
  /** Cognito user-pool actions the function calls with IAM credentials (public ones need none). */
  userPoolActions?: string[];
  /** Starts executions of the checkout saga (ORDER_SAGA_ARN, states:StartExecution). */
  startsSaga?: boolean;
  /** Invokes the recommendations model endpoint (SAGEMAKER_ENDPOINT_NAME, sagemaker:InvokeEndpoint on it only). */
  sagemakerEndpoint?: boolean;
  /** Reads the analytics warehouse as the read-only reader (Redshift Data API in AWS, PGlite locally), or only its status. */
  warehouse?: WarehouseAccess;
  /**
   * Uses the products search index (lib/search.ts): query it, or only ask the cluster's health. Such a function gets
   * OPENSEARCH_ENDPOINT and OPENSEARCH_SIGNING_SERVICE, and may sign requests to the domain for that much.
   */
  search?: SearchAccess;
  /** Request headers the route reads, documented in OpenAPI. */
  headers?: { name: string; required: boolean; description: string }[];
}

const none: Auth = { kind: 'none' };
const user: Auth = { kind: 'user' };
const admin: Auth = { kind: 'groups', groups: ['admin'] };
const optional: Auth = { kind: 'optional' };
const analysts: Auth = { kind: 'groups', groups: ['analyst', 'admin'] };
const analyticsCacheNote =
  'Answers are cached for 15 minutes per query, and dropped as soon as the warehouse loads new data; ' +
  'the x-cache response header says hit, miss, or bypass (cache unavailable, answered from the warehouse).';
const sessionHeader = { name: 'x-session-id', required: false, description: "A UUID naming an anonymous shopper's cart; ignored when signed in" };
const cartTables = { carts: 'readwrite', products: 'read', inventory: 'read', promotions: 'read' } as const;

export const routes: Route[] = [
  {
    id: 'health',
    method: 'GET',
    path: '/v1/health',
    context: 'platform',
    handler: 'functions/platform/handlers/health.ts',
    auth: none,
    summary: 'Health of the platform and each component it depends on',
    response: { status: 200, schema: platform.Health },
    tables: { products: 'read' },
    streams: { clickstream: 'read' },
    // The workgroup's status only: a public route must not run (and bill) warehouse SQL.
    warehouse: 'status',
    // GET /_cluster/health only, at most once a minute per container.
    search: 'status',
    userPoolActions: ['cognito-idp:DescribeUserPool'],
  },
  {
    id: 'openapi',
    method: 'GET',
    path: '/v1/openapi.json',
    context: 'platform',
    handler: 'functions/platform/handlers/openapi.ts',
    auth: none,
    summary: 'This API as an OpenAPI 3 document',
    response: { status: 200 },
  },
  {
    id: 'registerUser',
    method: 'POST',
    path: '/v1/users',
    context: 'users',
    handler: 'functions/users/handlers/register.ts',
    auth: none,
    summary: 'Register a shopper account (confirmed at once)',
    request: { body: users.Register },
    response: { status: 201, schema: users.Registered },
    tables: { users: 'write' },
    userPoolActions: ['cognito-idp:AdminConfirmSignUp'],
  },
  {
    id: 'login',
    method: 'POST',
    path: '/v1/auth/login',
    context: 'users',
    handler: 'functions/users/handlers/login.ts',
    auth: none,
    summary: 'Sign in with email and password; returns Cognito tokens',
    request: { body: users.Login },
    headers: [
      {
        name: users.CONTEXT_DATA_HEADER,
        required: false,
        description:
          "The device fingerprint from Cognito's context-data library (AmazonCognitoAdvancedSecurityData.getData(email, userPoolId, clientId)), for sign-in risk checks",
      },
    ],
    response: { status: 200, schema: users.Tokens },
    // The server-side sign-in, which passes the caller's context to Cognito threat protection.
    userPoolActions: ['cognito-idp:AdminInitiateAuth'],
  },
  {
    id: 'getMyProfile',
    method: 'GET',
    path: '/v1/users/me',
    context: 'users',
    handler: 'functions/users/handlers/get-me.ts',
    auth: user,
    summary: "The signed-in user's profile",
    response: { status: 200, schema: users.Profile },
    tables: { users: 'read' },
  },
  {
    id: 'updateMyProfile',
    method: 'PATCH',
    path: '/v1/users/me',
    context: 'users',
    handler: 'functions/users/handlers/update-me.ts',
    auth: user,
    summary: "Change the signed-in user's profile",
    request: { body: users.UpdateProfile },
    response: { status: 200, schema: users.Profile },
    tables: { users: 'readwrite' },
  },
  {
    id: 'listProducts',
    method: 'GET',
    path: '/v1/products',
    context: 'catalog',
    handler: 'functions/catalog/handlers/list-products.ts',
    auth: none,
    summary: 'Active products, optionally of one category, a page at a time',
    request: { query: catalog.ListProductsQuery },
    response: { status: 200, schema: catalog.ProductPage },
    tables: { products: 'read' },
  },
  {
    id: 'getProduct',
    method: 'GET',
    path: '/v1/products/{id}',
    context: 'catalog',
    handler: 'functions/catalog/handlers/get-product.ts',
    auth: none,
    summary: 'One product',
    request: { params: catalog.ProductIdParams },
    response: { status: 200, schema: catalog.Product },
    tables: { products: 'read' },
  },
  {
    id: 'createProduct',
    method: 'POST',
    path: '/v1/products',
    context: 'catalog',
    handler: 'functions/catalog/handlers/create-product.ts',
    auth: admin,
    summary: 'Create a product (SKU generated when absent) with its initial stock',
    request: { body: catalog.CreateProduct },
    response: { status: 201, schema: catalog.Product },
    tables: { products: 'write', productSkus: 'write', inventory: 'write' },
  },
  {
    id: 'updateProduct',
    method: 'PUT',
    path: '/v1/products/{id}',
    context: 'catalog',
    handler: 'functions/catalog/handlers/update-product.ts',
    auth: admin,
    summary: 'Change a product; `version` must be the one last read',
    request: { params: catalog.ProductIdParams, body: catalog.UpdateProduct },
    response: { status: 200, schema: catalog.Product },
    tables: { products: 'readwrite' },
  },
  {
    id: 'searchProducts',
    method: 'GET',
    path: '/v1/search',
    context: 'search',
    handler: 'functions/search/handlers/search.ts',
    auth: none,
    summary:
      'Search the active products: words over name (×2), description and category with typos tolerated, ranked by relevance ' +
      'boosted by popularity and recency (or sorted by price, popularity or newest); filters by category, brand and price; ' +
      'facets over the whole result. With no `q`, browse by the filters. Each search with words is recorded as a `search` ' +
      'clickstream event with its number of results (analytics lists the queries that find nothing)',
    request: { query: search.SearchQuery },
    headers: [{ ...sessionHeader, description: "A UUID naming the shopper's session, recorded with the search's clickstream event" }],
    response: { status: 200, schema: search.SearchResults },
    // Its `search` events go to the clickstream.
    streams: { clickstream: 'write' },
    search: 'read',
  },
  {
    id: 'suggestProducts',
    method: 'GET',
    path: '/v1/search/suggest',
    context: 'search',
    handler: 'functions/search/handlers/suggest.ts',
    auth: none,
    summary: 'Type-ahead: names of active products completing what was typed (from the start of the name or of any word of it), typos tolerated from 4 characters',
    request: { query: search.SuggestQuery },
    response: { status: 200, schema: search.Suggestions },
    search: 'read',
  },
  {
    id: 'getStock',
    method: 'GET',
    path: '/v1/inventory/{productId}',
    context: 'inventory',
    handler: 'functions/inventory/handlers/get-stock.ts',
    auth: admin,
    summary: "A product's available and reserved stock",
    request: { params: inventory.InventoryParams },
    response: { status: 200, schema: inventory.StockLevel },
    tables: { inventory: 'read' },
  },
  {
    id: 'setStock',
    method: 'PUT',
    path: '/v1/inventory/{productId}',
    context: 'inventory',
    handler: 'functions/inventory/handlers/set-stock.ts',
    auth: admin,
    summary: "Set a product's available stock",
    request: { params: inventory.InventoryParams, body: inventory.SetStock },
    response: { status: 200, schema: inventory.StockLevel },
    tables: { inventory: 'readwrite' },
  },
  {
    id: 'getCart',
    method: 'GET',
    path: '/v1/cart',
    context: 'cart',
    handler: 'functions/cart/handlers/get-cart.ts',
    auth: optional,
    summary: "The shopper's cart, priced from the live catalog",
    request: { query: cart.CartQuery },
    headers: [sessionHeader],
    response: { status: 200, schema: cart.Cart },
    tables: { carts: 'read', products: 'read', inventory: 'read', promotions: 'read' },
  },
  {
    id: 'addCartItem',
    method: 'POST',
    path: '/v1/cart/items',
    context: 'cart',
    handler: 'functions/cart/handlers/add-item.ts',
    auth: optional,
    summary: 'Add a quantity of a product to the cart',
    request: { body: cart.AddItem },
    headers: [sessionHeader],
    response: { status: 200, schema: cart.Cart },
    tables: cartTables,
  },
  {
    id: 'setCartItem',
    method: 'PUT',
    path: '/v1/cart/items/{productId}',
    context: 'cart',
    handler: 'functions/cart/handlers/set-item.ts',
    auth: optional,
    summary: "Set a line's quantity (0 removes it)",
    request: { params: cart.CartItemParams, body: cart.SetQuantity },
    headers: [sessionHeader],
    response: { status: 200, schema: cart.Cart },
    tables: cartTables,
  },
  {
    id: 'removeCartItem',
    method: 'DELETE',
    path: '/v1/cart/items/{productId}',
    context: 'cart',
    handler: 'functions/cart/handlers/remove-item.ts',
    auth: optional,
    summary: 'Remove a line from the cart',
    request: { params: cart.CartItemParams },
    headers: [sessionHeader],
    response: { status: 200, schema: cart.Cart },
    tables: cartTables,
  },
  {
    id: 'applyPromoCode',
    method: 'POST',
    path: '/v1/cart/promo',
    context: 'cart',
    handler: 'functions/cart/handlers/apply-promo.ts',
    auth: optional,
    summary: 'Apply a promotion code to the cart',
    request: { body: cart.ApplyPromo },
    headers: [sessionHeader],
    response: { status: 200, schema: cart.Cart },
    tables: cartTables,
  },
  {
    id: 'mergeCarts',
    method: 'POST',
    path: '/v1/cart/merge',
    context: 'cart',
    handler: 'functions/cart/handlers/merge-carts.ts',
    auth: user,
    summary: "Move an anonymous session's cart into the signed-in user's",
    request: { body: cart.MergeCarts },
    response: { status: 200, schema: cart.Cart },
    tables: cartTables,
  },
  {
    id: 'placeOrder',
    method: 'POST',
    path: '/v1/orders',
    context: 'orders',
    handler: 'functions/orders/handlers/place-order.ts',
    auth: user,
    summary: 'Place an order from `items` or the cart; checkout runs as a saga (202, PENDING)',
    request: { body: orders.PlaceOrder },
    headers: [{ name: 'Idempotency-Key', required: true, description: 'A UUID; the same key returns the same order' }],
    response: { status: 202, schema: orders.OrderAccepted },
    // The order is read (a retry finds it) and written with the shopper's promotion redemption; the promotion leaves the cart.
    tables: { orders: 'readwrite', carts: 'readwrite', products: 'read', promotions: 'readwrite', idempotency: 'readwrite' },
    startsSaga: true,
  },
  {
    id: 'getOrder',
    method: 'GET',
    path: '/v1/orders/{orderId}',
    context: 'orders',
    handler: 'functions/orders/handlers/get-order.ts',
    auth: user,
    summary: 'One of your orders',
    request: { params: orders.OrderIdParams },
    response: { status: 200, schema: orders.Order },
    tables: { orders: 'read' },
  },
  {
    id: 'listOrders',
    method: 'GET',
    path: '/v1/orders',
    context: 'orders',
    handler: 'functions/orders/handlers/list-orders.ts',
    auth: user,
    summary: 'Your orders, newest first',
    request: { query: orders.ListOrdersQuery },
    response: { status: 200, schema: orders.OrderPage },
    tables: { orders: 'read' },
  },
  {
    id: 'getRecommendations',
    method: 'GET',
    path: '/v1/recommendations',
    context: 'recommendations',
    handler: 'functions/recommendations/handlers/get-recommendations.ts',
    auth: optional,
    summary:
      'Products to show: bought together with `productId`, personalised from a signed-in shopper\'s orders, else popular. ' +
      'From the model endpoint (`source: model`), or from popularity when it fails or is slow (`source: fallback`)',
    request: { query: recommendations.RecommendationsQuery },
    response: { status: 200, schema: recommendations.Recommendations },
    // The orders and products tables through their contexts' repositories, read-only: history and hydration.
    tables: { orders: 'read', products: 'read', aggregates: 'read' },
    sagemakerEndpoint: true,
  },
  {
    id: 'putEvents',
    method: 'POST',
    path: '/v1/events',
    context: 'analytics',
    handler: 'functions/analytics/handlers/put-events.ts',
    // Anonymous shoppers browse too: their clickstream counts as much as signed-in shoppers'.
    auth: optional,
    summary: 'Record a batch of 1-500 clickstream events (all or nothing)',
    request: { body: analytics.PutEvents },
    response: { status: 202, schema: analytics.EventsAccepted },
    streams: { clickstream: 'write' },
  },
  {
    id: 'analyticsSummary',
    method: 'GET',
    path: '/v1/analytics/dashboard/summary',
    context: 'analytics',
    handler: 'functions/analytics/handlers/dashboard-summary.ts',
    auth: analysts,
    summary:
      'Sales, clickstream funnel and top products over a range of UTC days, inclusive. No dates: the 30 days ending today; ' +
      'only endDate: the 30 days ending then; only startDate: from then to today. At most 1098 days. ' +
      analyticsCacheNote,
    request: { query: analytics.SummaryQuery },
    response: { status: 200, schema: analytics.DashboardSummary },
    tables: { aggregates: 'readwrite' },
    warehouse: 'read',
  },
  {
    id: 'analyticsSalesReport',
    method: 'GET',
    path: '/v1/analytics/reports/sales',
    context: 'analytics',
    handler: 'functions/analytics/handlers/sales-report.ts',
    auth: analysts,
    summary:
      'Orders, net units and net revenue by day, category or product (default day) over a range of UTC days, with the same date ' +
      'defaults as the summary. ' +
      analyticsCacheNote,
    request: { query: analytics.SalesReportQuery },
    response: { status: 200, schema: analytics.SalesReport },
    tables: { aggregates: 'readwrite' },
    warehouse: 'read',
  },
  {
    id: 'analyticsInsights',
    method: 'GET',
    path: '/v1/analytics/insights',
    context: 'analytics',
    handler: 'functions/analytics/handlers/insights.ts',
    auth: analysts,
    summary:
      'Findings from the latest weeks in the warehouse: stock running out against recent demand (under 7 days of cover), ' +
      'products rising or falling by half or more week on week, and conversion. ' +
      analyticsCacheNote,
    request: { query: analytics.InsightsQuery },
    response: { status: 200, schema: analytics.Insights },
    tables: { aggregates: 'readwrite' },
    warehouse: 'read',
  },
];
