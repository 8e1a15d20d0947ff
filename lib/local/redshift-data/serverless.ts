/**
 * The one Redshift Serverless control-plane call the platform makes: GetWorkgroup, which the public health check
 * asks instead of running SQL (functions/platform/adapters/probes.ts). The workgroup is AVAILABLE once its engine
 * is open; while the engine opens it is CREATING, and when its last opening failed (its directory held by another
 * process, say) MODIFYING: not serving. Asking opens the engine, as the first statement would.
 */
import type { Database } from './database';
import { DataApiError } from './errors';
import type { Action } from './actions';
import type { WarehouseTarget } from './types';

const ACCOUNT_ID = '000000000000';
const STATUS = { open: 'AVAILABLE', opening: 'CREATING', closed: 'CREATING', failed: 'MODIFYING' } as const;

export function createServerlessActions(
  database: Database,
  warehouse: WarehouseTarget,
  region: string,
): Record<string, Action> {
  return {
    GetWorkgroup: async (input) => {
      if (input.workgroupName !== warehouse.workgroupName) {
        throw new DataApiError(
          'ResourceNotFoundException',
          `Workgroup ${String(input.workgroupName)} not found.`,
          400,
          { message: `Workgroup ${String(input.workgroupName)} not found.` },
        );
      }
      if (database.state === 'closed' || database.state === 'failed') database.open().catch(() => undefined);
      return {
        workgroup: {
          workgroupName: warehouse.workgroupName,
          workgroupId: warehouse.workgroupName,
          workgroupArn: `arn:aws:redshift-serverless:${region}:${ACCOUNT_ID}:workgroup/${warehouse.workgroupName}`,
          namespaceName: warehouse.database,
          status: STATUS[database.state],
        },
      };
    },
  };
}
