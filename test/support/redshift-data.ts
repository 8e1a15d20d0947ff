/**
 * The local Redshift Data API for tests: an emulator on a free port over an in-memory engine (or a directory),
 * with credentials of its own, the official client signed with them, and the adapter as the loaders (the admin
 * secret) or the readers (their IAM identity, no secret) use it. Every test that starts one stops it.
 */
import { randomBytes } from 'node:crypto';
import { RedshiftDataClient } from '@aws-sdk/client-redshift-data';
import { RedshiftDataWarehouse } from '../../functions/analytics/adapters/redshift-data-warehouse';
import { LOCAL_WAREHOUSE } from '@ecicomm/local-platform/analytics';
import { startRedshiftDataEmulator, type RedshiftDataEmulator } from '@ecicomm/local-platform/redshift-data/server';

export const TEST_REGION = 'eu-west-2';

export interface TestDataApi {
  emulator: RedshiftDataEmulator;
  credentials: { accessKeyId: string; secretAccessKey: string };
  client: RedshiftDataClient;
  /** The adapter as the loaders use it ('owner', with the admin secret) or the readers ('reader', without). */
  warehouse(as?: 'owner' | 'reader'): RedshiftDataWarehouse;
  stop(): Promise<void>;
}

export async function startTestDataApi(options: { dataDir?: string } = {}): Promise<TestDataApi> {
  const credentials = { accessKeyId: 'test', secretAccessKey: randomBytes(24).toString('base64url') };
  const emulator = await startRedshiftDataEmulator({
    port: 0,
    region: TEST_REGION,
    credentials,
    warehouse: LOCAL_WAREHOUSE,
    ...options,
  });
  const client = new RedshiftDataClient({
    region: TEST_REGION,
    endpoint: emulator.endpoint,
    credentials,
    maxAttempts: 1,
  });
  return {
    emulator,
    credentials,
    client,
    warehouse: (as = 'owner') =>
      new RedshiftDataWarehouse(client, {
        workgroupName: LOCAL_WAREHOUSE.workgroupName,
        database: LOCAL_WAREHOUSE.database,
        ...(as === 'owner' ? { secretArn: LOCAL_WAREHOUSE.adminSecretArn } : {}),
      }),
    stop: async () => {
      client.destroy();
      await emulator.stop();
    },
  };
}
