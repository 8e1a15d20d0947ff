import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logger } from '../../shared/observability';
import { reservationStore } from '../../inventory/deps';
import { livePaymentsDeps } from '../../payments/deps';
import { sweepExpiredReservations } from '../domain/sweeper';
import { clock, orderRepository } from '../deps';

const deps = { reservations: reservationStore(), orders: orderRepository(), payments: livePaymentsDeps(), clock };

/** Runs on a schedule (EventBridge in AWS, a timer locally). */
export const handler = middy(async () => sweepExpiredReservations(deps)).use(injectLambdaContext(logger, { resetKeys: true }));
