import * as z from 'zod/mini';
import { dynamoDocumentClient } from '../shared/dynamo-client';
import { systemClock } from '../shared/clock';
import { parseEnv } from '../shared/env';
import { DynamoAuditTrail } from './adapters/dynamo-audit-trail';
import type { AuditDeps } from './ports';

export function liveAuditDeps(): AuditDeps {
  const { AUDIT_TABLE } = parseEnv(z.object({ AUDIT_TABLE: z.string().check(z.minLength(1)) }));
  return { trail: new DynamoAuditTrail(dynamoDocumentClient(), AUDIT_TABLE), clock: systemClock };
}
