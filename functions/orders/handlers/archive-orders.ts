import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logger } from '../../shared/observability';
import { archiveOrders, LeaseHeldError } from '../archive/archive-orders';
import { liveArchiveDeps } from '../archive/deps';
import type { ArchiveDeps } from '../archive/ports';

export const makeHandler = (deps: ArchiveDeps) =>
  middy(async () => {
    let report;
    try {
      report = await archiveOrders(deps);
    } catch (e) {
      // A run by hand (npm run archive) is at it: that is the work done, not a failed run to alarm on.
      if (!(e instanceof LeaseHeldError)) throw e;
      logger.info('archive skipped: another run holds the lease', { ...e.holder });
      return { skipped: e.message };
    }
    if (report.archived + report.changed + report.resumed > 0) logger.info('orders archived', { ...report });
    return report;
  }).use(injectLambdaContext(logger, { resetKeys: true }));

/** Runs on a schedule (EventBridge daily in AWS, a timer locally) and by hand (npm run archive). */
export const handler = makeHandler(liveArchiveDeps());
