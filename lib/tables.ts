/**
 * The DynamoDB tables of every bounded context, as data: CDK builds them (lib/contexts) and the local
 * substrate creates them in DynamoDB Local (lib/local) from this one description.
 */
export interface IndexSpec {
  name: string;
  partitionKey: string;
  sortKey?: string;
}

export interface TableSpec {
  /** Logical name; the physical name is `${prefix}-${name}`. */
  name: string;
  /** Environment variable through which functions receive the physical name. */
  envVar: string;
  partitionKey: string;
  sortKey?: string;
  indexes?: IndexSpec[];
  ttlAttribute?: string;
}

export const tables = {
  products: {
    name: 'products',
    envVar: 'PRODUCTS_TABLE',
    partitionKey: 'id',
    // Sparse indexes: only ACTIVE products carry the keys, so listing never filters out whole pages.
    indexes: [
      { name: 'activeById', partitionKey: 'listed', sortKey: 'id' },
      { name: 'activeByCategory', partitionKey: 'listedCategory', sortKey: 'id' },
    ],
  },
  /** One item per SKU in use: the transaction that creates a product claims its SKU here. */
  productSkus: { name: 'product-skus', envVar: 'PRODUCT_SKUS_TABLE', partitionKey: 'sku' },
  inventory: { name: 'inventory', envVar: 'INVENTORY_TABLE', partitionKey: 'productId' },
  users: { name: 'users', envVar: 'USERS_TABLE', partitionKey: 'userId' },
} as const satisfies Record<string, TableSpec>;

export type TableKey = keyof typeof tables;
export const tableList: TableSpec[] = Object.values(tables);
