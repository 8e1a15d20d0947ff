/**
 * The image function: S3's ObjectCreated event for `uploads/` (a bucket notification in AWS, the local
 * substrate's object-event bus locally) runs the checks and the variants of each uploaded original.
 * A rejected upload is an outcome, not a failure; an error (S3 or DynamoDB unavailable) fails the invocation,
 * so S3's asynchronous invoke retries it, and the processing is safe to repeat.
 */
import type { S3Event } from 'aws-lambda';
import { logger } from '../../../shared/observability';
import { sharpCodec } from '../adapters/sharp-codec';
import { liveImageDeps } from '../deps';
import { processUpload, type ProcessOutcome } from '../domain/images';

type Deps = Parameters<typeof processUpload>[1];

/** S3 event keys are URL-encoded with `+` for spaces. */
const keyOf = (encoded: string) => decodeURIComponent(encoded.replace(/\+/g, ' '));

export const makeHandler = (deps: Deps) => async (event: S3Event) => {
  const outcomes: (ProcessOutcome & { key: string })[] = [];
  for (const record of event.Records) {
    const key = keyOf(record.s3.object.key);
    const outcome = await processUpload(key, deps);
    logger.info('product image processed', { key, ...outcome });
    outcomes.push({ key, ...outcome });
  }
  return { outcomes };
};

export const handler = makeHandler({ ...liveImageDeps({ publicBaseUrl: true }), codec: sharpCodec });
