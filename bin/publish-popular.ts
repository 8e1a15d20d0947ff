/**
 * `npm run ml:publish-popular -- --model DIR [--table NAME]`
 *
 * Writes a trained model's popularity ranking to the aggregates table as `recommendations#popular`:
 * what GET /v1/recommendations shows when the model endpoint cannot answer. Run it after training, next
 * to uploading model.tar.gz, so the fallback and the model come from the same data. The table is
 * `--table` or AGGREGATES_TABLE (e.g. `ecicomm-prod-aggregates`); credentials, region and endpoint come
 * from the usual AWS SDK settings (AWS_ENDPOINT_URL_DYNAMODB points it at DynamoDB Local).
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import {
  POPULAR_AGGREGATE_ID,
  POPULAR_AGGREGATE_SIZE,
  writePopularAggregate,
} from '../functions/recommendations/adapters/dynamo-popular';
import { ArtifactError, loadArtifact } from '../ml/src/serve/artifact';
import { command, usageError, EXIT, fail, inputDirectory } from './cli';

const program = command(
  'npm run ml:publish-popular --',
  "Write a trained model's popularity ranking to the aggregates table: what GET /v1/recommendations shows when the model endpoint cannot answer",
)
  .requiredOption('--model <dir>', 'the trained model: DIR/model.json, as npm run ml:train writes it')
  .option('--table <name>', 'the aggregates table (default: AGGREGATES_TABLE), e.g. ecicomm-prod-aggregates')
  .addHelpText(
    'after',
    "\nAWS credentials, region and endpoint come from the SDK's settings (AWS_ENDPOINT_URL_DYNAMODB for DynamoDB Local).\n" +
      'exit codes: 0 written, 1 the write failed, 2 bad usage or no readable model',
  )
  .parse();
const values = program.opts<{ model: string; table?: string }>();
const table = values.table ?? process.env.AGGREGATES_TABLE;
if (!table) usageError(program, 'name the table: --table NAME or AGGREGATES_TABLE');
const model = await loadArtifact(inputDirectory(values.model, 'model folder')).catch((e: unknown) =>
  e instanceof ArtifactError ? fail(e.message) : Promise.reject(e as Error),
);
const client = new DynamoDBClient({});
try {
  await writePopularAggregate(DynamoDBDocumentClient.from(client), table, {
    items: model.popularity,
    modelVersion: model.version,
    computedAt: model.trainedAt,
  });
  console.log(
    `wrote ${Math.min(POPULAR_AGGREGATE_SIZE, model.popularity.length)} products of ${model.version} to ${table} as ${POPULAR_AGGREGATE_ID}`,
  );
} catch (e) {
  console.error(`could not write to ${table}: ${(e as Error).message}`);
  process.exitCode = EXIT.failed;
} finally {
  client.destroy();
}
