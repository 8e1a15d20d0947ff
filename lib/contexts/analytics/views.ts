/**
 * The warehouse's reporting views as QuickSight reads them: each column with its QuickSight input type.
 * QuickSight's data sets must list a relational table's columns; these mirror the views created by
 * functions/analytics/domain/migrations.ts (test/infra/analytics.test.ts compares them with the columns
 * the migrations actually create, so the two cannot drift apart).
 */
export type QuickSightColumnType = 'STRING' | 'INTEGER' | 'DECIMAL' | 'DATETIME';

export const warehouseViews = {
  daily_sales_summary: {
    sales_date: 'DATETIME',
    currency: 'STRING',
    orders: 'INTEGER',
    refunded_orders: 'INTEGER',
    units_sold: 'INTEGER',
    net_units: 'INTEGER',
    gross_revenue_pence: 'INTEGER',
    refunded_pence: 'INTEGER',
    revenue_pence: 'INTEGER',
    customers: 'INTEGER',
  },
  product_performance_metrics: {
    product_id: 'STRING',
    name: 'STRING',
    category: 'STRING',
    brand: 'STRING',
    price_pence: 'INTEGER',
    orders: 'INTEGER',
    units_sold: 'INTEGER',
    units_refunded: 'INTEGER',
    net_units: 'INTEGER',
    revenue_pence: 'INTEGER',
    first_sale_date: 'DATETIME',
    last_sale_date: 'DATETIME',
    product_views: 'INTEGER',
    add_to_carts: 'INTEGER',
    view_to_order_rate: 'DECIMAL',
  },
  customer_behavior_analysis: {
    event_date: 'DATETIME',
    sessions: 'INTEGER',
    users: 'INTEGER',
    page_views: 'INTEGER',
    product_views: 'INTEGER',
    add_to_carts: 'INTEGER',
    purchases: 'INTEGER',
    searches: 'INTEGER',
    sessions_with_cart: 'INTEGER',
    sessions_with_purchase: 'INTEGER',
    purchase_value_pence: 'INTEGER',
    conversion_rate: 'DECIMAL',
    cart_to_purchase_rate: 'DECIMAL',
  },
  inventory_turnover_metrics: {
    product_id: 'STRING',
    name: 'STRING',
    category: 'STRING',
    available: 'INTEGER',
    reserved: 'INTEGER',
    last_snapshot_ts: 'DATETIME',
    avg_available: 'DECIMAL',
    units_sold: 'INTEGER',
    selling_days: 'INTEGER',
    turnover_ratio: 'DECIMAL',
    avg_daily_units: 'DECIMAL',
    days_of_cover: 'DECIMAL',
  },
} as const satisfies Record<string, Record<string, QuickSightColumnType>>;

export type WarehouseView = keyof typeof warehouseViews;
export const WAREHOUSE_VIEWS = Object.keys(warehouseViews) as WarehouseView[];

/**
 * The conversion funnel as rows (QuickSight's funnel chart takes one category and one measure, and the view
 * has the stages as columns): product views → added to cart → purchased, per day, from customer_behavior_analysis.
 */
export const conversionFunnel = {
  name: 'conversion_funnel',
  columns: { event_date: 'DATETIME', step: 'INTEGER', stage: 'STRING', events: 'INTEGER' },
  stages: [
    { step: 1, stage: 'Product views', column: 'product_views' },
    { step: 2, stage: 'Added to cart', column: 'add_to_carts' },
    { step: 3, stage: 'Purchased', column: 'purchases' },
  ],
} as const satisfies {
  name: string;
  columns: Record<string, QuickSightColumnType>;
  stages: readonly {
    step: number;
    stage: string;
    column: keyof (typeof warehouseViews)['customer_behavior_analysis'];
  }[];
};

export const conversionFunnelSql = conversionFunnel.stages
  .map(
    (s) =>
      `SELECT event_date, ${s.step} AS step, '${s.stage}' AS stage, ${s.column} AS events FROM customer_behavior_analysis`,
  )
  .join('\nUNION ALL\n');
