// Stops the platform jest-global-setup.mjs started, after the last integration file, whether tests failed or not.
export default async function globalTeardown() {
  await globalThis.stopIntegrationPlatform?.();
}
