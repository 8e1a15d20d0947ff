import type { Order } from '../../orders/schemas';
import {
  LOAD_LIMITS,
  PARAMETER_NAME_GROWTH_BYTES,
  type LoadLimits,
  type SqlValue,
  type Statement,
  type Warehouse,
} from '../ports';
import { toSqlDate, toSqlTimestamp } from './sql';

/**
 * Idempotent loads. Redshift has no ON CONFLICT and does not enforce UNIQUE, so every fact load is
 * `INSERT … SELECT … FROM (<rows>) s WHERE NOT EXISTS (SELECT 1 FROM <table> t WHERE t.event_id = s.event_id)`,
 * run inside the load's transaction: a redelivered record or a replayed shard finds its event id already
 * there and adds nothing. Duplicates inside one delivery are dropped before the SQL is built (first wins).
 * The source rows are a UNION ALL of casted parameter rows, since Redshift takes no VALUES list in FROM.
 * On Redshift two concurrent loads of the same event cannot both commit: serializable isolation aborts one,
 * and the batch is retried by the event source mapping, where it then finds the row.
 */

export type FactKind = 'SALE' | 'REFUND';

export interface SalesFactRow {
  eventId: string;
  orderId: string;
  lineNo: number;
  productId: string;
  customerId: string;
  /** ISO 8601 instant; the fact's day is its UTC date. */
  orderTs: string;
  /** Negative for a refund. */
  quantity: number;
  unitPricePence: number;
  /** quantity × unit price as charged: negative for a refund. */
  revenuePence: number;
  currency: string;
  kind: FactKind;
  /**
   * Whether the line bills goods; false for postage, carriage, fees, manual adjustments, samples and vouchers, which
   * count in revenue but in no product ranking or category. Undefined counts as goods.
   */
  merchandise?: boolean;
}

export interface UserBehaviorRow {
  eventId: string;
  sessionId: string;
  userId?: string | null;
  eventType: 'page_view' | 'product_view' | 'add_to_cart' | 'purchase' | 'search';
  productId?: string | null;
  query?: string | null;
  valuePence?: number | null;
  /** `search` events the search route wrote: how many products the query found. */
  resultCount?: number | null;
  eventTs: string;
}

export interface InventorySnapshotRow {
  eventId: string;
  productId: string;
  available: number;
  reserved: number;
  snapshotTs: string;
}

export interface ProductDimRow {
  productId: string;
  name: string;
  category: string;
  brand: string;
  pricePence: number;
  currency: string;
  status: string;
  updatedTs: string;
}

export interface LoadResult {
  received: number;
  /** Rows new to the warehouse; the rest were already there (redeliveries) or repeated in the input. */
  inserted: number;
}

export interface LoadOptions {
  /**
   * The most rows an INSERT statement carries, and the longest SQL text a statement may have (bytes): the
   * warehouse's loadLimits by default, so on Redshift as many rows as fit in the Data API's 100 KB of SQL.
   * A caller that gives rowsPerStatement alone gets exactly that many rows a statement.
   */
  rowsPerStatement?: number;
  maxSqlBytes?: number;
  /** Statements per transaction; the warehouse's loadLimits by default (Redshift's BatchExecuteStatement takes at most 40). */
  statementsPerBatch?: number;
  now?: () => Date;
}

export interface Column {
  name: string;
  /** The SQL type each parameter is cast to, so both engines type the UNION ALL rows identically. */
  type: string;
}

/** One row of the derived table: `SELECT $1::t AS c, …` (the first row names the columns), `SELECT $9::t, …` after. */
function unionRow(
  columns: readonly Column[],
  row: readonly SqlValue[],
  first: boolean,
  placeholder: (column: number, value: SqlValue) => number,
): string {
  const cells = columns.map((c, i) =>
    first ? `$${placeholder(i, row[i])}::${c.type} AS ${c.name}` : `$${placeholder(i, row[i])}::${c.type}`,
  );
  return `SELECT ${cells.join(', ')}`;
}

/**
 * The rows as a derived table: `(SELECT $1::t AS c, … UNION ALL SELECT …)`, with its parameters. The `::` casts
 * (both engines' shorthand for CAST) keep a row's SQL short, and a value repeated in a column (the load time, an
 * order's id and time on each of its lines, the currency…) is one parameter: through the Data API each
 * parameter is sent, parsed and described again, and the statement is shorter, so 100 KB hold more rows.
 * Only within a column, where every use has the same cast: the engine types a parameter by its uses.
 */
export function unionSource(
  columns: readonly Column[],
  rows: readonly SqlValue[][],
): Statement & { params: SqlValue[] } {
  if (rows.length === 0) throw new Error('A load statement needs at least one row');
  const params: SqlValue[] = [];
  const seen = columns.map(() => new Map<SqlValue, number>());
  const placeholder = (column: number, value: SqlValue) => {
    let n = seen[column].get(value);
    if (n === undefined) seen[column].set(value, (n = params.push(value)));
    return n;
  };
  const selects = rows.map((row, r) => {
    if (row.length !== columns.length)
      throw new Error(`Row ${r} has ${row.length} values for ${columns.length} columns`);
    return unionRow(columns, row, r === 0, placeholder);
  });
  return { sql: `(${selects.join(' UNION ALL ')})`, params };
}

/** Builds one insert-if-absent statement for rows (already deduplicated) keyed by `key`. */
export function insertIfAbsent(
  table: string,
  key: string,
  columns: readonly Column[],
  rows: readonly SqlValue[][],
): Statement {
  const source = unionSource(columns, rows);
  const names = columns.map((c) => c.name).join(', ');
  const sql =
    `INSERT INTO ${table} (${names}) SELECT ${columns.map((c) => `s.${c.name}`).join(', ')} FROM ${source.sql} s ` +
    `WHERE NOT EXISTS (SELECT 1 FROM ${table} t WHERE t.${key} = s.${key})`;
  return { sql, params: source.params };
}

/** The statement that deletes the dimension rows a load supersedes (same id, not newer); see productDimStatements. */
function supersededDimsDelete(source: Statement & { params: SqlValue[] }): Statement {
  // A correlated EXISTS rather than DELETE … USING (subquery): Redshift's USING takes table names only.
  return {
    sql:
      `DELETE FROM dim_products WHERE EXISTS (SELECT 1 FROM ${source.sql} s ` +
      'WHERE s.product_id = dim_products.product_id AND dim_products.updated_ts <= s.updated_ts)',
    params: source.params,
  };
}

/** Rows per statement and the SQL size limit the options ask for; Redshift's when they name neither. */
function sizing(options: LoadOptions): { rows: number; maxSqlBytes?: number } {
  if (options.rowsPerStatement === undefined && options.maxSqlBytes === undefined) {
    return { rows: LOAD_LIMITS.redshift.rowsPerStatement, maxSqlBytes: LOAD_LIMITS.redshift.maxSqlBytes };
  }
  return { rows: options.rowsPerStatement ?? LOAD_LIMITS.redshift.rowsPerStatement, maxSqlBytes: options.maxSqlBytes };
}

const fitted = new Map<string, number>();
/**
 * The most rows (up to the options' count) whose statements fit the SQL size limit, each placeholder counted
 * as the adapter sends it (PARAMETER_NAME_GROWTH_BYTES more). The longest text only depends on the row count, so this is
 * found once per table and limits, by bisection over the longest texts (ASCII: characters are bytes).
 */
export function rowsPerStatement(
  table: string,
  columns: readonly Column[],
  options: LoadOptions,
  sqlOf: (rows: number) => string[],
): number {
  const { rows: most, maxSqlBytes } = sizing(options);
  if (maxSqlBytes === undefined) return most;
  const key = `${table}:${most}:${maxSqlBytes}`;
  const known = fitted.get(key);
  if (known !== undefined) return known;
  const fits = (n: number) =>
    sqlOf(n).every((sql) => sql.length + PARAMETER_NAME_GROWTH_BYTES * n * columns.length <= maxSqlBytes);
  if (!fits(1))
    throw new Error(
      `A one-row statement into ${table} is longer than the ${maxSqlBytes} bytes of SQL a statement may have`,
    );
  let [low, high] = [1, most];
  while (low < high) {
    const mid = Math.ceil((low + high) / 2);
    if (fits(mid)) low = mid;
    else high = mid - 1;
  }
  fitted.set(key, low);
  return low;
}

/** n rows with no value repeated in a column: the longest SQL an n-row statement can have (values only shorten it). */
const distinctRows = (columns: readonly Column[], n: number): SqlValue[][] =>
  Array.from({ length: n }, (_, r) => columns.map(() => r));

/** Insert-if-absent statements for the rows, as many rows a statement as the options allow. */
function insertsIfAbsent(
  table: string,
  key: string,
  columns: readonly Column[],
  values: SqlValue[][],
  options: LoadOptions,
): Statement[] {
  const rows = rowsPerStatement(table, columns, options, (n) => [
    insertIfAbsent(table, key, columns, distinctRows(columns, n)).sql,
  ]);
  return chunk(values, rows).map((c) => insertIfAbsent(table, key, columns, c));
}

export const SALES_FACT_COLUMNS: readonly Column[] = [
  { name: 'event_id', type: 'VARCHAR(160)' },
  { name: 'order_id', type: 'VARCHAR(64)' },
  { name: 'line_no', type: 'INTEGER' },
  { name: 'product_id', type: 'VARCHAR(64)' },
  { name: 'customer_id', type: 'VARCHAR(128)' },
  { name: 'order_ts', type: 'TIMESTAMP' },
  { name: 'order_date', type: 'DATE' },
  { name: 'quantity', type: 'INTEGER' },
  { name: 'unit_price_pence', type: 'BIGINT' },
  { name: 'revenue_pence', type: 'BIGINT' },
  { name: 'currency', type: 'VARCHAR(3)' },
  { name: 'kind', type: 'VARCHAR(6)' },
  { name: 'loaded_ts', type: 'TIMESTAMP' },
  { name: 'merchandise', type: 'BOOLEAN' },
];

export const USER_BEHAVIOR_COLUMNS: readonly Column[] = [
  { name: 'event_id', type: 'VARCHAR(160)' },
  { name: 'session_id', type: 'VARCHAR(128)' },
  { name: 'user_id', type: 'VARCHAR(128)' },
  { name: 'event_type', type: 'VARCHAR(32)' },
  { name: 'product_id', type: 'VARCHAR(64)' },
  { name: 'query', type: 'VARCHAR(512)' },
  { name: 'value_pence', type: 'BIGINT' },
  { name: 'event_ts', type: 'TIMESTAMP' },
  { name: 'event_date', type: 'DATE' },
  { name: 'loaded_ts', type: 'TIMESTAMP' },
  { name: 'result_count', type: 'INTEGER' },
];

export const INVENTORY_SNAPSHOT_COLUMNS: readonly Column[] = [
  { name: 'event_id', type: 'VARCHAR(160)' },
  { name: 'product_id', type: 'VARCHAR(64)' },
  { name: 'available', type: 'INTEGER' },
  { name: 'reserved', type: 'INTEGER' },
  { name: 'snapshot_ts', type: 'TIMESTAMP' },
  { name: 'snapshot_date', type: 'DATE' },
  { name: 'loaded_ts', type: 'TIMESTAMP' },
];

export const PRODUCT_DIM_COLUMNS: readonly Column[] = [
  { name: 'product_id', type: 'VARCHAR(64)' },
  { name: 'name', type: 'VARCHAR(256)' },
  { name: 'category', type: 'VARCHAR(64)' },
  { name: 'brand', type: 'VARCHAR(128)' },
  { name: 'price_pence', type: 'BIGINT' },
  { name: 'currency', type: 'VARCHAR(3)' },
  { name: 'status', type: 'VARCHAR(16)' },
  { name: 'updated_ts', type: 'TIMESTAMP' },
];

/** Redshift enforces no CHECK constraint, so the loader is where a malformed fact stops. */
export function validateSalesFact(r: SalesFactRow): void {
  const ints = [r.lineNo, r.quantity, r.unitPricePence, r.revenuePence];
  if (!ints.every(Number.isSafeInteger))
    throw new Error(`Sales fact ${r.eventId}: amounts and quantities must be integers`);
  if (r.kind === 'SALE' && !(r.quantity > 0 && r.revenuePence >= 0)) {
    throw new Error(`Sales fact ${r.eventId}: a SALE has a positive quantity and non-negative revenue`);
  }
  if (r.kind === 'REFUND' && !(r.quantity < 0 && r.revenuePence <= 0)) {
    throw new Error(`Sales fact ${r.eventId}: a REFUND has a negative quantity and non-positive revenue`);
  }
  if (r.kind !== 'SALE' && r.kind !== 'REFUND')
    throw new Error(`Sales fact ${r.eventId}: unknown kind ${String(r.kind)}`);
  if (!/^[A-Z]{3}$/.test(r.currency)) throw new Error(`Sales fact ${r.eventId}: currency must be ISO 4217`);
}

export function salesFactStatements(rows: readonly SalesFactRow[], options: LoadOptions = {}): Statement[] {
  const loaded = toSqlTimestamp((options.now ?? (() => new Date()))());
  const unique = dedupe(rows, (r) => r.eventId);
  unique.forEach(validateSalesFact);
  const values = unique.map((r): SqlValue[] => [
    r.eventId,
    r.orderId,
    r.lineNo,
    r.productId,
    r.customerId,
    toSqlTimestamp(r.orderTs),
    toSqlDate(r.orderTs),
    r.quantity,
    r.unitPricePence,
    r.revenuePence,
    r.currency,
    r.kind,
    loaded,
    r.merchandise ?? true,
  ]);
  return insertsIfAbsent('sales_facts', 'event_id', SALES_FACT_COLUMNS, values, options);
}

export function userBehaviorStatements(rows: readonly UserBehaviorRow[], options: LoadOptions = {}): Statement[] {
  const loaded = toSqlTimestamp((options.now ?? (() => new Date()))());
  const values = dedupe(rows, (r) => r.eventId).map((r): SqlValue[] => {
    if (r.valuePence != null && !Number.isSafeInteger(r.valuePence))
      throw new Error(`Event ${r.eventId}: value must be integer pence`);
    if (
      r.resultCount != null &&
      !(Number.isSafeInteger(r.resultCount) && r.resultCount >= 0 && r.resultCount <= 2 ** 31 - 1)
    ) {
      throw new Error(`Event ${r.eventId}: result count must be a whole number`);
    }
    return [
      r.eventId,
      r.sessionId,
      r.userId ?? null,
      r.eventType,
      r.productId ?? null,
      r.query ?? null,
      r.valuePence ?? null,
      toSqlTimestamp(r.eventTs),
      toSqlDate(r.eventTs),
      loaded,
      r.resultCount ?? null,
    ];
  });
  return insertsIfAbsent('user_behavior', 'event_id', USER_BEHAVIOR_COLUMNS, values, options);
}

export function inventorySnapshotStatements(
  rows: readonly InventorySnapshotRow[],
  options: LoadOptions = {},
): Statement[] {
  const loaded = toSqlTimestamp((options.now ?? (() => new Date()))());
  const values = dedupe(rows, (r) => r.eventId).map((r): SqlValue[] => {
    if (!Number.isSafeInteger(r.available) || !Number.isSafeInteger(r.reserved))
      throw new Error(`Snapshot ${r.eventId}: counts must be integers`);
    return [
      r.eventId,
      r.productId,
      r.available,
      r.reserved,
      toSqlTimestamp(r.snapshotTs),
      toSqlDate(r.snapshotTs),
      loaded,
    ];
  });
  return insertsIfAbsent('inventory_snapshots', 'event_id', INVENTORY_SNAPSHOT_COLUMNS, values, options);
}

/**
 * Product dimension upsert without ON CONFLICT: delete the rows this load supersedes (same id, not newer),
 * then insert the ids now absent. An out-of-order older image deletes nothing and inserts nothing.
 */
export function productDimStatements(rows: readonly ProductDimRow[], options: LoadOptions = {}): Statement[] {
  const latest = new Map<string, ProductDimRow>();
  for (const r of rows) {
    const seen = latest.get(r.productId);
    if (!seen || Date.parse(r.updatedTs) >= Date.parse(seen.updatedTs)) latest.set(r.productId, r);
  }
  const values = [...latest.values()].map((r): SqlValue[] => {
    if (!Number.isSafeInteger(r.pricePence)) throw new Error(`Product ${r.productId}: price must be integer pence`);
    return [r.productId, r.name, r.category, r.brand, r.pricePence, r.currency, r.status, toSqlTimestamp(r.updatedTs)];
  });
  const dimsStatements = (c: SqlValue[][]) => [
    supersededDimsDelete(unionSource(PRODUCT_DIM_COLUMNS, c)),
    insertIfAbsent('dim_products', 'product_id', PRODUCT_DIM_COLUMNS, c),
  ];
  const perStatement = rowsPerStatement('dim_products', PRODUCT_DIM_COLUMNS, options, (n) =>
    dimsStatements(distinctRows(PRODUCT_DIM_COLUMNS, n)).map((st) => st.sql),
  );
  return chunk(values, perStatement).flatMap(dimsStatements);
}

/** The caller's sizes where it gives them, else the engine's. */
function withEngineLimits(warehouse: Warehouse, options: LoadOptions): LoadOptions {
  const limits: LoadLimits = warehouse.loadLimits ?? LOAD_LIMITS.redshift;
  const statementsPerBatch = options.statementsPerBatch ?? limits.statementsPerBatch;
  if (options.rowsPerStatement !== undefined || options.maxSqlBytes !== undefined)
    return { ...options, statementsPerBatch };
  return { ...options, rowsPerStatement: limits.rowsPerStatement, maxSqlBytes: limits.maxSqlBytes, statementsPerBatch };
}

/** Runs statements in transactions of at most `statementsPerBatch`; each statement is idempotent on its own. */
async function run(
  warehouse: Warehouse,
  statements: Statement[],
  received: number,
  options: LoadOptions,
): Promise<LoadResult> {
  let inserted = 0;
  for (const group of chunk(statements, options.statementsPerBatch ?? LOAD_LIMITS.redshift.statementsPerBatch)) {
    const results = await warehouse.batch(group);
    group.forEach((s, i) => {
      if (s.sql.startsWith('INSERT')) inserted += results[i]?.rowsAffected ?? 0;
    });
  }
  return { received, inserted };
}

export async function loadSalesFacts(
  warehouse: Warehouse,
  rows: readonly SalesFactRow[],
  options: LoadOptions = {},
): Promise<LoadResult> {
  const sized = withEngineLimits(warehouse, options);
  return run(warehouse, salesFactStatements(rows, sized), rows.length, sized);
}

export async function loadUserBehavior(
  warehouse: Warehouse,
  rows: readonly UserBehaviorRow[],
  options: LoadOptions = {},
): Promise<LoadResult> {
  const sized = withEngineLimits(warehouse, options);
  return run(warehouse, userBehaviorStatements(rows, sized), rows.length, sized);
}

export async function loadInventorySnapshots(
  warehouse: Warehouse,
  rows: readonly InventorySnapshotRow[],
  options: LoadOptions = {},
): Promise<LoadResult> {
  const sized = withEngineLimits(warehouse, options);
  return run(warehouse, inventorySnapshotStatements(rows, sized), rows.length, sized);
}

export async function upsertProductDims(
  warehouse: Warehouse,
  rows: readonly ProductDimRow[],
  options: LoadOptions = {},
): Promise<LoadResult> {
  const sized = withEngineLimits(warehouse, options);
  return run(warehouse, productDimStatements(rows, sized), rows.length, sized);
}

/**
 * An order line as the orders table holds it. Checkout's lines are all goods; the history replay marks a line of the
 * dataset that bills no goods (postage, fees, adjustments: catalog-data/merchandise.ts isMerchandiseLine) with
 * `merchandise: false`, and the fact keeps that mark.
 */
export type OrderLine = Order['items'][number] & { merchandise?: boolean };

/**
 * One fact per order line. A confirmed order yields SALE rows; a refund of it yields REFUND rows with negated
 * quantity and revenue. Event ids are derived from the order, line and kind, so a redelivered stream record
 * maps to the same ids and loads once.
 */
export function salesFactsFromOrder(
  order: Pick<Order, 'orderId' | 'userId' | 'currency' | 'createdAt'> & { items: readonly OrderLine[] },
  kind: FactKind,
  at?: string,
): SalesFactRow[] {
  const sign = kind === 'REFUND' ? -1 : 1;
  return order.items.map((line, i) => ({
    eventId: `${order.orderId}#${i + 1}#${kind}`,
    orderId: order.orderId,
    lineNo: i + 1,
    productId: line.productId,
    customerId: order.userId,
    orderTs: at ?? order.createdAt,
    quantity: sign * line.quantity,
    unitPricePence: line.unitPrice,
    revenuePence: sign * line.lineTotal,
    currency: order.currency,
    kind,
    merchandise: line.merchandise !== false,
  }));
}

function dedupe<T>(rows: readonly T[], key: (r: T) => string): T[] {
  const seen = new Set<string>();
  return rows.filter((r) => (seen.has(key(r)) ? false : (seen.add(key(r)), true)));
}

function chunk<T>(items: readonly T[], size: number): T[][] {
  if (!Number.isInteger(size) || size < 1) throw new Error('chunk size must be a positive integer');
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
