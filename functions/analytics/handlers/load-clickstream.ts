import { makeClickstreamHandler, type LoaderDeps } from './stream-loaders';
import { liveLoaderDeps } from '../deps';

/** Kinesis clickstream → user_behavior; ReportBatchItemFailures. */
export const makeHandler = (deps: LoaderDeps) => makeClickstreamHandler(deps);

export const handler = makeHandler(liveLoaderDeps());
