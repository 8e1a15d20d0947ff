/**
 * The business metrics the functions emit (Powertools Metrics, CloudWatch embedded metric format), as data: the
 * functions emit them by these names, and the stage's dashboard and alarms (lib/contexts/operations/) are built
 * from the same list, so a chart can never name a metric nobody emits.
 *
 * Every metric is in the namespace `ECIComm` with the dimensions `service` (the emitting function's context,
 * POWERTOOLS_SERVICE_NAME) and `stage` (ECICOMM_STAGE), plus the metric's own `dimension` where it has one.
 *
 * Dead-letter queue arrivals are not here: the saga's CompensationFailed state sends to its queue from Step
 * Functions, and the stream consumers' on-failure destinations are written by their event source mappings, so no
 * function sees a message arrive. The dashboard charts those queues' own SQS metrics (NumberOfMessagesSent,
 * ApproximateNumberOfMessagesVisible) instead.
 */
export const METRICS_NAMESPACE = 'ECIComm';

export type BusinessMetricUnit = 'Count' | 'Milliseconds';

export interface BusinessMetric {
  readonly name: string;
  readonly unit: BusinessMetricUnit;
  /** The context whose functions emit it: the value of the `service` dimension. */
  readonly service: string;
  /** A further dimension the metric is split by, e.g. the reason an order was cancelled. */
  readonly dimension?: string;
  readonly description: string;
}

export const BUSINESS_METRICS = {
  ordersPlaced: {
    name: 'OrdersPlaced',
    unit: 'Count',
    service: 'orders',
    description: 'Orders accepted by POST /v1/orders (202), each starting a saga',
  },
  ordersConfirmed: {
    name: 'OrdersConfirmed',
    unit: 'Count',
    service: 'orders',
    description: 'Orders the saga confirmed',
  },
  ordersCancelled: {
    name: 'OrdersCancelled',
    unit: 'Count',
    service: 'orders',
    dimension: 'failureReason',
    description: "Orders the saga cancelled, by the order's failureReason",
  },
  paymentDeclines: {
    name: 'PaymentDeclines',
    unit: 'Count',
    service: 'payments',
    description: 'Charges the payment provider declined',
  },
  sagaDuration: {
    name: 'SagaDuration',
    unit: 'Milliseconds',
    service: 'orders',
    description: 'From the order being placed to its saga ending (confirmed or cancelled)',
  },
  compensationsRun: {
    name: 'CompensationsRun',
    unit: 'Count',
    service: 'orders',
    description:
      'Compensation steps that undid something (a reservation released, a charge refunded), counted when the saga cancels the order',
  },
  searchQueries: {
    name: 'SearchQueries',
    unit: 'Count',
    service: 'search',
    description: 'Product searches answered',
  },
  zeroResultSearches: {
    name: 'ZeroResultSearches',
    unit: 'Count',
    service: 'search',
    description: 'Product searches that found nothing',
  },
  recommendationFallbacks: {
    name: 'RecommendationFallbacks',
    unit: 'Count',
    service: 'recommendations',
    dimension: 'reason',
    description: 'Recommendations answered without the model, by reason',
  },
  eventsAccepted: {
    name: 'EventsAccepted',
    unit: 'Count',
    service: 'analytics',
    description: 'Clickstream events accepted by POST /v1/events',
  },
  warehouseRowsLoaded: {
    name: 'WarehouseRowsLoaded',
    unit: 'Count',
    service: 'analytics',
    description: 'Rows the analytics loaders wrote to the warehouse',
  },
} as const satisfies Record<string, BusinessMetric>;

export type BusinessMetricKey = keyof typeof BUSINESS_METRICS;
