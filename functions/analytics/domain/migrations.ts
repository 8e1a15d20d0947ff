import { WAREHOUSE_READER_ROLE, type MigrationReport, type SqlDialect, type Statement, type Warehouse } from '../ports';
import { toSqlTimestamp } from './sql';

/**
 * The warehouse schema as versioned migrations. Every statement here must run unchanged on Redshift and on
 * PGlite (Postgres 17), so it keeps to their common ground:
 * - no SERIAL/IDENTITY: every row has an explicit key (event ids come from the source records);
 * - no ON CONFLICT, no CHECK constraints, no CREATE INDEX, no partial indexes: Redshift has none of them.
 *   UNIQUE/PRIMARY KEY are declared for Postgres (which enforces them) and are informational on Redshift,
 *   so idempotency never relies on them: loads insert only rows whose key is absent (see load.ts);
 * - plain views rather than materialized views: Redshift's CREATE MATERIALIZED VIEW restricts the queries it
 *   accepts (no outer joins on constant subqueries, auto-refresh options that Postgres rejects), so plain
 *   views give both engines one statement and are always fresh after a load;
 * - no generate_series (leader-node only on Redshift): dim_dates is filled from a cross join of digits;
 * - BIGINT for pence, VARCHAR(n), INTEGER, TIMESTAMP (UTC, no zone), DATE, BOOLEAN, DOUBLE PRECISION for ratios;
 * - aggregates are cast back to BIGINT: Postgres widens SUM(BIGINT) to NUMERIC, which would come back as text.
 * - the one exception is access control, where the engines' syntax parts (`GRANT … TO ROLE x` on Redshift):
 *   such a migration gives its SQL per dialect.
 * Never edit an applied migration; add a new one.
 */
export interface Migration {
  version: number;
  name: string;
  /**
   * One or more statements separated by semicolons; all of them and the version row commit together. One text
   * for both engines, or one per dialect where they cannot agree (access control only).
   */
  sql: string | Record<SqlDialect, string>;
}

export const DIM_DATES_FIRST_DAY = '2009-01-01';
/** 10,000 days from the first day: through 2036-05-18. */
export const DIM_DATES_DAYS = 10_000;

const digits = `(SELECT 0 AS d UNION ALL SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3 UNION ALL SELECT 4
   UNION ALL SELECT 5 UNION ALL SELECT 6 UNION ALL SELECT 7 UNION ALL SELECT 8 UNION ALL SELECT 9)`;

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'facts and dimensions',
    sql: `
CREATE TABLE IF NOT EXISTS sales_facts (
  event_id VARCHAR(160) NOT NULL,
  order_id VARCHAR(64) NOT NULL,
  line_no INTEGER NOT NULL,
  product_id VARCHAR(64) NOT NULL,
  customer_id VARCHAR(128) NOT NULL,
  order_ts TIMESTAMP NOT NULL,
  order_date DATE NOT NULL,
  quantity INTEGER NOT NULL,
  unit_price_pence BIGINT NOT NULL,
  revenue_pence BIGINT NOT NULL,
  currency VARCHAR(3) NOT NULL,
  kind VARCHAR(6) NOT NULL,
  loaded_ts TIMESTAMP,
  CONSTRAINT sales_facts_event_id_key UNIQUE (event_id)
);
CREATE TABLE IF NOT EXISTS user_behavior (
  event_id VARCHAR(160) NOT NULL,
  session_id VARCHAR(128) NOT NULL,
  user_id VARCHAR(128),
  event_type VARCHAR(32) NOT NULL,
  product_id VARCHAR(64),
  query VARCHAR(512),
  value_pence BIGINT,
  event_ts TIMESTAMP NOT NULL,
  event_date DATE NOT NULL,
  loaded_ts TIMESTAMP,
  CONSTRAINT user_behavior_event_id_key UNIQUE (event_id)
);
CREATE TABLE IF NOT EXISTS inventory_snapshots (
  event_id VARCHAR(160) NOT NULL,
  product_id VARCHAR(64) NOT NULL,
  available INTEGER NOT NULL,
  reserved INTEGER NOT NULL,
  snapshot_ts TIMESTAMP NOT NULL,
  snapshot_date DATE NOT NULL,
  loaded_ts TIMESTAMP,
  CONSTRAINT inventory_snapshots_event_id_key UNIQUE (event_id)
);
CREATE TABLE IF NOT EXISTS dim_products (
  product_id VARCHAR(64) NOT NULL,
  name VARCHAR(256) NOT NULL,
  category VARCHAR(64) NOT NULL,
  brand VARCHAR(128) NOT NULL,
  price_pence BIGINT NOT NULL,
  currency VARCHAR(3) NOT NULL,
  status VARCHAR(16) NOT NULL,
  updated_ts TIMESTAMP NOT NULL,
  CONSTRAINT dim_products_pkey PRIMARY KEY (product_id)
);
CREATE TABLE IF NOT EXISTS dim_dates (
  date_key INTEGER NOT NULL,
  full_date DATE NOT NULL,
  year INTEGER NOT NULL,
  quarter INTEGER NOT NULL,
  month INTEGER NOT NULL,
  day INTEGER NOT NULL,
  weekday INTEGER NOT NULL,
  weekday_name VARCHAR(9) NOT NULL,
  month_name VARCHAR(9) NOT NULL,
  iso_week INTEGER NOT NULL,
  is_weekend BOOLEAN NOT NULL,
  CONSTRAINT dim_dates_pkey PRIMARY KEY (date_key)
)`,
  },
  {
    version: 2,
    name: 'populate dim_dates',
    sql: `
INSERT INTO dim_dates (date_key, full_date, year, quarter, month, day, weekday, weekday_name, month_name, iso_week, is_weekend)
SELECT
  CAST(EXTRACT(YEAR FROM g.full_date) AS INTEGER) * 10000 + CAST(EXTRACT(MONTH FROM g.full_date) AS INTEGER) * 100
    + CAST(EXTRACT(DAY FROM g.full_date) AS INTEGER),
  g.full_date,
  CAST(EXTRACT(YEAR FROM g.full_date) AS INTEGER),
  CAST(EXTRACT(QUARTER FROM g.full_date) AS INTEGER),
  CAST(EXTRACT(MONTH FROM g.full_date) AS INTEGER),
  CAST(EXTRACT(DAY FROM g.full_date) AS INTEGER),
  CAST(EXTRACT(DOW FROM g.full_date) AS INTEGER),
  TRIM(TO_CHAR(g.full_date, 'Day')),
  TRIM(TO_CHAR(g.full_date, 'Month')),
  CAST(EXTRACT(WEEK FROM g.full_date) AS INTEGER),
  CAST(EXTRACT(DOW FROM g.full_date) AS INTEGER) IN (0, 6)
FROM (
  SELECT CAST(DATE '${DIM_DATES_FIRST_DAY}' + (a.d + 10 * b.d + 100 * c.d + 1000 * e.d) AS DATE) AS full_date
  FROM ${digits} a CROSS JOIN ${digits} b CROSS JOIN ${digits} c CROSS JOIN ${digits} e
) g
WHERE NOT EXISTS (SELECT 1 FROM dim_dates x WHERE x.full_date = g.full_date)`,
  },
  {
    version: 3,
    name: 'analytics views',
    sql: `
CREATE OR REPLACE VIEW daily_sales_summary AS
SELECT
  f.order_date AS sales_date,
  f.currency,
  CAST(COUNT(DISTINCT CASE WHEN f.kind = 'SALE' THEN f.order_id END) AS BIGINT) AS orders,
  CAST(COUNT(DISTINCT CASE WHEN f.kind = 'REFUND' THEN f.order_id END) AS BIGINT) AS refunded_orders,
  CAST(SUM(CASE WHEN f.kind = 'SALE' THEN f.quantity ELSE 0 END) AS BIGINT) AS units_sold,
  CAST(SUM(f.quantity) AS BIGINT) AS net_units,
  CAST(SUM(CASE WHEN f.kind = 'SALE' THEN f.revenue_pence ELSE 0 END) AS BIGINT) AS gross_revenue_pence,
  CAST(SUM(CASE WHEN f.kind = 'REFUND' THEN 0 - f.revenue_pence ELSE 0 END) AS BIGINT) AS refunded_pence,
  CAST(SUM(f.revenue_pence) AS BIGINT) AS revenue_pence,
  CAST(COUNT(DISTINCT f.customer_id) AS BIGINT) AS customers
FROM sales_facts f
GROUP BY f.order_date, f.currency;

CREATE OR REPLACE VIEW product_performance_metrics AS
SELECT
  p.product_id,
  d.name,
  d.category,
  d.brand,
  d.price_pence,
  CAST(COALESCE(s.orders, 0) AS BIGINT) AS orders,
  CAST(COALESCE(s.units_sold, 0) AS BIGINT) AS units_sold,
  CAST(COALESCE(s.units_refunded, 0) AS BIGINT) AS units_refunded,
  CAST(COALESCE(s.net_units, 0) AS BIGINT) AS net_units,
  CAST(COALESCE(s.revenue_pence, 0) AS BIGINT) AS revenue_pence,
  s.first_sale_date,
  s.last_sale_date,
  CAST(COALESCE(b.product_views, 0) AS BIGINT) AS product_views,
  CAST(COALESCE(b.add_to_carts, 0) AS BIGINT) AS add_to_carts,
  CAST(COALESCE(s.orders, 0) AS DOUBLE PRECISION) / NULLIF(CAST(COALESCE(b.product_views, 0) AS DOUBLE PRECISION), 0)
    AS view_to_order_rate
FROM (SELECT product_id FROM sales_facts UNION SELECT product_id FROM dim_products) p
LEFT JOIN (
  SELECT product_id,
    COUNT(DISTINCT CASE WHEN kind = 'SALE' THEN order_id END) AS orders,
    SUM(CASE WHEN kind = 'SALE' THEN quantity ELSE 0 END) AS units_sold,
    SUM(CASE WHEN kind = 'REFUND' THEN 0 - quantity ELSE 0 END) AS units_refunded,
    SUM(quantity) AS net_units,
    SUM(revenue_pence) AS revenue_pence,
    MIN(order_date) AS first_sale_date,
    MAX(order_date) AS last_sale_date
  FROM sales_facts
  GROUP BY product_id
) s ON s.product_id = p.product_id
LEFT JOIN (
  SELECT product_id,
    SUM(CASE WHEN event_type = 'product_view' THEN 1 ELSE 0 END) AS product_views,
    SUM(CASE WHEN event_type = 'add_to_cart' THEN 1 ELSE 0 END) AS add_to_carts
  FROM user_behavior
  WHERE product_id IS NOT NULL
  GROUP BY product_id
) b ON b.product_id = p.product_id
LEFT JOIN dim_products d ON d.product_id = p.product_id;

CREATE OR REPLACE VIEW customer_behavior_analysis AS
SELECT
  s.event_date,
  CAST(COUNT(*) AS BIGINT) AS sessions,
  CAST(COUNT(DISTINCT s.user_id) AS BIGINT) AS users,
  CAST(SUM(s.page_views) AS BIGINT) AS page_views,
  CAST(SUM(s.product_views) AS BIGINT) AS product_views,
  CAST(SUM(s.add_to_carts) AS BIGINT) AS add_to_carts,
  CAST(SUM(s.purchases) AS BIGINT) AS purchases,
  CAST(SUM(s.searches) AS BIGINT) AS searches,
  CAST(SUM(CASE WHEN s.add_to_carts > 0 THEN 1 ELSE 0 END) AS BIGINT) AS sessions_with_cart,
  CAST(SUM(CASE WHEN s.purchases > 0 THEN 1 ELSE 0 END) AS BIGINT) AS sessions_with_purchase,
  CAST(SUM(s.purchase_value_pence) AS BIGINT) AS purchase_value_pence,
  CAST(SUM(CASE WHEN s.purchases > 0 THEN 1 ELSE 0 END) AS DOUBLE PRECISION)
    / NULLIF(CAST(COUNT(*) AS DOUBLE PRECISION), 0) AS conversion_rate,
  CAST(SUM(CASE WHEN s.purchases > 0 THEN 1 ELSE 0 END) AS DOUBLE PRECISION)
    / NULLIF(CAST(SUM(CASE WHEN s.add_to_carts > 0 THEN 1 ELSE 0 END) AS DOUBLE PRECISION), 0) AS cart_to_purchase_rate
FROM (
  SELECT event_date, session_id,
    MAX(user_id) AS user_id,
    SUM(CASE WHEN event_type = 'page_view' THEN 1 ELSE 0 END) AS page_views,
    SUM(CASE WHEN event_type = 'product_view' THEN 1 ELSE 0 END) AS product_views,
    SUM(CASE WHEN event_type = 'add_to_cart' THEN 1 ELSE 0 END) AS add_to_carts,
    SUM(CASE WHEN event_type = 'purchase' THEN 1 ELSE 0 END) AS purchases,
    SUM(CASE WHEN event_type = 'search' THEN 1 ELSE 0 END) AS searches,
    SUM(CASE WHEN event_type = 'purchase' THEN COALESCE(value_pence, 0) ELSE 0 END) AS purchase_value_pence
  FROM user_behavior
  GROUP BY event_date, session_id
) s
GROUP BY s.event_date;

CREATE OR REPLACE VIEW inventory_turnover_metrics AS
SELECT
  l.product_id,
  d.name,
  d.category,
  l.available,
  l.reserved,
  l.snapshot_ts AS last_snapshot_ts,
  a.avg_available,
  CAST(COALESCE(s.net_units, 0) AS BIGINT) AS units_sold,
  CAST(COALESCE(s.selling_days, 0) AS BIGINT) AS selling_days,
  CAST(COALESCE(s.net_units, 0) AS DOUBLE PRECISION) / NULLIF(a.avg_available, 0) AS turnover_ratio,
  CAST(COALESCE(s.net_units, 0) AS DOUBLE PRECISION) / NULLIF(CAST(COALESCE(s.selling_days, 0) AS DOUBLE PRECISION), 0)
    AS avg_daily_units,
  CAST(l.available AS DOUBLE PRECISION)
    / NULLIF(CAST(COALESCE(s.net_units, 0) AS DOUBLE PRECISION) / NULLIF(CAST(COALESCE(s.selling_days, 0) AS DOUBLE PRECISION), 0), 0)
    AS days_of_cover
FROM (
  SELECT product_id, available, reserved, snapshot_ts,
    ROW_NUMBER() OVER (PARTITION BY product_id ORDER BY snapshot_ts DESC, event_id DESC) AS rn
  FROM inventory_snapshots
) l
JOIN (
  SELECT product_id, AVG(CAST(available AS DOUBLE PRECISION)) AS avg_available
  FROM inventory_snapshots
  GROUP BY product_id
) a ON a.product_id = l.product_id
LEFT JOIN (
  SELECT product_id, SUM(quantity) AS net_units, COUNT(DISTINCT CASE WHEN kind = 'SALE' THEN order_date END) AS selling_days
  FROM sales_facts
  GROUP BY product_id
) s ON s.product_id = l.product_id
LEFT JOIN dim_products d ON d.product_id = l.product_id
WHERE l.rn = 1`,
  },
  {
    version: 4,
    name: 'purchases from orders, not clickstream events',
    // Clickstream `purchase` events are sent by clients, anonymously, with any value and time: they count
    // towards nothing. A day's purchases are the orders confirmed on it (sales_facts, in the store currency, as
    // the reports), its purchase value their gross sales, and its conversion orders per session capped at 1
    // (orders cannot be tied to sessions, so sessions_with_purchase is that capped count). Same columns and
    // types as version 3, so QuickSight's data sets (lib/contexts/analytics/views.ts) read it unchanged.
    sql: `
CREATE OR REPLACE VIEW customer_behavior_analysis AS
SELECT
  COALESCE(b.event_date, o.order_date) AS event_date,
  CAST(COALESCE(b.sessions, 0) AS BIGINT) AS sessions,
  CAST(COALESCE(b.users, 0) AS BIGINT) AS users,
  CAST(COALESCE(b.page_views, 0) AS BIGINT) AS page_views,
  CAST(COALESCE(b.product_views, 0) AS BIGINT) AS product_views,
  CAST(COALESCE(b.add_to_carts, 0) AS BIGINT) AS add_to_carts,
  CAST(COALESCE(o.orders, 0) AS BIGINT) AS purchases,
  CAST(COALESCE(b.searches, 0) AS BIGINT) AS searches,
  CAST(COALESCE(b.sessions_with_cart, 0) AS BIGINT) AS sessions_with_cart,
  CAST(CASE WHEN COALESCE(o.orders, 0) < COALESCE(b.sessions, 0) THEN COALESCE(o.orders, 0) ELSE COALESCE(b.sessions, 0) END AS BIGINT)
    AS sessions_with_purchase,
  CAST(COALESCE(o.sales_pence, 0) AS BIGINT) AS purchase_value_pence,
  CASE
    WHEN COALESCE(b.sessions, 0) = 0 THEN CAST(NULL AS DOUBLE PRECISION)
    WHEN COALESCE(o.orders, 0) >= b.sessions THEN CAST(1 AS DOUBLE PRECISION)
    ELSE CAST(COALESCE(o.orders, 0) AS DOUBLE PRECISION) / CAST(b.sessions AS DOUBLE PRECISION)
  END AS conversion_rate,
  CASE
    WHEN COALESCE(b.sessions_with_cart, 0) = 0 THEN CAST(NULL AS DOUBLE PRECISION)
    WHEN COALESCE(o.orders, 0) >= b.sessions_with_cart THEN CAST(1 AS DOUBLE PRECISION)
    ELSE CAST(COALESCE(o.orders, 0) AS DOUBLE PRECISION) / CAST(b.sessions_with_cart AS DOUBLE PRECISION)
  END AS cart_to_purchase_rate
FROM (
  SELECT s.event_date,
    COUNT(*) AS sessions,
    COUNT(DISTINCT s.user_id) AS users,
    SUM(s.page_views) AS page_views,
    SUM(s.product_views) AS product_views,
    SUM(s.add_to_carts) AS add_to_carts,
    SUM(s.searches) AS searches,
    SUM(CASE WHEN s.add_to_carts > 0 THEN 1 ELSE 0 END) AS sessions_with_cart
  FROM (
    SELECT event_date, session_id,
      MAX(user_id) AS user_id,
      SUM(CASE WHEN event_type = 'page_view' THEN 1 ELSE 0 END) AS page_views,
      SUM(CASE WHEN event_type = 'product_view' THEN 1 ELSE 0 END) AS product_views,
      SUM(CASE WHEN event_type = 'add_to_cart' THEN 1 ELSE 0 END) AS add_to_carts,
      SUM(CASE WHEN event_type = 'search' THEN 1 ELSE 0 END) AS searches
    FROM user_behavior
    GROUP BY event_date, session_id
  ) s
  GROUP BY s.event_date
) b
FULL OUTER JOIN (
  SELECT order_date, COUNT(DISTINCT order_id) AS orders, SUM(revenue_pence) AS sales_pence
  FROM sales_facts
  WHERE kind = 'SALE' AND currency = 'GBP'
  GROUP BY order_date
) o ON o.order_date = b.event_date`,
  },
  {
    version: 5,
    name: 'read-only reader role',
    // The readers (the analytics API) may read every table and view, now and later, and change nothing; nobody
    // but the owner may create in the schema (Redshift lets PUBLIC create there by default). On Redshift this
    // creates the role the readers' IAM identities are mapped to; PGlite's engine makes it when it opens (it
    // stands for those identities, which exist before any migration), so this only grants.
    sql: {
      redshift: `
CREATE ROLE ${WAREHOUSE_READER_ROLE};
GRANT USAGE ON SCHEMA public TO ROLE ${WAREHOUSE_READER_ROLE};
GRANT SELECT ON ALL TABLES IN SCHEMA public TO ROLE ${WAREHOUSE_READER_ROLE};
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT ON TABLES TO ROLE ${WAREHOUSE_READER_ROLE};
REVOKE CREATE ON SCHEMA public FROM PUBLIC`,
      postgres: `
GRANT USAGE ON SCHEMA public TO ${WAREHOUSE_READER_ROLE};
GRANT SELECT ON ALL TABLES IN SCHEMA public TO ${WAREHOUSE_READER_ROLE};
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT ON TABLES TO ${WAREHOUSE_READER_ROLE};
REVOKE CREATE ON SCHEMA public FROM PUBLIC`,
    },
  },
  {
    version: 6,
    name: 'search result counts',
    // The search route writes its own `search` events with how many products the query found (functions/search),
    // so insights can list the queries that find nothing. NULL for every other event, and for searches clients
    // report through POST /v1/events, whose result counts nobody checked.
    sql: 'ALTER TABLE user_behavior ADD COLUMN result_count INTEGER',
  },
  {
    version: 7,
    name: 'goods apart from postage and fees; sessions that browsed',
    // 1. Each sales fact says whether its line bills goods: the dataset's postage, carriage, fees, manual adjustments,
    //    samples and vouchers stay in revenue but out of product rankings and categories. The history replay marks such
    //    lines (lib/local/history/mapping.ts, by catalog-data/merchandise.ts isMerchandiseLine) and the loader keeps the
    //    mark (load.ts); checkout's lines are all goods. Facts loaded before this version: a replayed invoice's (order
    //    hist-…) by its code alone (isMerchandiseCode, frozen here as SQL: letter-only codes other than the web shop's
    //    DCGS items, gift_ vouchers, the named service codes), which the unit tests hold to the TypeScript rule; any
    //    other order's as goods.
    // 2. product_performance_metrics ranks goods only.
    // 3. customer_behavior_analysis counts the sessions that browsed (a page or product view, an add to cart, a
    //    search): a session of purchase events alone (a history replay's, or anyone's) is no clickstream, so a day
    //    of replayed orders has no sessions and no conversion rate rather than every session converting.
    // Same columns and types for both views, so QuickSight's data sets read them unchanged.
    sql: `
ALTER TABLE sales_facts ADD COLUMN merchandise BOOLEAN;

UPDATE sales_facts SET merchandise = CASE
    WHEN order_id NOT LIKE 'hist-%' THEN TRUE
    WHEN UPPER(TRIM(product_id)) IN ('', 'POST', 'DOT', 'M', 'D', 'C2', 'CRUK', 'BANK CHARGES', 'AMAZONFEE', 'PADS', 'S', 'B') THEN FALSE
    WHEN UPPER(TRIM(product_id)) ~ '^GIFT_' THEN FALSE
    WHEN UPPER(TRIM(product_id)) !~ '[0-9]' AND UPPER(TRIM(product_id)) !~ '^DCGS' THEN FALSE
    ELSE TRUE
  END
WHERE merchandise IS NULL;

CREATE OR REPLACE VIEW product_performance_metrics AS
SELECT
  p.product_id,
  d.name,
  d.category,
  d.brand,
  d.price_pence,
  CAST(COALESCE(s.orders, 0) AS BIGINT) AS orders,
  CAST(COALESCE(s.units_sold, 0) AS BIGINT) AS units_sold,
  CAST(COALESCE(s.units_refunded, 0) AS BIGINT) AS units_refunded,
  CAST(COALESCE(s.net_units, 0) AS BIGINT) AS net_units,
  CAST(COALESCE(s.revenue_pence, 0) AS BIGINT) AS revenue_pence,
  s.first_sale_date,
  s.last_sale_date,
  CAST(COALESCE(b.product_views, 0) AS BIGINT) AS product_views,
  CAST(COALESCE(b.add_to_carts, 0) AS BIGINT) AS add_to_carts,
  CAST(COALESCE(s.orders, 0) AS DOUBLE PRECISION) / NULLIF(CAST(COALESCE(b.product_views, 0) AS DOUBLE PRECISION), 0)
    AS view_to_order_rate
FROM (SELECT product_id FROM sales_facts WHERE COALESCE(merchandise, TRUE) UNION SELECT product_id FROM dim_products) p
LEFT JOIN (
  SELECT product_id,
    COUNT(DISTINCT CASE WHEN kind = 'SALE' THEN order_id END) AS orders,
    SUM(CASE WHEN kind = 'SALE' THEN quantity ELSE 0 END) AS units_sold,
    SUM(CASE WHEN kind = 'REFUND' THEN 0 - quantity ELSE 0 END) AS units_refunded,
    SUM(quantity) AS net_units,
    SUM(revenue_pence) AS revenue_pence,
    MIN(order_date) AS first_sale_date,
    MAX(order_date) AS last_sale_date
  FROM sales_facts
  WHERE COALESCE(merchandise, TRUE)
  GROUP BY product_id
) s ON s.product_id = p.product_id
LEFT JOIN (
  SELECT product_id,
    SUM(CASE WHEN event_type = 'product_view' THEN 1 ELSE 0 END) AS product_views,
    SUM(CASE WHEN event_type = 'add_to_cart' THEN 1 ELSE 0 END) AS add_to_carts
  FROM user_behavior
  WHERE product_id IS NOT NULL
  GROUP BY product_id
) b ON b.product_id = p.product_id
LEFT JOIN dim_products d ON d.product_id = p.product_id;

CREATE OR REPLACE VIEW customer_behavior_analysis AS
SELECT
  COALESCE(b.event_date, o.order_date) AS event_date,
  CAST(COALESCE(b.sessions, 0) AS BIGINT) AS sessions,
  CAST(COALESCE(b.users, 0) AS BIGINT) AS users,
  CAST(COALESCE(b.page_views, 0) AS BIGINT) AS page_views,
  CAST(COALESCE(b.product_views, 0) AS BIGINT) AS product_views,
  CAST(COALESCE(b.add_to_carts, 0) AS BIGINT) AS add_to_carts,
  CAST(COALESCE(o.orders, 0) AS BIGINT) AS purchases,
  CAST(COALESCE(b.searches, 0) AS BIGINT) AS searches,
  CAST(COALESCE(b.sessions_with_cart, 0) AS BIGINT) AS sessions_with_cart,
  CAST(CASE WHEN COALESCE(o.orders, 0) < COALESCE(b.sessions, 0) THEN COALESCE(o.orders, 0) ELSE COALESCE(b.sessions, 0) END AS BIGINT)
    AS sessions_with_purchase,
  CAST(COALESCE(o.sales_pence, 0) AS BIGINT) AS purchase_value_pence,
  CASE
    WHEN COALESCE(b.sessions, 0) = 0 THEN CAST(NULL AS DOUBLE PRECISION)
    WHEN COALESCE(o.orders, 0) >= b.sessions THEN CAST(1 AS DOUBLE PRECISION)
    ELSE CAST(COALESCE(o.orders, 0) AS DOUBLE PRECISION) / CAST(b.sessions AS DOUBLE PRECISION)
  END AS conversion_rate,
  CASE
    WHEN COALESCE(b.sessions_with_cart, 0) = 0 THEN CAST(NULL AS DOUBLE PRECISION)
    WHEN COALESCE(o.orders, 0) >= b.sessions_with_cart THEN CAST(1 AS DOUBLE PRECISION)
    ELSE CAST(COALESCE(o.orders, 0) AS DOUBLE PRECISION) / CAST(b.sessions_with_cart AS DOUBLE PRECISION)
  END AS cart_to_purchase_rate
FROM (
  SELECT s.event_date,
    COUNT(*) AS sessions,
    COUNT(DISTINCT s.user_id) AS users,
    SUM(s.page_views) AS page_views,
    SUM(s.product_views) AS product_views,
    SUM(s.add_to_carts) AS add_to_carts,
    SUM(s.searches) AS searches,
    SUM(CASE WHEN s.add_to_carts > 0 THEN 1 ELSE 0 END) AS sessions_with_cart
  FROM (
    SELECT event_date, session_id,
      MAX(user_id) AS user_id,
      SUM(CASE WHEN event_type = 'page_view' THEN 1 ELSE 0 END) AS page_views,
      SUM(CASE WHEN event_type = 'product_view' THEN 1 ELSE 0 END) AS product_views,
      SUM(CASE WHEN event_type = 'add_to_cart' THEN 1 ELSE 0 END) AS add_to_carts,
      SUM(CASE WHEN event_type = 'search' THEN 1 ELSE 0 END) AS searches
    FROM user_behavior
    WHERE event_type <> 'purchase'
    GROUP BY event_date, session_id
  ) s
  GROUP BY s.event_date
) b
FULL OUTER JOIN (
  SELECT order_date, COUNT(DISTINCT order_id) AS orders, SUM(revenue_pence) AS sales_pence
  FROM sales_facts
  WHERE kind = 'SALE' AND currency = 'GBP'
  GROUP BY order_date
) o ON o.order_date = b.event_date`,
  },
];

/** A migration's SQL for an engine. */
export const sqlOf = (migration: Migration, dialect: SqlDialect): string =>
  typeof migration.sql === 'string' ? migration.sql : migration.sql[dialect];

/** Splits a migration into statements on semicolons outside quotes and `--` comments. */
export function splitStatements(sql: string): string[] {
  const out: string[] = [];
  let current = '';
  let quote: "'" | '"' | null = null;
  for (let i = 0; i < sql.length; i++) {
    const ch = sql[i];
    if (quote) {
      current += ch;
      if (ch === quote) quote = null;
      continue;
    }
    if (ch === "'" || ch === '"') {
      quote = ch;
      current += ch;
    } else if (ch === '-' && sql[i + 1] === '-') {
      const end = sql.indexOf('\n', i);
      i = end === -1 ? sql.length : end - 1;
    } else if (ch === ';') {
      if (current.trim()) out.push(current.trim());
      current = '';
    } else {
      current += ch;
    }
  }
  if (current.trim()) out.push(current.trim());
  return out;
}

export const SCHEMA_MIGRATIONS_DDL =
  'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER NOT NULL, name VARCHAR(200) NOT NULL, applied_ts TIMESTAMP NOT NULL, CONSTRAINT schema_migrations_pkey PRIMARY KEY (version))';

/** Applies the pending migrations through any warehouse adapter; each one commits with its version row or not at all. */
export async function runMigrations(
  warehouse: Pick<Warehouse, 'execute' | 'query' | 'batch'>,
  options: { dialect: SqlDialect; migrations?: readonly Migration[]; now?: () => Date },
): Promise<MigrationReport> {
  const migrations = options.migrations ?? MIGRATIONS;
  const now = options.now ?? (() => new Date());
  assertOrdered(migrations);
  await warehouse.execute(SCHEMA_MIGRATIONS_DDL);
  const done = new Set(
    (await warehouse.query<{ version: number }>('SELECT version FROM schema_migrations')).map((r) => Number(r.version)),
  );
  const report: MigrationReport = { applied: [], alreadyApplied: [] };
  for (const m of migrations) {
    if (done.has(m.version)) {
      report.alreadyApplied.push(m.version);
      continue;
    }
    const statements: Statement[] = splitStatements(sqlOf(m, options.dialect)).map((sql) => ({ sql }));
    statements.push({
      sql: 'INSERT INTO schema_migrations (version, name, applied_ts) VALUES ($1, $2, CAST($3 AS TIMESTAMP))',
      params: [m.version, m.name, toSqlTimestamp(now())],
    });
    try {
      await warehouse.batch(statements);
    } catch (error) {
      // Another function migrating at the same time (cold starts of several loaders on a fresh warehouse) may have
      // applied it first: the version row it committed with is then there, and this one's batch rolled back whole.
      if (await isApplied(warehouse, m.version)) {
        report.alreadyApplied.push(m.version);
        continue;
      }
      throw error;
    }
    report.applied.push(m.version);
  }
  return report;
}

async function isApplied(warehouse: Pick<Warehouse, 'query'>, version: number): Promise<boolean> {
  return (
    (await warehouse.query('SELECT version FROM schema_migrations WHERE version = $1', [version]).catch(() => []))
      .length > 0
  );
}

function assertOrdered(migrations: readonly Migration[]): void {
  migrations.forEach((m, i) => {
    if (!Number.isInteger(m.version) || m.version < 1 || (i > 0 && m.version <= migrations[i - 1].version)) {
      throw new Error(
        `Migrations must have strictly increasing positive integer versions (at ${m.version} "${m.name}")`,
      );
    }
  });
}
