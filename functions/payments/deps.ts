import * as z from 'zod/mini';
import { dynamoDocumentClient, systemClock } from '../shared/clients';
import { parseEnv } from '../shared/env';
import { DynamoPaymentsLedger } from './adapters/dynamo-ledger';
import { TestPaymentGateway } from './adapters/test-gateway';
import type { PaymentsDeps } from './ports';

export function livePaymentsDeps(): PaymentsDeps {
  const { PAYMENTS_TABLE } = parseEnv(z.object({ PAYMENTS_TABLE: z.string() }));
  return {
    ledger: new DynamoPaymentsLedger(dynamoDocumentClient(), PAYMENTS_TABLE),
    gateway: new TestPaymentGateway(dynamoDocumentClient(), PAYMENTS_TABLE),
    clock: systemClock,
  };
}
