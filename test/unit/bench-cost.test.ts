import { readFileSync } from 'node:fs';
import { describe, it } from '@jest/globals';
import { expect } from '../support/expect';
import {
  approximateItemBytes,
  costPer1000Orders,
  dynamoRequestUnits,
  EU_WEST_2_PRICES,
  PLATFORM_FUNCTION_MEMORY_MB,
  putPayloadUnits,
  sagaLine,
  totalUsd,
  type OrderUnits,
  type PriceTable,
} from '../bench/cost';
import { costFigures, emptyBilling, mergeBilling } from '../bench/checkout-cost';
import type { BillingCounts } from '../bench/child-ipc';

/** Round prices, so that every expected figure can be worked out by hand. */
const prices: PriceTable = {
  region: 'test',
  asOf: 'test',
  source: 'test',
  apiGatewayRestPerMillion: 4,
  lambdaArmPerGbSecond: 0.00001,
  lambdaPerMillionRequests: 0.2,
  sfnStandardPerThousandTransitions: 0.025,
  sfnExpressPerMillionRequests: 1,
  sfnExpressPerGbSecond: 0.00002,
  dynamoPerMillionWriteUnits: 1,
  dynamoPerMillionReadUnits: 0.25,
  kinesisPerMillionPutPayloadUnits: 0.02,
};

const units: OrderUnits = {
  apiRequests: 2,
  lambda: {
    createOrder: { invocations: 1, billedMs: 100, memoryMb: 512 },
    reserveInventory: { invocations: 1, billedMs: 50, memoryMb: 1024 },
  },
  sfnExecutions: 1,
  sfnTransitions: 4,
  sfnExecutionMs: 250,
  dynamoWriteUnits: 10,
  dynamoReadUnits: 3,
  kinesisPutPayloadUnits: 1,
  sagemakerInvocations: 0,
};

const byService = (lines: ReturnType<typeof costPer1000Orders>) =>
  Object.fromEntries(lines.map((l) => [l.service, l.usdPer1000]));

describe('costPer1000Orders', () => {
  it('prices each service from the per-order units', () => {
    const lines = byService(costPer1000Orders(units, prices));
    // 2 requests × 1,000 orders × $4 / M
    expect(lines['API Gateway (REST)']).toBeCloseTo(0.008, 10);
    expect(lines['Lambda requests']).toBeCloseTo((2 * 1000 * 0.2) / 1e6, 10);
    // (0.1 s × 0.5 GB + 0.05 s × 1 GB) = 0.1 GB-s per order
    expect(lines['Lambda duration (arm64)']).toBeCloseTo(1000 * 0.1 * 0.00001, 10);
    // 4 transitions × 1,000 orders = 4,000 × $0.025 / 1,000
    expect(lines['Step Functions Standard (saga)']).toBeCloseTo(0.1, 10);
    expect(lines['DynamoDB on-demand writes']).toBeCloseTo(0.01, 10);
    expect(lines['DynamoDB on-demand reads']).toBeCloseTo(0.00075, 10);
    expect(lines['Kinesis Data Streams PUT']).toBeCloseTo(0.00002, 10);
    expect(lines['SageMaker inference']).toBeUndefined();
  });

  it('totals the lines', () => {
    const lines = costPer1000Orders(units, prices);
    expect(totalUsd(lines)).toBeCloseTo(
      lines.reduce((n, l) => n + l.usdPer1000, 0),
      12,
    );
    expect(totalUsd(lines)).toBeCloseTo(0.008 + 0.0004 + 0.001 + 0.1 + 0.01 + 0.00075 + 0.00002, 10);
  });

  it('prices the saga on Express per execution plus duration in 100 ms steps at 64 MB', () => {
    const express = sagaLine(units, prices, 'EXPRESS');
    // 250 ms → 0.3 s billed; 0.3 s × 1/16 GB = 0.01875 GB-s; per 1,000: 1,000 × (1/1e6 + 0.01875 × 0.00002)
    expect(express.usdPer1000).toBeCloseTo(1000 * (1 / 1e6 + 0.01875 * 0.00002), 12);
    const lines = byService(costPer1000Orders(units, prices, 'EXPRESS'));
    expect(lines['Step Functions Standard (saga)']).toBeUndefined();
    expect(lines['Step Functions Express (saga)']).toBeCloseTo(express.usdPer1000, 12);
  });

  it('refuses SageMaker invocations it has no price for, and prices them when it has', () => {
    const withModel = { ...units, sagemakerInvocations: 0.5 };
    expect(() => costPer1000Orders(withModel, prices)).toThrow(/SageMaker/);
    const lines = byService(costPer1000Orders(withModel, { ...prices, sagemakerPerMillionInvocations: 10 }));
    expect(lines['SageMaker inference']).toBeCloseTo(0.005, 10);
  });

  it('costs nothing for no units', () => {
    const none: OrderUnits = {
      ...units,
      apiRequests: 0,
      lambda: {},
      sfnExecutions: 0,
      sfnTransitions: 0,
      dynamoWriteUnits: 0,
      dynamoReadUnits: 0,
      kinesisPutPayloadUnits: 0,
    };
    expect(totalUsd(costPer1000Orders(none, EU_WEST_2_PRICES))).toBe(0);
  });
});

describe('dynamoRequestUnits', () => {
  it('reads: 1 unit strongly consistent, 0.5 eventually; batch gets per key; transactional gets 2 per item', () => {
    expect(dynamoRequestUnits('GetItem', { ConsistentRead: true })).toEqual({ read: 1, write: 0 });
    expect(dynamoRequestUnits('GetItem', {})).toEqual({ read: 0.5, write: 0 });
    expect(dynamoRequestUnits('Query', { ConsistentRead: true })).toEqual({ read: 1, write: 0 });
    expect(
      dynamoRequestUnits('BatchGetItem', {
        RequestItems: { a: { Keys: [{}, {}, {}] }, b: { Keys: [{}], ConsistentRead: true } },
      }),
    ).toEqual({ read: 2.5, write: 0 });
    expect(dynamoRequestUnits('TransactGetItems', { TransactItems: [{ Get: {} }, { Get: {} }] })).toEqual({
      read: 4,
      write: 0,
    });
  });

  it('writes: 1 per KB of a Put item, 1 per update or delete, 2× in a transaction (condition checks too)', () => {
    expect(dynamoRequestUnits('PutItem', { Item: { id: 'x' } })).toEqual({ read: 0, write: 1 });
    expect(dynamoRequestUnits('PutItem', { Item: { id: 'x', blob: 'y'.repeat(1500) } })).toEqual({ read: 0, write: 2 });
    expect(dynamoRequestUnits('UpdateItem', {})).toEqual({ read: 0, write: 1 });
    expect(dynamoRequestUnits('DeleteItem', {})).toEqual({ read: 0, write: 1 });
    expect(
      dynamoRequestUnits('TransactWriteItems', {
        TransactItems: [{ Put: { Item: { id: 'x' } } }, { Update: {} }, { ConditionCheck: {} }],
      }),
    ).toEqual({ read: 0, write: 6 });
    expect(
      dynamoRequestUnits('BatchWriteItem', {
        RequestItems: { a: [{ PutRequest: { Item: { id: 'x' } } }, { DeleteRequest: { Key: {} } }] },
      }),
    ).toEqual({ read: 0, write: 2 });
    expect(dynamoRequestUnits('DescribeTable', {})).toEqual({ read: 0, write: 0 });
  });

  it('sizes an item the same, plain or marshalled', () => {
    const plain = { orderId: 'o-1', total: 1234, paid: true, lines: [{ sku: 'abc', qty: 2 }] };
    const marshalled = {
      orderId: { S: 'o-1' },
      total: { N: '1234' },
      paid: { BOOL: true },
      lines: { L: [{ M: { sku: { S: 'abc' }, qty: { N: '2' } } }] },
    };
    expect(approximateItemBytes(marshalled)).toBe(approximateItemBytes(plain));
    // names 7+5+4+5, 'o-1' 3, 1234 → 3, true → 1, list 3 + (1 + map 3 + 1+3+3 + 1+3+2)
    expect(approximateItemBytes(plain)).toBe(21 + 3 + 3 + 1 + 3 + 1 + 3 + 7 + 6);
  });
});

describe('prices and constants', () => {
  it('counts Kinesis PUT payload units in 25 KB chunks, at least one per record', () => {
    expect(putPayloadUnits(0)).toBe(1);
    expect(putPayloadUnits(25 * 1024)).toBe(1);
    expect(putPayloadUnits(25 * 1024 + 1)).toBe(2);
  });

  it('uses the memory CDK gives platform functions', () => {
    const source = readFileSync(new URL('../../lib/contexts/platform-function.ts', import.meta.url), 'utf8');
    expect(source).toContain(`memorySize: props.memorySize ?? ${PLATFORM_FUNCTION_MEMORY_MB}`);
    expect(source).toContain('architecture: Architecture.ARM_64');
  });

  it('dates its eu-west-2 prices and says to verify them', () => {
    expect(EU_WEST_2_PRICES.region).toBe('eu-west-2');
    expect(EU_WEST_2_PRICES.asOf).toMatch(/^\d{4}-\d{2}/);
  });
});

describe('the checkout section’s cost figures', () => {
  /** 10 confirmed orders: 4 states each, 10 PlaceOrder invocations of 100 ms, 300 WRU, 50 RRU. */
  const checkout: BillingCounts = {
    dynamo: { readUnits: 50, writeUnits: 300, maxPutItemBytes: 600 },
    lambda: { placeOrder: { invocations: 10, ms: 995, billedMs: 1000, errors: 0 } },
    sfn: { statesEntered: 40, retries: 2, executions: 10, byState: { ReserveInventory: 10 } },
    kinesis: { records: 10, bytes: 5000, putPayloadUnits: 10 },
  };
  /** 20 status GETs (every order placed, warm-up included): 1 RRU and one 10-ms getOrder each. */
  const reads: BillingCounts = {
    ...emptyBilling(),
    dynamo: { readUnits: 20, writeUnits: 0, maxPutItemBytes: 0 },
    lambda: { getOrder: { invocations: 20, ms: 190, billedMs: 200, errors: 0 } },
  };
  const c = costFigures(
    { checkout, statusReads: reads, confirmed: 10, posts: 10, reads: 20, sagaP50Ms: 250 },
    EU_WEST_2_PRICES,
  );

  it('divides the checkout’s counts by the confirmed orders, retries counted as transitions', () => {
    expect(c.checkoutUnits.sfnTransitions).toBe(4.2);
    expect(c.checkoutUnits.dynamoWriteUnits).toBe(30);
    expect(c.checkoutUnits.lambda.placeOrder).toEqual({
      invocations: 1,
      billedMs: 100,
      memoryMb: PLATFORM_FUNCTION_MEMORY_MB,
    });
    expect(c.checkoutUnits.apiRequests).toBe(1);
  });

  it('adds one status GET per confirmed order, whatever the number of orders read', () => {
    expect(c.withReadUnits.apiRequests).toBe(2);
    expect(c.withReadUnits.dynamoReadUnits).toBe(6);
    expect(c.withReadUnits.lambda.getOrder.invocations).toBe(1);
    expect(c.withReadUnits.lambda.getOrder.billedMs).toBe(10);
  });

  it('swaps only the saga’s line between Standard and Express', () => {
    expect(c.totalStandard).toBeCloseTo(totalUsd(c.withRead), 12);
    expect(c.totalStandard - c.standard.usdPer1000).toBeCloseTo(c.totalExpress - c.express.usdPer1000, 12);
    expect(c.standard.usdPer1000).toBeCloseTo(4.2 * EU_WEST_2_PRICES.sfnStandardPerThousandTransitions, 12);
  });

  it('merges windows by summing, keeping the largest item', () => {
    const both = mergeBilling([checkout, checkout]);
    expect(both.sfn.statesEntered).toBe(80);
    expect(both.lambda.placeOrder.billedMs).toBe(2000);
    expect(both.dynamo.maxPutItemBytes).toBe(600);
    expect(mergeBilling([])).toEqual(emptyBilling());
  });
});
