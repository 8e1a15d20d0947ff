import { describe, expect, it } from '@jest/globals';
import { consumersOfStreamEvent } from '../../lib/ops/stream-consumers';

const ddb = (...arns: string[]) => ({
  Records: arns.map((eventSourceARN) => ({ eventSource: 'aws:dynamodb', eventSourceARN })),
});
const kinesis = (arn: string) => ({ Records: [{ eventSource: 'aws:kinesis', eventSourceARN: arn }] });
const streamArn = (table: string) =>
  `arn:aws:dynamodb:eu-west-2:123456789012:table/${table}/stream/2026-11-01T00:00:00.000`;

const ids = (event: unknown, kind: 'dynamodb' | 'kinesis') => consumersOfStreamEvent(event, kind).map((c) => c.id);

describe('the consumers of a stream event', () => {
  it('are found by the table in the stream ARN, with or without a stage prefix', () => {
    expect(ids(ddb(streamArn('orders')), 'dynamodb')).toEqual(['loadOrdersStream', 'publishOrderEvents']);
    expect(ids(ddb(streamArn('ecicomm-prod-orders')), 'dynamodb')).toEqual(['loadOrdersStream', 'publishOrderEvents']);
    expect(ids(ddb(streamArn('ecicomm-inventory')), 'dynamodb')).toEqual([
      'loadInventoryStream',
      'publishInventoryEvents',
    ]);
    expect(ids(kinesis('arn:aws:kinesis:eu-west-2:123456789012:stream/ecicomm-clickstream'), 'kinesis')).toEqual([
      'loadClickstream',
    ]);
  });

  it('are every consumer of the stream: the products table feeds analytics, the search index and the domain events', () => {
    expect(ids(ddb(streamArn('ecicomm-products')), 'dynamodb')).toEqual([
      'loadProductsStream',
      'indexProducts',
      'publishProductEvents',
    ]);
  });

  it('names no consumer for a table nobody consumes, even one whose name ends like a consumed one', () => {
    // product-skus ends with "skus", not "-products": no consumer reads it.
    expect(() => consumersOfStreamEvent(ddb(streamArn('ecicomm-product-skus')), 'dynamodb')).toThrow(
      /No stream consumer reads table ecicomm-product-skus/,
    );
    expect(() => consumersOfStreamEvent(ddb(streamArn('ecicomm-carts')), 'dynamodb')).toThrow(
      /consumers: loadOrdersStream/,
    );
    expect(() => consumersOfStreamEvent(ddb(streamArn('ecicomm-carts')), 'dynamodb')).toThrow(/publishUserEvents/);
  });

  it('refuses events that are not one stream’s records of the expected kind', () => {
    expect(() => consumersOfStreamEvent({ Records: [] }, 'dynamodb')).toThrow(/at least one record/);
    expect(() => consumersOfStreamEvent(ddb(streamArn('orders'), streamArn('inventory')), 'dynamodb')).toThrow(
      /same eventSourceARN/,
    );
    expect(() => consumersOfStreamEvent(ddb(streamArn('orders')), 'kinesis')).toThrow(/eventSource "aws:kinesis"/);
    expect(() => consumersOfStreamEvent(kinesis('arn:aws:sqs:eu-west-2:1:q'), 'kinesis')).toThrow(
      /not a Kinesis stream ARN/,
    );
  });
});
