/**
 * The one route table. The CDK app (API Gateway methods, one function per route, its grants and
 * environment) and the local HTTP edge are both built from it. A route's contract (method, path, auth,
 * schemas: what its callers see, and what the OpenAPI document is made of) is functions/api/routes.ts;
 * here is how each is deployed. Adding a route is its contract there, its deployment here, and its handler.
 */
import { apiRoutes, type RouteId } from '../functions/api/routes';
import type { RouteContract } from '../functions/api/contract';
import { QUARANTINE_PREFIX, UPLOADS_PREFIX, VARIANTS_PREFIX } from '../functions/catalog/images/domain/rules';
import type { BucketGrant, SearchAccess, WarehouseAccess } from './function-spec';
import type { BucketKey } from './buckets';
import type { StreamAccess, StreamKey } from './streams';
import type { TableAccess, TableKey } from './tables';

/** How a route is deployed: the function that answers it and what that function may touch. */
export interface RouteDeployment {
  /** Handler module, relative to the project root; it exports `handler`. */
  handler: string;
  /** What the function may touch: each table it names is granted and passed in as an environment variable. */
  tables?: Partial<Record<TableKey, TableAccess>>;
  /** The S3 buckets it uses: each is granted and passed in as an environment variable. */
  buckets?: Partial<Record<BucketKey, BucketGrant>>;
  /** The Kinesis streams it uses: each is granted (write: PutRecords) and passed in as an environment variable. */
  streams?: Partial<Record<StreamKey, StreamAccess>>;
  /** Cognito user-pool actions the function calls with IAM credentials (public ones need none). */
  userPoolActions?: string[];
  /** Starts executions of the checkout saga (ORDER_SAGA_ARN, states:StartExecution). */
  startsSaga?: boolean;
  /** Invokes the recommendations model endpoint (SAGEMAKER_ENDPOINT_NAME, sagemaker:InvokeEndpoint on it only). */
  sagemakerEndpoint?: boolean;
  /** Invokes the demand-insights model endpoint (INSIGHTS_ENDPOINT_NAME, sagemaker:InvokeEndpoint on it only; ml/src/insights). */
  insightsEndpoint?: boolean;
  /** Reads the analytics warehouse as the read-only reader (Redshift Data API in AWS, PGlite locally), or only its status. */
  warehouse?: WarehouseAccess;
  /**
   * Uses the products search index (lib/search.ts): query it, or only ask the cluster's health. Such a function gets
   * OPENSEARCH_ENDPOINT and OPENSEARCH_SIGNING_SERVICE, and may sign requests to the domain for that much.
   */
  search?: SearchAccess;
}

export interface Route extends RouteContract, RouteDeployment {}

const cartTables = { carts: 'readwrite', products: 'read', inventory: 'read', promotions: 'read' } as const;

/** One entry per route of the contract: the type refuses a route left undeployed, or a deployment of none. */
const deployments: Record<RouteId, RouteDeployment> = {
  health: {
    handler: 'functions/platform/handlers/health.ts',
    tables: { products: 'read' },
    streams: { clickstream: 'read' },
    // The workgroup's status only: a public route must not run (and bill) warehouse SQL.
    warehouse: 'status',
    // GET /_cluster/health only, at most once a minute per container.
    search: 'status',
    userPoolActions: ['cognito-idp:DescribeUserPool'],
  },
  openapi: {
    handler: 'functions/platform/handlers/openapi.ts',
  },
  registerUser: {
    handler: 'functions/users/handlers/register.ts',
    tables: { users: 'write' },
    userPoolActions: ['cognito-idp:AdminConfirmSignUp'],
  },
  login: {
    handler: 'functions/users/handlers/login.ts',
    // The server-side sign-in, which passes the caller's context to Cognito threat protection.
    userPoolActions: ['cognito-idp:AdminInitiateAuth'],
  },
  getMyProfile: {
    handler: 'functions/users/handlers/get-me.ts',
    tables: { users: 'read' },
  },
  updateMyProfile: {
    handler: 'functions/users/handlers/update-me.ts',
    tables: { users: 'readwrite' },
  },
  listProducts: {
    handler: 'functions/catalog/handlers/list-products.ts',
    tables: { products: 'read' },
  },
  listPartnerProducts: {
    handler: 'functions/catalog/handlers/list-partner-products.ts',
    tables: { products: 'read' },
  },
  getProduct: {
    handler: 'functions/catalog/handlers/get-product.ts',
    tables: { products: 'read' },
  },
  createProduct: {
    handler: 'functions/catalog/handlers/create-product.ts',
    tables: { products: 'write', productSkus: 'write', inventory: 'write' },
  },
  updateProduct: {
    handler: 'functions/catalog/handlers/update-product.ts',
    tables: { products: 'readwrite' },
  },
  requestProductImageUpload: {
    handler: 'functions/catalog/images/handlers/request-upload.ts',
    tables: { products: 'read', productImages: 'write' },
    // A presigned PUT acts with the signer's rights: uploads only.
    buckets: { images: { put: [UPLOADS_PREFIX] } },
  },
  getProductImage: {
    handler: 'functions/catalog/images/handlers/get-image.ts',
    tables: { productImages: 'read' },
  },
  deleteProductImage: {
    handler: 'functions/catalog/images/handlers/delete-image.ts',
    tables: { products: 'readwrite', productImages: 'readwrite' },
    // An image's objects wherever they are (original, variants, quarantined copy), found by listing.
    buckets: { images: { delete: [UPLOADS_PREFIX, VARIANTS_PREFIX, QUARANTINE_PREFIX], list: true } },
  },
  searchProducts: {
    handler: 'functions/search/handlers/search.ts',
    // Its `search` events go to the clickstream.
    streams: { clickstream: 'write' },
    search: 'read',
  },
  suggestProducts: {
    handler: 'functions/search/handlers/suggest.ts',
    search: 'read',
  },
  getStock: {
    handler: 'functions/inventory/handlers/get-stock.ts',
    tables: { inventory: 'read' },
  },
  setStock: {
    handler: 'functions/inventory/handlers/set-stock.ts',
    tables: { inventory: 'readwrite' },
  },
  getCart: {
    handler: 'functions/cart/handlers/get-cart.ts',
    tables: { carts: 'read', products: 'read', inventory: 'read', promotions: 'read' },
  },
  addCartItem: {
    handler: 'functions/cart/handlers/add-item.ts',
    tables: cartTables,
  },
  setCartItem: {
    handler: 'functions/cart/handlers/set-item.ts',
    tables: cartTables,
  },
  removeCartItem: {
    handler: 'functions/cart/handlers/remove-item.ts',
    tables: cartTables,
  },
  applyPromoCode: {
    handler: 'functions/cart/handlers/apply-promo.ts',
    tables: cartTables,
  },
  mergeCarts: {
    handler: 'functions/cart/handlers/merge-carts.ts',
    tables: cartTables,
  },
  placeOrder: {
    handler: 'functions/orders/handlers/place-order.ts',
    // The order is read (a retry finds it) and written with the shopper's promotion redemption; the promotion leaves the
    // cart. No idempotency table: the order's own conditional write is the request's idempotency.
    tables: {
      orders: 'readwrite',
      carts: 'readwrite',
      products: 'read',
      promotions: 'readwrite',
    },
    startsSaga: true,
  },
  getOrder: {
    handler: 'functions/orders/handlers/get-order.ts',
    // Archived orders are found through the archive index and read back from the archive bucket.
    tables: { orders: 'read', orderArchiveIndex: 'read' },
    buckets: { orderArchive: 'read' },
  },
  listOrders: {
    handler: 'functions/orders/handlers/list-orders.ts',
    // Archived orders are found through the archive index and read back from the archive bucket.
    tables: { orders: 'read', orderArchiveIndex: 'read' },
    buckets: { orderArchive: 'read' },
  },
  getRecommendations: {
    handler: 'functions/recommendations/handlers/get-recommendations.ts',
    // Its own purchase history (kept from the orders events: lib/events.ts recordPurchases) and the products
    // table through the catalog's repository, read-only, for hydration.
    tables: { purchaseHistory: 'read', products: 'read', aggregates: 'read' },
    sagemakerEndpoint: true,
    // The signed-in shopper's segment (assignSegment), never failing the request.
    insightsEndpoint: true,
  },
  putEvents: {
    handler: 'functions/analytics/handlers/put-events.ts',
    streams: { clickstream: 'write' },
  },
  analyticsSummary: {
    handler: 'functions/analytics/handlers/dashboard-summary.ts',
    tables: { aggregates: 'readwrite' },
    warehouse: 'read',
  },
  analyticsSalesReport: {
    handler: 'functions/analytics/handlers/sales-report.ts',
    tables: { aggregates: 'readwrite' },
    warehouse: 'read',
  },
  analyticsInsights: {
    handler: 'functions/analytics/handlers/insights.ts',
    // Reorder suggestions: every product's stock (inventory) against the model's forecasts, named from the catalog.
    tables: { aggregates: 'readwrite', inventory: 'read', products: 'read' },
    warehouse: 'read',
    insightsEndpoint: true,
  },
  analyticsForecast: {
    handler: 'functions/analytics/handlers/forecast.ts',
    // The catalog says which products exist (404 otherwise) and names them.
    tables: { products: 'read' },
    insightsEndpoint: true,
  },
  analyticsSegments: {
    handler: 'functions/analytics/handlers/segments.ts',
    insightsEndpoint: true,
  },
  analyticsSegmentCustomers: {
    handler: 'functions/analytics/handlers/segment-customers.ts',
    insightsEndpoint: true,
  },
  analyticsPricing: {
    handler: 'functions/analytics/handlers/pricing.ts',
    // The current price is the catalog's; the route reads it, never writes it.
    tables: { products: 'read' },
    insightsEndpoint: true,
  },
  listAudit: {
    handler: 'functions/audit/handlers/list-audit.ts',
    tables: { audit: 'read' },
  },
};

/**
 * Routes whose function writes no audit event though its method changes something (functions/shared/http.ts,
 * `audit: false`): the clickstream is telemetry, not a change of the platform's state.
 */
export const UNAUDITED_ROUTES: readonly RouteId[] = ['putEvents'];

/** Whether a route's function writes an audit event for each request (functions/shared/audit.ts). */
export const isAudited = (id: RouteId, method: string) => method !== 'GET' && !UNAUDITED_ROUTES.includes(id);

/** Every audited route's function writes to the audit stream; that grant and AUDIT_STREAM come from here. */
const withAuditStream = (id: RouteId, deployment: RouteDeployment): RouteDeployment =>
  isAudited(id, apiRoutes[id].method)
    ? { ...deployment, streams: { ...deployment.streams, audit: 'write' } }
    : deployment;

export const routes: Route[] = (Object.keys(apiRoutes) as RouteId[]).map((id) => ({
  id,
  ...apiRoutes[id],
  ...withAuditStream(id, deployments[id]),
}));
