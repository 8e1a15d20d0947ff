import { requireGroup } from '../../shared/auth';
import { httpHandler, json, parse, query } from '../../shared/http';
import { isStartKeyRejection } from '../../shared/pagination';
import { invalid } from '../../shared/errors';
import { listAudit } from '../domain/trail';
import { liveAuditDeps } from '../deps';
import type { AuditDeps } from '../ports';
import { AuditQuery } from '../schemas';

/** GET /v1/audit: the recent trail, admins only, newest first. */
export const makeHandler = (deps: AuditDeps) =>
  httpHandler(async (event) => {
    requireGroup(event, 'admin');
    const input = parse(AuditQuery, query(event));
    try {
      return json(200, await listAudit(input, deps));
    } catch (error) {
      if (isStartKeyRejection(error))
        throw invalid('Cursor is not valid', [
          { path: 'cursor', message: 'Not a cursor this API issued for this query' },
        ]);
      throw error;
    }
  });

export const handler = makeHandler(liveAuditDeps());
