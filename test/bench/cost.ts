/**
 * What 1,000 orders would cost in AWS (eu-west-2), from the units a checkout run counted per order and a
 * table of on-demand prices. Pure: the checkout section (./checkout.ts) counts, this prices.
 *
 * The prices are written from memory of the published on-demand price pages for eu-west-2 (London), as
 * they stood in 2025; this environment cannot browse, so they are stated, dated and to be verified before
 * anyone quotes a figure. Free tiers are left out (a cost per order should not depend on them).
 */

export interface PriceTable {
  region: string;
  /** When these prices were believed current, and where they come from. */
  asOf: string;
  source: string;
  /** API Gateway REST API, per million requests (first 333 M a month). */
  apiGatewayRestPerMillion: number;
  /** Lambda on arm64 (Graviton): per GB-second of billed duration (first 7.5 G GB-s a month), per million requests. */
  lambdaArmPerGbSecond: number;
  lambdaPerMillionRequests: number;
  /** Step Functions Standard: per 1,000 state transitions. */
  sfnStandardPerThousandTransitions: number;
  /** Step Functions Express: per million executions, per GB-second (first 1,000 GB-hours a month; 64 MB steps, 100 ms steps). */
  sfnExpressPerMillionRequests: number;
  sfnExpressPerGbSecond: number;
  /** DynamoDB on-demand (prices after the November 2024 cut): per million write / read request units. */
  dynamoPerMillionWriteUnits: number;
  dynamoPerMillionReadUnits: number;
  /** Kinesis Data Streams, provisioned: per million PUT payload units (25 KB each). Shard hours are not per order: left out. */
  kinesisPerMillionPutPayloadUnits: number;
  /** SageMaker serverless inference has no per-request price (duration × memory): priced only if invoked. */
  sagemakerPerMillionInvocations?: number;
}

export const EU_WEST_2_PRICES: PriceTable = {
  region: 'eu-west-2',
  asOf: '2025-06, as recalled',
  source:
    'AWS on-demand price pages for API Gateway, Lambda, Step Functions, DynamoDB and Kinesis Data Streams, region EU (London)',
  apiGatewayRestPerMillion: 3.7,
  lambdaArmPerGbSecond: 0.0000133334,
  lambdaPerMillionRequests: 0.2,
  sfnStandardPerThousandTransitions: 0.025,
  sfnExpressPerMillionRequests: 1.0,
  sfnExpressPerGbSecond: 0.00001667,
  dynamoPerMillionWriteUnits: 0.7423,
  dynamoPerMillionReadUnits: 0.1485,
  kinesisPerMillionPutPayloadUnits: 0.0165,
};

/** The memory every platform function is deployed with (lib/contexts/platform-function.ts: `props.memorySize ?? 512`). */
export const PLATFORM_FUNCTION_MEMORY_MB = 512;
/** Express bills the memory an execution uses in 64 MB steps; the saga's state is a few KB: one step. */
export const EXPRESS_MEMORY_MB = 64;
export const KINESIS_PUT_PAYLOAD_UNIT_BYTES = 25 * 1024;

/** Per-order units (means over the confirmed orders of a run), as the checkout section counted them. */
export interface OrderUnits {
  /** HTTP requests at the edge per order (what API Gateway would bill). */
  apiRequests: number;
  /** Per function: invocations and billed milliseconds (each invocation rounded up to 1 ms) per order, and its memory. */
  lambda: Record<string, { invocations: number; billedMs: number; memoryMb: number }>;
  /** Step Functions: executions and state transitions (states entered + retries) per order. */
  sfnExecutions: number;
  sfnTransitions: number;
  /** An execution's duration for Express billing, ms (the run's p50). */
  sfnExecutionMs: number;
  dynamoWriteUnits: number;
  dynamoReadUnits: number;
  kinesisPutPayloadUnits: number;
  sagemakerInvocations: number;
}

export interface CostLine {
  service: string;
  /** What is counted, e.g. 'requests', 'GB-s'. */
  unit: string;
  perOrder: number;
  /** The price applied, as text (unit price and its unit). */
  price: string;
  /** USD per 1,000 orders. */
  usdPer1000: number;
}

export type Workflow = 'STANDARD' | 'EXPRESS';

const perMillion = (units: number, price: number) => (units * price) / 1e6;

/** A line for a service billed per million of its units. */
const perMillionLine = (service: string, unit: string, perOrder: number, pricePerMillion: number): CostLine => ({
  service,
  unit,
  perOrder,
  price: `$${pricePerMillion} per million`,
  usdPer1000: 1000 * perMillion(perOrder, pricePerMillion),
});

/** Lambda GB-seconds per order: billed ms × memory, over every function. */
export const lambdaGbSecondsPerOrder = (units: OrderUnits) =>
  Object.values(units.lambda).reduce((n, f) => n + (f.billedMs / 1000) * (f.memoryMb / 1024), 0);

/** The saga's own Step Functions cost per order, under either workflow type. */
export function sagaLine(units: OrderUnits, prices: PriceTable, workflow: Workflow): CostLine {
  if (workflow === 'STANDARD')
    return {
      service: 'Step Functions Standard (saga)',
      unit: 'state transitions',
      perOrder: units.sfnTransitions,
      price: `$${prices.sfnStandardPerThousandTransitions} per 1,000 transitions`,
      usdPer1000: units.sfnTransitions * prices.sfnStandardPerThousandTransitions,
    };
  // Express: per execution, plus its duration rounded up to 100 ms at 64 MB.
  const billedS = Math.ceil(units.sfnExecutionMs / 100) / 10;
  const gbS = units.sfnExecutions * billedS * (EXPRESS_MEMORY_MB / 1024);
  return {
    service: 'Step Functions Express (saga)',
    unit: `executions (each billed ${billedS} s × ${EXPRESS_MEMORY_MB} MB)`,
    perOrder: units.sfnExecutions,
    price: `$${prices.sfnExpressPerMillionRequests} per million + $${prices.sfnExpressPerGbSecond} per GB-s`,
    usdPer1000:
      1000 *
      (perMillion(units.sfnExecutions, prices.sfnExpressPerMillionRequests) + gbS * prices.sfnExpressPerGbSecond),
  };
}

/** A line per service and USD per 1,000 orders; the saga under `workflow` (Standard, as deployed, by default). */
export function costPer1000Orders(units: OrderUnits, prices: PriceTable, workflow: Workflow = 'STANDARD'): CostLine[] {
  const invocations = Object.values(units.lambda).reduce((n, f) => n + f.invocations, 0);
  const gbS = lambdaGbSecondsPerOrder(units);
  const lines: CostLine[] = [
    perMillionLine('API Gateway (REST)', 'requests', units.apiRequests, prices.apiGatewayRestPerMillion),
    perMillionLine('Lambda requests', 'invocations', invocations, prices.lambdaPerMillionRequests),
    {
      service: 'Lambda duration (arm64)',
      unit: 'GB-s',
      perOrder: gbS,
      price: `$${prices.lambdaArmPerGbSecond} per GB-s`,
      usdPer1000: 1000 * gbS * prices.lambdaArmPerGbSecond,
    },
    sagaLine(units, prices, workflow),
    perMillionLine(
      'DynamoDB on-demand writes',
      'write request units',
      units.dynamoWriteUnits,
      prices.dynamoPerMillionWriteUnits,
    ),
    perMillionLine(
      'DynamoDB on-demand reads',
      'read request units',
      units.dynamoReadUnits,
      prices.dynamoPerMillionReadUnits,
    ),
    perMillionLine(
      'Kinesis Data Streams PUT',
      'PUT payload units (25 KB)',
      units.kinesisPutPayloadUnits,
      prices.kinesisPerMillionPutPayloadUnits,
    ),
  ];
  if (units.sagemakerInvocations > 0) {
    if (prices.sagemakerPerMillionInvocations === undefined)
      throw new Error('SageMaker was invoked during checkout but the price table has no SageMaker price');
    lines.push(
      perMillionLine(
        'SageMaker inference',
        'invocations',
        units.sagemakerInvocations,
        prices.sagemakerPerMillionInvocations,
      ),
    );
  }
  return lines;
}

export const totalUsd = (lines: CostLine[]) => lines.reduce((n, l) => n + l.usdPer1000, 0);

/** PUT payload units of one Kinesis record: 25 KB chunks of its data blob, at least one. */
export const putPayloadUnits = (bytes: number) => Math.max(1, Math.ceil(bytes / KINESIS_PUT_PAYLOAD_UNIT_BYTES));

/** DynamoDB request units of one request, as on-demand bills them. */
export interface RequestUnits {
  read: number;
  write: number;
}

interface DynamoInput {
  ConsistentRead?: boolean;
  Item?: unknown;
  TransactItems?: Record<string, { Item?: unknown }>[];
  RequestItems?: Record<string, { Keys?: unknown[]; ConsistentRead?: boolean } | unknown[]>;
}

const TYPE_TAGS = new Set(['S', 'N', 'B', 'BOOL', 'NULL', 'M', 'L', 'SS', 'NS', 'BS']);
const utf8 = (s: string) => Buffer.byteLength(s, 'utf8');

/** A value's size by DynamoDB's rules (close enough: numbers ~1 byte per 2 digits + 1), plain or marshalled (`{ S }`). */
function valueBytes(value: unknown): number {
  if (typeof value === 'string') return utf8(value);
  if (typeof value === 'number' || typeof value === 'bigint') return Math.ceil(String(value).length / 2) + 1;
  if (typeof value === 'boolean' || value === null || value === undefined) return 1;
  if (value instanceof Uint8Array) return value.byteLength;
  if (value instanceof Set) return [...value].reduce((n: number, v) => n + valueBytes(v), 0);
  if (Array.isArray(value)) return 3 + value.reduce((n: number, v) => n + 1 + valueBytes(v), 0);
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length === 1 && TYPE_TAGS.has(entries[0][0])) {
    const [tag, inner] = entries[0];
    if (tag === 'N') return valueBytes(Number(inner));
    if (tag === 'NS') return (inner as string[]).reduce((n, v) => n + valueBytes(Number(v)), 0);
    return valueBytes(inner);
  }
  return 3 + entries.reduce((n, [k, v]) => n + 1 + utf8(k) + valueBytes(v), 0);
}

/** An item's size as DynamoDB bills it: its attribute names and values. */
export const approximateItemBytes = (item: unknown) =>
  Object.entries((item ?? {}) as Record<string, unknown>).reduce((n, [k, v]) => n + utf8(k) + valueBytes(v), 0);
const writeUnitsOf = (item: unknown) =>
  item === undefined ? 1 : Math.max(1, Math.ceil(approximateItemBytes(item) / 1024));

/**
 * The request units of one DynamoDB request, from its command and input. Assumptions: an item a read
 * returns is ≤ 4 KB (a Query's whole answer too), an item an update or delete touches is ≤ 1 KB; a Put's
 * size is taken from its item. Reads: 1 unit strongly consistent, 0.5 eventually; writes 1 per KB;
 * transactions 2× (TransactWriteItems' ConditionCheck items bill as writes). Failed conditional writes and
 * cancelled transactions bill as if they had succeeded, so every request sent counts, retries apart.
 */
export function dynamoRequestUnits(command: string, input: DynamoInput): RequestUnits {
  const read = (consistent?: boolean) => (consistent ? 1 : 0.5);
  switch (command) {
    case 'GetItem':
    case 'Query':
    case 'Scan':
      return { read: read(input.ConsistentRead), write: 0 };
    case 'BatchGetItem':
      return {
        read: Object.values(input.RequestItems ?? {}).reduce<number>((n, t) => {
          const table = t as { Keys?: unknown[]; ConsistentRead?: boolean };
          return n + (table.Keys?.length ?? 0) * read(table.ConsistentRead);
        }, 0),
        write: 0,
      };
    case 'TransactGetItems':
      return { read: 2 * (input.TransactItems?.length ?? 0), write: 0 };
    case 'TransactWriteItems':
      return {
        read: 0,
        write: (input.TransactItems ?? []).reduce((n, t) => n + 2 * writeUnitsOf(t.Put?.Item), 0),
      };
    case 'PutItem':
      return { read: 0, write: writeUnitsOf(input.Item) };
    case 'UpdateItem':
    case 'DeleteItem':
      return { read: 0, write: 1 };
    case 'BatchWriteItem':
      return {
        read: 0,
        write: Object.values(input.RequestItems ?? {}).reduce<number>(
          (n, requests) =>
            n +
            (requests as { PutRequest?: { Item?: unknown } }[]).reduce(
              (m, r) => m + (r.PutRequest ? writeUnitsOf(r.PutRequest.Item) : 1),
              0,
            ),
          0,
        ),
      };
    default:
      // Control-plane or unknown commands (DescribeTable, …) are not billed per request.
      return { read: 0, write: 0 };
  }
}
