import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import * as z from 'zod/mini';
import { parseEnv } from '../../shared/env';
import { logger } from '../../shared/observability';
import { reconcilePayments } from '../domain/reconcile';
import { livePaymentsDeps } from '../deps';
import type { PaymentsDeps } from '../ports';

/** A mismatch found: the run fails, so the job's error alarm tells an operator the same day. */
export class PaymentMismatchesFound extends Error {
  constructor(readonly count: number) {
    super(`${count} payment mismatch(es) between the gateway, the ledger and the orders`);
    this.name = 'PaymentMismatchesFound';
  }
}

export const makeHandler = (deps: PaymentsDeps, graceSeconds: number) =>
  middy(async () => {
    const { mismatches, checked } = await reconcilePayments(deps, graceSeconds);
    for (const mismatch of mismatches) logger.error('payment mismatch', { ...mismatch });
    logger.info('payments reconciled', { ...checked, mismatches: mismatches.length });
    if (mismatches.length) throw new PaymentMismatchesFound(mismatches.length);
    return { ...checked, mismatches: 0 };
  }).use(injectLambdaContext(logger, { resetKeys: true }));

/** Orders touched within the last hour are still in flight (settlement runs every minute). */
const env = parseEnv(z.object({ RECONCILE_GRACE_SECONDS: z._default(z.coerce.number().check(z.minimum(0)), 3600) }));
export const handler = makeHandler(livePaymentsDeps(), env.RECONCILE_GRACE_SECONDS);
