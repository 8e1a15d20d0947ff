import { makeOrdersStreamHandler, type LoaderDeps } from './stream-loaders';
import { liveLoaderDeps } from '../deps';

/** Orders table DynamoDB Stream (NEW_AND_OLD_IMAGES) → sales_facts; ReportBatchItemFailures. */
export const makeHandler = (deps: LoaderDeps) => makeOrdersStreamHandler(deps);

export const handler = makeHandler(liveLoaderDeps());
