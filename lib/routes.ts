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
import type { TableKey } from './tables';

export type BoundedContext = 'platform' | 'users' | 'catalog' | 'inventory';
export type Group = 'admin' | 'analyst';
/** none: public; user: a valid Cognito ID token; groups: a token whose `cognito:groups` has one of them. */
export type Auth = { kind: 'none' } | { kind: 'user' } | { kind: 'groups'; groups: Group[] };
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
  /** Cognito user-pool actions the function calls with IAM credentials (public ones need none). */
  userPoolActions?: string[];
}

const none: Auth = { kind: 'none' };
const user: Auth = { kind: 'user' };
const admin: Auth = { kind: 'groups', groups: ['admin'] };

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
    response: { status: 200, schema: users.Tokens },
    userPoolActions: [],
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
];
