import { makeInventoryStreamHandler, type LoaderDeps } from './stream-loaders';
import { liveLoaderDeps } from '../deps';

/** Inventory table DynamoDB Stream → inventory_snapshots; ReportBatchItemFailures. */
export const makeHandler = (deps: LoaderDeps) => makeInventoryStreamHandler(deps);

export const handler = makeHandler(liveLoaderDeps());
