/**
 * `npm run ml:publish-popular -- --model DIR [--table NAME]`
 *
 * Writes a trained model's popularity ranking to the aggregates table as `recommendations#popular`:
 * what GET /v1/recommendations shows when the model endpoint cannot answer. Run it after training, next
 * to uploading model.tar.gz, so the fallback and the model come from the same data. The table is
 * `--table` or AGGREGATES_TABLE (e.g. `ecicomm-prod-aggregates`); credentials, region and endpoint come
 * from the usual AWS SDK settings (AWS_ENDPOINT_URL_DYNAMODB points it at DynamoDB Local).
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import {
  POPULAR_AGGREGATE_ID,
  POPULAR_AGGREGATE_SIZE,
  writePopularAggregate,
} from '../functions/recommendations/adapters/dynamo-popular';
import { loadArtifact } from '../ml/src/serve/artifact';

const usage = 'usage: npm run ml:publish-popular -- --model DIR [--table NAME]   (or AGGREGATES_TABLE)';
const { values } = parseArgs({ options: { model: { type: 'string' }, table: { type: 'string' } } });
const table = values.table ?? process.env.AGGREGATES_TABLE;
if (!values.model || !table) {
  console.error(usage);
  process.exit(2);
}
const model = await loadArtifact(path.resolve(values.model));
const client = new DynamoDBClient({});
await writePopularAggregate(DynamoDBDocumentClient.from(client), table, {
  items: model.popularity,
  modelVersion: model.version,
  computedAt: model.trainedAt,
});
client.destroy();
console.log(
  `wrote ${Math.min(POPULAR_AGGREGATE_SIZE, model.popularity.length)} products of ${model.version} to ${table} as ${POPULAR_AGGREGATE_ID}`,
);
