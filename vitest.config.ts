import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // Local emulators are shared by a whole run: one global setup starts them and stops them by pid.
    projects: [
      { test: { name: 'unit', include: ['test/unit/**/*.test.ts'] } },
      { test: { name: 'infra', include: ['test/infra/**/*.test.ts'], testTimeout: 120_000 } },
      { test: { name: 'e2e', include: ['test/e2e/**/*.test.ts'], testTimeout: 240_000, hookTimeout: 60_000 } },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          globalSetup: ['test/integration/global-setup.ts'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
          // One local platform serves every file; files run one after another against it.
          fileParallelism: false,
        },
      },
    ],
  },
});
