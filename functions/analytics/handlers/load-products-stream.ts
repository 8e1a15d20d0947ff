import { makeProductsStreamHandler, type LoaderDeps } from '../loaders/handlers';
import { liveLoaderDeps } from '../loaders/warehouse-env';

/** Products table DynamoDB Stream → dim_products; ReportBatchItemFailures. */
export const makeHandler = (deps: LoaderDeps) => makeProductsStreamHandler(deps);

export const handler = makeHandler(liveLoaderDeps());
