import { makeProductsStreamHandler, type LoaderDeps } from './stream-loaders';
import { liveLoaderDeps } from '../deps';

/** Products table DynamoDB Stream → dim_products; ReportBatchItemFailures. */
export const makeHandler = (deps: LoaderDeps) => makeProductsStreamHandler(deps);

export const handler = makeHandler(liveLoaderDeps());
