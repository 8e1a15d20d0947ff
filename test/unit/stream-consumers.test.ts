import { describe, expect, it } from 'vitest';
import { consumerOfStreamEvent } from '../../lib/ops/stream-consumers';

const ddb = (...arns: string[]) => ({ Records: arns.map((eventSourceARN) => ({ eventSource: 'aws:dynamodb', eventSourceARN })) });
const kinesis = (arn: string) => ({ Records: [{ eventSource: 'aws:kinesis', eventSourceARN: arn }] });
const streamArn = (table: string) => `arn:aws:dynamodb:eu-west-2:123456789012:table/${table}/stream/2026-11-01T00:00:00.000`;

describe('the consumer of a stream event', () => {
  it('is found by the table in the stream ARN, with or without a stage prefix', () => {
    expect(consumerOfStreamEvent(ddb(streamArn('orders')), 'dynamodb').id).toBe('loadOrdersStream');
    expect(consumerOfStreamEvent(ddb(streamArn('ecicomm-prod-orders')), 'dynamodb').id).toBe('loadOrdersStream');
    expect(consumerOfStreamEvent(ddb(streamArn('ecicomm-inventory')), 'dynamodb').id).toBe('loadInventoryStream');
    expect(consumerOfStreamEvent(ddb(streamArn('ecicomm-products')), 'dynamodb').id).toBe('loadProductsStream');
    expect(consumerOfStreamEvent(kinesis('arn:aws:kinesis:eu-west-2:123456789012:stream/ecicomm-clickstream'), 'kinesis').id).toBe('loadClickstream');
  });

  it('names no consumer for a table nobody consumes, even one whose name ends like a consumed one', () => {
    // product-skus ends with "skus", not "-products": no consumer reads it.
    expect(() => consumerOfStreamEvent(ddb(streamArn('ecicomm-product-skus')), 'dynamodb')).toThrow(/No stream consumer reads table ecicomm-product-skus/);
    expect(() => consumerOfStreamEvent(ddb(streamArn('ecicomm-carts')), 'dynamodb')).toThrow(/consumers: loadOrdersStream/);
  });

  it('refuses events that are not one stream’s records of the expected kind', () => {
    expect(() => consumerOfStreamEvent({ Records: [] }, 'dynamodb')).toThrow(/at least one record/);
    expect(() => consumerOfStreamEvent(ddb(streamArn('orders'), streamArn('inventory')), 'dynamodb')).toThrow(/same eventSourceARN/);
    expect(() => consumerOfStreamEvent(ddb(streamArn('orders')), 'kinesis')).toThrow(/eventSource "aws:kinesis"/);
    expect(() => consumerOfStreamEvent(kinesis('arn:aws:sqs:eu-west-2:1:q'), 'kinesis')).toThrow(/not a Kinesis stream ARN/);
  });
});
