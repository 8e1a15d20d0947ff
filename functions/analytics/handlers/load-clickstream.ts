import { makeClickstreamHandler, type LoaderDeps } from '../loaders/handlers';
import { liveLoaderDeps } from '../loaders/warehouse-env';

/** Kinesis clickstream → user_behavior; ReportBatchItemFailures. */
export const makeHandler = (deps: LoaderDeps) => makeClickstreamHandler(deps);

export const handler = makeHandler(liveLoaderDeps());
