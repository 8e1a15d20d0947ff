import { makeInventoryStreamHandler, type LoaderDeps } from '../loaders/handlers';
import { liveLoaderDeps } from '../loaders/warehouse-env';

/** Inventory table DynamoDB Stream → inventory_snapshots; ReportBatchItemFailures. */
export const makeHandler = (deps: LoaderDeps) => makeInventoryStreamHandler(deps);

export const handler = makeHandler(liveLoaderDeps());
