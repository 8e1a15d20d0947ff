// jest's global setup for the integration project: starts the one local platform (global-setup.ts) in jest's
// own process, where tsx loads the TypeScript (middy is ESM-only; jest would load this file as CommonJS).
// The test files run in a worker forked after this: they read what the platform is from an environment variable
// (test/support/api.ts `platform()`). The teardown finds `stop` on the global object, which jest keeps for it.
import { tsImport } from 'tsx/esm/api';

export default async function globalSetup() {
  const { default: setup } = await tsImport('./global-setup.ts', import.meta.url);
  const { platform, stop } = await setup();
  process.env.ECICOMM_TEST_PLATFORM = JSON.stringify(platform);
  globalThis.stopIntegrationPlatform = stop;
}
