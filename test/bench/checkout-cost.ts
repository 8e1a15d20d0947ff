/**
 * The checkout section's cost figures: the billable units its run counted (./checkout-billing.ts) per
 * confirmed order, priced by ./cost.ts for eu-west-2, with the saga under Standard (as deployed) and Express.
 */
import type { BillingCounts, DynamoCounts } from './child-ipc';
import {
  costPer1000Orders,
  EU_WEST_2_PRICES,
  lambdaGbSecondsPerOrder,
  PLATFORM_FUNCTION_MEMORY_MB,
  sagaLine,
  totalUsd,
  type OrderUnits,
  type PriceTable,
} from './cost';
import type { Table } from './report';
import { round } from './stats';

export const emptyBilling = (): BillingCounts => ({
  dynamo: { readUnits: 0, writeUnits: 0, maxPutItemBytes: 0 },
  lambda: {},
  sfn: { statesEntered: 0, retries: 0, executions: 0, byState: {} },
  kinesis: { records: 0, bytes: 0, putPayloadUnits: 0 },
});

/** A child's counts before any request: what the platform child starts from and the parent merges onto. */
export const emptyCounts = (): DynamoCounts => ({
  commands: {},
  attempts: {},
  errors: {},
  byTable: {},
  byFunction: {},
  msByTable: {},
  transactItems: 0,
  windowMs: 0,
  billing: emptyBilling(),
});

/** Sums windows' counts (executions add up: a slice's executions all ran within it, the counts being read once sagas are idle). */
export function mergeBilling(parts: BillingCounts[]): BillingCounts {
  const out = emptyBilling();
  for (const b of parts) {
    out.dynamo.readUnits += b.dynamo.readUnits;
    out.dynamo.writeUnits += b.dynamo.writeUnits;
    out.dynamo.maxPutItemBytes = Math.max(out.dynamo.maxPutItemBytes, b.dynamo.maxPutItemBytes);
    for (const [id, f] of Object.entries(b.lambda)) {
      const into = (out.lambda[id] ??= { invocations: 0, ms: 0, billedMs: 0, errors: 0 });
      into.invocations += f.invocations;
      into.ms += f.ms;
      into.billedMs += f.billedMs;
      into.errors += f.errors;
    }
    out.sfn.statesEntered += b.sfn.statesEntered;
    out.sfn.retries += b.sfn.retries;
    out.sfn.executions += b.sfn.executions;
    for (const [state, n] of Object.entries(b.sfn.byState)) out.sfn.byState[state] = (out.sfn.byState[state] ?? 0) + n;
    out.kinesis.records += b.kinesis.records;
    out.kinesis.bytes += b.kinesis.bytes;
    out.kinesis.putPayloadUnits += b.kinesis.putPayloadUnits;
  }
  return out;
}

export interface CostInputs {
  /** Billing counts of the measured checkout slices, and of the one status GET per order sent afterwards. */
  checkout: BillingCounts;
  statusReads: BillingCounts;
  confirmed: number;
  /** POSTs /v1/orders that reached the edge in the measured slices (answered, whatever the status). */
  posts: number;
  /** Orders read once each by GET /v1/orders/{id} (the statusReads window). */
  reads: number;
  /** The saga's p50, POST sent → CONFIRMED written, ms: the execution's duration for Express billing. */
  sagaP50Ms: number;
}

/** Per-order units from a window's counts, over `orders`. */
export function unitsOf(billing: BillingCounts, orders: number, apiRequests: number, sagaP50Ms: number): OrderUnits {
  const n = Math.max(1, orders);
  return {
    apiRequests: apiRequests / n,
    lambda: Object.fromEntries(
      Object.entries(billing.lambda).map(([id, f]) => [
        id,
        { invocations: f.invocations / n, billedMs: f.billedMs / n, memoryMb: PLATFORM_FUNCTION_MEMORY_MB },
      ]),
    ),
    sfnExecutions: billing.sfn.executions / n,
    sfnTransitions: (billing.sfn.statesEntered + billing.sfn.retries) / n,
    sfnExecutionMs: sagaP50Ms,
    dynamoWriteUnits: billing.dynamo.writeUnits / n,
    dynamoReadUnits: billing.dynamo.readUnits / n,
    kinesisPutPayloadUnits: billing.kinesis.putPayloadUnits / n,
    // No handler on the checkout's path calls SageMaker (the recommendation and insights routes do): none is counted.
    sagemakerInvocations: 0,
  };
}

/** Dollars with 4 decimals, or 3 significant digits below $0.0001 (Kinesis' few units would show as $0). */
const usd = (x: number) => (x === 0 || x >= 0.0001 ? `$${x.toFixed(4)}` : `$${x.toPrecision(3)}`);

/** The checkout alone, and with one status GET per order (a client's least polling), priced. */
export function costFigures(input: CostInputs, prices: PriceTable = EU_WEST_2_PRICES) {
  const checkoutUnits = unitsOf(input.checkout, input.confirmed, input.posts, input.sagaP50Ms);
  // The status reads' units per order read, added to the checkout's per confirmed order.
  const readUnits = unitsOf(input.statusReads, input.reads, input.reads, input.sagaP50Ms);
  const scaledReads = unitsOf(
    mergeBilling([scaleBilling(input.statusReads, input.confirmed / Math.max(1, input.reads)), input.checkout]),
    input.confirmed,
    input.posts + input.confirmed,
    input.sagaP50Ms,
  );
  const checkoutLines = costPer1000Orders(checkoutUnits, prices);
  const withRead = costPer1000Orders(scaledReads, prices);
  const standard = sagaLine(scaledReads, prices, 'STANDARD');
  const express = sagaLine(scaledReads, prices, 'EXPRESS');
  const totalStandard = totalUsd(withRead);
  const totalExpress = totalStandard - standard.usdPer1000 + express.usdPer1000;
  return {
    prices,
    checkoutUnits,
    readUnits,
    withReadUnits: scaledReads,
    checkoutLines,
    withRead,
    standard,
    express,
    totalStandard,
    totalExpress,
  };
}
export type CostFigures = ReturnType<typeof costFigures>;

/** A window's counts × k (the status reads of all orders read, brought to one per confirmed order). */
function scaleBilling(b: BillingCounts, k: number): BillingCounts {
  const scale = (r: Record<string, number>) => Object.fromEntries(Object.entries(r).map(([key, v]) => [key, v * k]));
  return {
    dynamo: {
      readUnits: b.dynamo.readUnits * k,
      writeUnits: b.dynamo.writeUnits * k,
      maxPutItemBytes: b.dynamo.maxPutItemBytes,
    },
    lambda: Object.fromEntries(
      Object.entries(b.lambda).map(([id, f]) => [
        id,
        { invocations: f.invocations * k, ms: f.ms * k, billedMs: f.billedMs * k, errors: f.errors * k },
      ]),
    ),
    sfn: {
      statesEntered: b.sfn.statesEntered * k,
      retries: b.sfn.retries * k,
      executions: b.sfn.executions * k,
      byState: scale(b.sfn.byState),
    },
    kinesis: {
      records: b.kinesis.records * k,
      bytes: b.kinesis.bytes * k,
      putPayloadUnits: b.kinesis.putPayloadUnits * k,
    },
  };
}

export function costTables(c: CostFigures): Table[] {
  const rows = c.withRead.map((line, i) => [
    line.service,
    line.unit,
    round(c.checkoutLines[i].perOrder, 4),
    round(line.perOrder, 4),
    line.price,
    usd(line.usdPer1000),
  ]);
  const lambdaRows = Object.entries(c.withReadUnits.lambda)
    .sort(([, a], [, b]) => b.billedMs - a.billedMs)
    .map(([id, f]) => [id, round(f.invocations, 3), round(f.billedMs / Math.max(1e-9, f.invocations), 1), f.memoryMb]);
  return [
    {
      title: `Cost per 1,000 orders in AWS (${c.prices.region}; prices as published for ${c.prices.region}, as of ${c.prices.asOf}; verify before quoting)`,
      columns: [
        'service',
        'unit',
        'per order (checkout)',
        'per order (+ one status GET)',
        'price',
        'USD per 1,000 orders',
      ],
      rows: [
        ...rows,
        ['total, saga on Standard (as deployed)', '', '', '', '', usd(c.totalStandard)],
        ['checkout only, no status GET', '', '', '', '', usd(totalUsd(c.checkoutLines))],
      ],
    },
    {
      title: 'The saga under Standard and Express workflows (per 1,000 orders; everything else unchanged)',
      columns: ['workflow', 'what is billed', 'price', 'saga USD per 1,000 orders', 'total USD per 1,000 orders'],
      rows: [
        [
          'Standard',
          `${round(c.standard.perOrder, 2)} state transitions per order`,
          c.standard.price,
          usd(c.standard.usdPer1000),
          usd(c.totalStandard),
        ],
        [
          'Express',
          `${round(c.express.perOrder, 2)} ${c.express.unit} per order`,
          c.express.price,
          usd(c.express.usdPer1000),
          usd(c.totalExpress),
        ],
      ],
    },
    {
      title: `Lambda per order by function (measured in-process duration, billed rounded up per invocation; ${PLATFORM_FUNCTION_MEMORY_MB} MB arm64 each)`,
      columns: ['function', 'invocations per order', 'billed ms per invocation', 'memory MB'],
      rows: [...lambdaRows, ['total GB-s per order', round(lambdaGbSecondsPerOrder(c.withReadUnits), 4), '', '']],
    },
  ];
}

/** How the units were counted and priced. */
export function costMethod(c: CostFigures): string[] {
  return [
    `Cost: the platform child counts what AWS would bill during the measured checkout slices and, separately, during the one GET /v1/orders/{id} per order sent afterwards: Lambda invocations and their in-process duration by function (a diagnostics channel in lib/local/lambda/local-invoker.ts, published only while the bench subscribes; billed rounded up to 1 ms per invocation, at the ${PLATFORM_FUNCTION_MEMORY_MB} MB arm64 lib/contexts/platform-function.ts gives every function), Step Functions states entered and retries (a channel in lib/local/stepfunctions/engine.ts; Standard bills both as transitions), DynamoDB request units per request (test/bench/cost.ts dynamoRequestUnits: reads ≤ 4 KB, 1 unit strongly consistent, 0.5 eventually; writes 1 per KB of a Put's item, updates and deletes assumed ≤ 1 KB; transactions 2× per item; failed conditions bill as well), Kinesis PUT payload units (25 KB chunks per record on the handlers' kinesisClient()). API Gateway requests = the POSTs /v1/orders the bench sent (it does not poll: completion comes over IPC), plus one status GET per order in the second column. SageMaker: no function on the checkout's path calls it, so 0.`,
    `Prices: ${c.prices.source}, as of ${c.prices.asOf} (verify before quoting); free tiers, Kinesis shard hours (fixed, not per order), EventBridge events from the tables' stream publishers, CloudWatch Logs, X-Ray and data transfer are left out. Express: $${c.prices.sfnExpressPerMillionRequests} per million executions plus duration at ${c.prices.sfnExpressPerGbSecond} $/GB-s in 100 ms steps at 64 MB, the execution's duration taken as the saga's p50 POST sent → CONFIRMED written.`,
  ];
}

/** What the figures say, and what Express's at-least-once semantics would require of the saga. */
export function costFindings(c: CostFigures, checkout: BillingCounts): string[] {
  const biggest = [...c.withRead].sort((a, b) => b.usdPer1000 - a.usdPer1000).slice(0, 3);
  const states = Object.entries(checkout.sfn.byState)
    .map(([s, n]) => `${s} ${n}`)
    .join(', ');
  return [
    `Cost per 1,000 orders in ${c.prices.region}: $${round(c.totalStandard, 4)} with one status GET per order ($${round(totalUsd(c.checkoutLines), 4)} for the checkout alone); the largest lines are ${biggest.map((l) => `${l.service} $${round(l.usdPer1000, 4)}`).join(', ')}. Per order: ${round(c.withReadUnits.apiRequests, 2)} API requests, ${round(
      Object.values(c.withReadUnits.lambda).reduce((n, f) => n + f.invocations, 0),
      2,
    )} Lambda invocations (${round(lambdaGbSecondsPerOrder(c.withReadUnits), 4)} GB-s), ${round(c.withReadUnits.sfnTransitions, 2)} state transitions (states entered in the measured slices: ${states || 'none'}; ${checkout.sfn.retries} retries), ${round(c.withReadUnits.dynamoWriteUnits, 2)} WRU and ${round(c.withReadUnits.dynamoReadUnits, 2)} RRU (largest item a Put wrote: ${checkout.dynamo.maxPutItemBytes} bytes), ${round(c.withReadUnits.kinesisPutPayloadUnits, 2)} Kinesis PUT payload units. Lambda durations are measured here, in one process shared by every handler in flight, on a shared 2-core machine against DynamoDB Local, not in AWS: they include waiting for the event loop and are an upper estimate, not a forecast of AWS's bill.`,
    `Standard vs Express for the saga: Standard $${round(c.standard.usdPer1000, 4)} per 1,000 orders (${round(c.standard.perOrder, 2)} transitions × $${c.prices.sfnStandardPerThousandTransitions}/1,000), Express $${round(c.express.usdPer1000, 4)} (${round(c.express.perOrder, 2)} ${c.express.unit} per order); total $${round(c.totalStandard, 4)} vs $${round(c.totalExpress, 4)}. The saga stays on Standard: switching was not asked for unless every invariant test holds on both, and Express needs the changes below first.`,
    "Express and at-least-once: an asynchronous Express execution may run more than once (and with it every step), and StartExecution by name does not deduplicate as Standard does (it would not stop a retried POST from starting a second saga). The steps are already idempotent per order: ReserveInventory finds the reservation already made (functions/inventory/domain/reservations.ts) and a tombstone stops a late one after a release; ChargePayment records its intent in the ledger before calling the gateway with an idempotency key derived from the order (functions/payments/domain/payments.ts), so a second charge returns the first; ConfirmOrder is one conditional transaction and a redelivery only repeats the idempotent cart clean-up; RefundPayment and ConfirmOrder exclude each other transactionally; ReleaseInventory is a no-op once released or committed; CancelOrder never cancels a confirmed order. What Express would still require: (1) two executions of one order running at the same time (not only one after the other) must be covered by invariant tests, e.g. one confirming while the other compensates; (2) the settlement pass asks DescribeExecution by name (functions/orders/adapters/sfn-saga.ts), which Express does not support, so it would need another signal (the order's age and status alone, or the execution log in CloudWatch Logs); (3) TimeoutSeconds 600 exceeds Express's 5-minute limit; (4) execution history moves to CloudWatch Logs (which bills per GB ingested), so the local journal/resume semantics would no longer mirror AWS.",
  ];
}
