/**
 * The public API's routes as their callers see them (functions/api/contract.ts), by id, in the order the
 * edge matches them. lib/routes.ts deploys each one; the OpenAPI handler documents them.
 */
import * as catalog from '../catalog/schemas';
import * as images from '../catalog/images/schemas';
import * as inventory from '../inventory/schemas';
import * as users from '../users/schemas';
import * as platform from '../platform/schemas';
import * as cart from '../cart/schemas';
import * as orders from '../orders/schemas';
import * as recommendations from '../recommendations/schemas';
import * as analytics from '../analytics/schemas';
import { REORDER_RULE } from '../analytics/domain/reorder';
import * as search from '../search/schemas';
import * as audit from '../audit/schemas';
import type { Auth, RouteContract } from './contract';

const none: Auth = { kind: 'none' };
const user: Auth = { kind: 'user' };
const admin: Auth = { kind: 'groups', groups: ['admin'] };
const optional: Auth = { kind: 'optional' };
const partner: Auth = { kind: 'apiKey' };
const analysts: Auth = { kind: 'groups', groups: ['analyst', 'admin'] };
const analyticsCacheNote =
  'Answers are cached for 15 minutes per query, and dropped as soon as the warehouse loads new data; ' +
  'the x-cache response header says hit, miss, or bypass (cache unavailable, answered from the warehouse).';
const modelNote =
  'From the demand-insights model endpoint; while it is unavailable (still training on a first start, down or slow) the ' +
  'answer is 503 DEPENDENCY_UNAVAILABLE with Retry-After.';
const sessionHeader = {
  name: 'x-session-id',
  required: false,
  description: "A UUID naming an anonymous shopper's cart; ignored when signed in",
};

export const apiRoutes = {
  health: {
    method: 'GET',
    path: '/v1/health',
    context: 'platform',
    auth: none,
    summary: 'Health of the platform and each component it depends on',
    response: { status: 200, schema: platform.Health },
  },
  openapi: {
    method: 'GET',
    path: '/v1/openapi.json',
    context: 'platform',
    auth: none,
    summary: 'This API as an OpenAPI 3 document',
    response: { status: 200 },
  },
  registerUser: {
    method: 'POST',
    path: '/v1/users',
    context: 'users',
    auth: none,
    summary: 'Register a shopper account (confirmed at once)',
    request: { body: users.Register },
    response: { status: 201, schema: users.Registered },
  },
  login: {
    method: 'POST',
    path: '/v1/auth/login',
    context: 'users',
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
  },
  getMyProfile: {
    method: 'GET',
    path: '/v1/users/me',
    context: 'users',
    auth: user,
    summary: "The signed-in user's profile",
    response: { status: 200, schema: users.Profile },
  },
  updateMyProfile: {
    method: 'PATCH',
    path: '/v1/users/me',
    context: 'users',
    auth: user,
    summary: "Change the signed-in user's profile",
    request: { body: users.UpdateProfile },
    response: { status: 200, schema: users.Profile },
  },
  listProducts: {
    method: 'GET',
    path: '/v1/products',
    context: 'catalog',
    auth: none,
    summary: 'Active products, optionally of one category, a page at a time',
    request: { query: catalog.ListProductsQuery },
    response: { status: 200, schema: catalog.ProductPage },
  },
  getProduct: {
    method: 'GET',
    path: '/v1/products/{id}',
    context: 'catalog',
    auth: none,
    summary: 'One product',
    request: { params: catalog.ProductIdParams },
    response: { status: 200, schema: catalog.Product },
  },
  createProduct: {
    method: 'POST',
    path: '/v1/products',
    context: 'catalog',
    auth: admin,
    summary: 'Create a product (SKU generated when absent) with its initial stock',
    request: { body: catalog.CreateProduct },
    response: { status: 201, schema: catalog.Product },
  },
  updateProduct: {
    method: 'PUT',
    path: '/v1/products/{id}',
    context: 'catalog',
    auth: admin,
    summary: 'Change a product; `version` must be the one last read',
    request: { params: catalog.ProductIdParams, body: catalog.UpdateProduct },
    response: { status: 200, schema: catalog.Product },
  },
  requestProductImageUpload: {
    method: 'POST',
    path: '/v1/products/{id}/images',
    context: 'catalog',
    auth: admin,
    summary:
      'Ask to upload a product image: a presigned S3 PUT URL (5 minutes, the declared content type signed) and the imageKey to follow. ' +
      'PUT the file to uploadUrl with that Content-Type; the image function then checks the bytes (JPEG/PNG/WebP, at most 5 MB, ' +
      'at least 800×800 px) and lists 800/400/200 px WebP variants in imageUrls, or rejects it with a reason',
    request: { params: catalog.ProductIdParams, body: images.RequestImageUpload },
    response: { status: 201, schema: images.ImageUploadTicket },
  },
  getProductImage: {
    method: 'GET',
    path: '/v1/products/{id}/images/{imageKey}',
    context: 'catalog',
    auth: admin,
    summary: "An uploaded image's status: PROCESSING, READY with its variants' URLs, or REJECTED with the reason",
    request: { params: images.ImageKeyParams },
    response: { status: 200, schema: images.ImageStatus },
  },
  deleteProductImage: {
    method: 'DELETE',
    path: '/v1/products/{id}/images/{imageKey}',
    context: 'catalog',
    auth: admin,
    summary:
      'Remove an image: its URLs leave imageUrls (version + 1) and its objects are deleted; 409 while still PROCESSING',
    request: { params: images.ImageKeyParams },
    response: { status: 200, schema: catalog.Product },
  },
  searchProducts: {
    method: 'GET',
    path: '/v1/search',
    context: 'search',
    auth: none,
    summary:
      'Search the active products: words over name (×2), description and category with typos tolerated, ranked by relevance ' +
      'boosted by popularity and recency (or sorted by price, popularity or newest); filters by category, brand and price; ' +
      'facets over the whole result. With no `q`, browse by the filters. Each search with words is recorded as a `search` ' +
      'clickstream event with its number of results (analytics lists the queries that find nothing)',
    request: { query: search.SearchQuery },
    headers: [
      {
        ...sessionHeader,
        description: "A UUID naming the shopper's session, recorded with the search's clickstream event",
      },
    ],
    response: { status: 200, schema: search.SearchResults },
  },
  suggestProducts: {
    method: 'GET',
    path: '/v1/search/suggest',
    context: 'search',
    auth: none,
    summary:
      'Type-ahead: names of active products completing what was typed (from the start of the name or of any word of it), typos tolerated from 4 characters',
    request: { query: search.SuggestQuery },
    response: { status: 200, schema: search.Suggestions },
  },
  listPartnerProducts: {
    method: 'GET',
    path: '/v1/partner/products',
    context: 'catalog',
    auth: partner,
    summary:
      'Partners: the active catalog as a feed to sync (id, SKU, name, price in minor units, currency, updatedAt), up to ' +
      `${catalog.PARTNER_PAGE_MAX} products a page; follow nextCursor until it is absent (a page may hold fewer than limit). ` +
      "Requires the partner's API key in x-api-key; held to the partners' usage plan, per key",
    request: { query: catalog.PartnerProductsQuery },
    response: { status: 200, schema: catalog.PartnerProductPage },
  },
  getStock: {
    method: 'GET',
    path: '/v1/inventory/{productId}',
    context: 'inventory',
    auth: admin,
    summary: "A product's available and reserved stock",
    request: { params: inventory.InventoryParams },
    response: { status: 200, schema: inventory.StockLevel },
  },
  setStock: {
    method: 'PUT',
    path: '/v1/inventory/{productId}',
    context: 'inventory',
    auth: admin,
    summary: "Set a product's available stock",
    request: { params: inventory.InventoryParams, body: inventory.SetStock },
    response: { status: 200, schema: inventory.StockLevel },
  },
  getCart: {
    method: 'GET',
    path: '/v1/cart',
    context: 'cart',
    auth: optional,
    summary: "The shopper's cart, priced from the live catalog",
    request: { query: cart.CartQuery },
    headers: [sessionHeader],
    response: { status: 200, schema: cart.Cart },
  },
  addCartItem: {
    method: 'POST',
    path: '/v1/cart/items',
    context: 'cart',
    auth: optional,
    summary: 'Add a quantity of a product to the cart',
    request: { body: cart.AddItem },
    headers: [sessionHeader],
    response: { status: 200, schema: cart.Cart },
  },
  setCartItem: {
    method: 'PUT',
    path: '/v1/cart/items/{productId}',
    context: 'cart',
    auth: optional,
    summary: "Set a line's quantity (0 removes it)",
    request: { params: cart.CartItemParams, body: cart.SetQuantity },
    headers: [sessionHeader],
    response: { status: 200, schema: cart.Cart },
  },
  removeCartItem: {
    method: 'DELETE',
    path: '/v1/cart/items/{productId}',
    context: 'cart',
    auth: optional,
    summary: 'Remove a line from the cart',
    request: { params: cart.CartItemParams },
    headers: [sessionHeader],
    response: { status: 200, schema: cart.Cart },
  },
  applyPromoCode: {
    method: 'POST',
    path: '/v1/cart/promo',
    context: 'cart',
    auth: optional,
    summary: 'Apply a promotion code to the cart',
    request: { body: cart.ApplyPromo },
    headers: [sessionHeader],
    response: { status: 200, schema: cart.Cart },
  },
  mergeCarts: {
    method: 'POST',
    path: '/v1/cart/merge',
    context: 'cart',
    auth: user,
    summary: "Move an anonymous session's cart into the signed-in user's",
    request: { body: cart.MergeCarts },
    response: { status: 200, schema: cart.Cart },
  },
  placeOrder: {
    method: 'POST',
    path: '/v1/orders',
    context: 'orders',
    auth: user,
    summary: 'Place an order from `items` or the cart; checkout runs as a saga (202, PENDING)',
    request: { body: orders.PlaceOrder },
    headers: [{ name: 'Idempotency-Key', required: true, description: 'A UUID; the same key returns the same order' }],
    response: { status: 202, schema: orders.OrderAccepted },
  },
  getOrder: {
    method: 'GET',
    path: '/v1/orders/{orderId}',
    context: 'orders',
    auth: user,
    summary: 'One of your orders',
    request: { params: orders.OrderIdParams },
    response: { status: 200, schema: orders.Order },
  },
  listOrders: {
    method: 'GET',
    path: '/v1/orders',
    context: 'orders',
    auth: user,
    summary: 'Your orders, newest first',
    request: { query: orders.ListOrdersQuery },
    response: { status: 200, schema: orders.OrderPage },
  },
  getRecommendations: {
    method: 'GET',
    path: '/v1/recommendations',
    context: 'recommendations',
    auth: optional,
    summary:
      "Products to show: bought together with `productId`, personalised from a signed-in shopper's orders, else popular. " +
      'From the model endpoint (`source: model`), or from popularity when it fails or is slow (`source: fallback`)',
    request: { query: recommendations.RecommendationsQuery },
    response: { status: 200, schema: recommendations.Recommendations },
  },
  putEvents: {
    method: 'POST',
    path: '/v1/events',
    context: 'analytics',
    // Anonymous shoppers browse too: their clickstream counts as much as signed-in shoppers'.
    auth: optional,
    summary: 'Record a batch of 1-500 clickstream events (all or nothing)',
    request: { body: analytics.PutEvents },
    response: { status: 202, schema: analytics.EventsAccepted },
  },
  analyticsSummary: {
    method: 'GET',
    path: '/v1/analytics/dashboard/summary',
    context: 'analytics',
    auth: analysts,
    summary:
      'Sales, clickstream funnel and top products over a range of UTC days, inclusive. No dates: the 30 days ending today; ' +
      'only endDate: the 30 days ending then; only startDate: from then to today. Any span: firstSalesDate to latestSalesDate is all data. ' +
      'Without clickstream in the range (replayed history) the funnel says so (clickstream: none) and funnelConversionRate is null ' +
      '(conversionRate keeps its v1 meaning, orders / sessions); ' +
      'postage, fees and adjustments are in the totals and nonMerchandise, never in topProducts. ' +
      analyticsCacheNote,
    request: { query: analytics.SummaryQuery },
    response: { status: 200, schema: analytics.DashboardSummary },
  },
  analyticsSalesReport: {
    method: 'GET',
    path: '/v1/analytics/reports/sales',
    context: 'analytics',
    auth: analysts,
    summary:
      'Orders, net units and net revenue by day, month, category or product (default day) over a range of UTC days, with the same date ' +
      'defaults as the summary; by day at most 1098 days. By category or product: goods only, postage, fees and adjustments in nonMerchandise. ' +
      analyticsCacheNote,
    request: { query: analytics.SalesReportQuery },
    response: { status: 200, schema: analytics.SalesReport },
  },
  analyticsInsights: {
    method: 'GET',
    path: '/v1/analytics/insights',
    context: 'analytics',
    auth: analysts,
    summary:
      'Findings from the latest weeks of a range of UTC days (without dates, of the whole warehouse): stock running out against ' +
      'recent demand (under 7 days of cover), products rising or falling by half or more week on week, conversion, and searches that ' +
      'found nothing; and, for a range that reaches today, reorder suggestions (kind reorder) from the stock now and the ' +
      "demand-insights model's forecasts: per stocked product short of cover, its weeks of cover (available / the forecast's " +
      `mean weekly units) and a suggested quantity: ${REORDER_RULE}. When the model does not answer they are left out and ` +
      '`reorder.status` says why; the rest still answers. ' +
      analyticsCacheNote +
      ' (The reorder suggestions are computed on every request.)',
    request: { query: analytics.InsightsQuery },
    response: { status: 200, schema: analytics.Insights },
  },
  analyticsForecast: {
    method: 'GET',
    path: '/v1/analytics/forecast',
    context: 'analytics',
    auth: analysts,
    summary:
      "A product's weekly unit forecast from the demand-insights model's cut (asOf, a Monday), `weeks` 1-26 (default 8), each " +
      'week with its p10-p90 band (80 % of weeks fall inside), and the weeks of actual sales before the cut (`history`) for a ' +
      'chart. A product not in the catalog is 404; a catalog product the model never saw sold answers 200 with `forecast: ' +
      'no-sales-history` and empty weeks (no forecast, rather than a forecast of zero). ' +
      modelNote,
    request: { query: analytics.ForecastQuery },
    response: { status: 200, schema: analytics.Forecast },
  },
  analyticsSegments: {
    method: 'GET',
    path: '/v1/analytics/segments',
    context: 'analytics',
    auth: analysts,
    summary:
      "The customer segments of the demand-insights model (RFM, tenure and basket breadth at its cut, clustered): each one's " +
      'id, plain-words name, description, size and share of spend. ' +
      modelNote,
    response: { status: 200, schema: analytics.Segments },
  },
  analyticsSegmentCustomers: {
    method: 'GET',
    path: '/v1/analytics/segments/{segment}/customers',
    context: 'analytics',
    auth: analysts,
    summary:
      "A segment's customers with their recency (days), frequency (purchases) and monetary value (GBP) at the model's cut, " +
      'highest spend first, `limit` 1-1000 (default 100) a page: the campaign export. An unknown segment is 404. ' +
      modelNote,
    request: { params: analytics.SegmentParams, query: analytics.SegmentCustomersQuery },
    response: { status: 200, schema: analytics.SegmentCustomers },
  },
  analyticsPricing: {
    method: 'GET',
    path: '/v1/analytics/pricing',
    context: 'analytics',
    auth: admin,
    summary:
      "A product's price elasticity (log-log demand on price with week effects) with its 95 % interval and, only where the " +
      'interval excludes zero, a price that maximises margin under the stated unit-cost assumption; otherwise the reason says ' +
      "there is not enough evidence. currentPrice is the catalog's (minor units). Nothing changes a price: a person applies a " +
      'suggestion through PATCH /v1/products/{id}. A product not in the catalog is 404. ' +
      modelNote,
    request: { query: analytics.PricingQuery },
    response: { status: 200, schema: analytics.PricingSuggestion },
  },
  listAudit: {
    method: 'GET',
    path: '/v1/audit',
    context: 'audit',
    auth: admin,
    summary:
      'The recent audit trail (90 days), newest first: every state-changing request (any method but GET, except the ' +
      'clickstream POST /v1/events), answered or rejected by its function, with who, the route, the resource, the request id, ' +
      'the status and the fields sent, secrets and personal data redacted. Filters: resourceId, userId, from and to (inclusive ' +
      'instants). The whole trail is archived to S3 as gzipped JSON lines under audit/yyyy/mm/dd/.',
    request: { query: audit.AuditQuery },
    response: { status: 200, schema: audit.AuditPage },
  },
} satisfies Record<string, Omit<RouteContract, 'id'>>;

export type RouteId = keyof typeof apiRoutes;

/** Every route's contract, its id included, in table order. */
export const routeContracts: RouteContract[] = Object.entries(apiRoutes).map(([id, contract]) => ({ id, ...contract }));
