import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logger } from '../../shared/observability';
import { settleOrders } from '../domain/settlement';
import {
  clock,
  orderRepository,
  paymentsGateway,
  settlementGraceSeconds,
  stepFunctionsSaga,
  stockGateway,
} from '../deps';
import type { SettlementDeps } from '../ports';

export const makeHandler = (deps: SettlementDeps) =>
  middy(async () => {
    const report = await settleOrders(deps);
    if (report.expired + report.stalled + report.payments > 0) logger.info('orders settled', { ...report });
    return report;
  }).use(injectLambdaContext(logger, { resetKeys: true }));

/** Runs on a schedule (EventBridge in AWS, a timer locally). */
export const handler = makeHandler({
  orders: orderRepository(),
  stock: stockGateway(),
  payments: paymentsGateway(),
  sagas: stepFunctionsSaga(),
  clock,
  graceSeconds: settlementGraceSeconds(),
});
