/**
 * `npm run generate-event -- dynamodb-stream` (lib/ops/events/dynamodb-stream.ts): every table a consumer reads the
 * stream of has a sample item, so each choice the CLI offers generates a record keyed as the table is.
 */
import { describe, expect, it } from '@jest/globals';
import { dynamodbStreamEvent } from '../../lib/ops/events/dynamodb-stream';
import { streamedTables } from '../../lib/table-streams';
import { tables } from '../../lib/tables';

describe('a generated DynamoDB stream record', () => {
  it.each([...streamedTables])('of the %s table carries its key in both images', (table) => {
    const [record] = dynamodbStreamEvent({ table, eventName: 'MODIFY' }).Records;
    const key = tables[table].partitionKey;
    expect(Object.keys(record.dynamodb!.Keys!)).toEqual([key]);
    expect(record.dynamodb!.NewImage![key]).toEqual(record.dynamodb!.Keys![key]);
    expect(record.dynamodb!.OldImage![key]).toEqual(record.dynamodb!.Keys![key]);
  });

  it('is refused for a table no consumer reads, naming those that are read', () => {
    expect(() => dynamodbStreamEvent({ table: 'carts', eventName: 'INSERT' })).toThrow(
      `No stream consumer reads table carts; tables: ${streamedTables.join(', ')}`,
    );
  });
});
