// jest 30 in ESM mode (middy 7 is ESM-only): npm scripts start it with `node --experimental-vm-modules`.
// Test files import their API from @jest/globals; dependencies are injected, not mocked.

/** TypeScript to ES modules with swc: types are stripped, not checked (`npm test` runs tsc first). */
const transform = {
  '^.+\\.ts$': [
    '@swc/jest',
    {
      jsc: { parser: { syntax: 'typescript' }, target: 'es2023', experimental: { keepImportAttributes: true } },
      module: { type: 'es6' },
    },
  ],
};

/** Test and hook timeouts per project (test/support/jest/environment.mjs applies them). */
const project = (name, timeouts, options = {}) => ({
  displayName: name,
  testMatch: [`<rootDir>/test/${name}/**/*.test.ts`],
  testEnvironment: '<rootDir>/test/support/jest/environment.mjs',
  testEnvironmentOptions: { timeouts },
  injectGlobals: false,
  extensionsToTreatAsEsm: ['.ts'],
  moduleFileExtensions: ['ts', 'js', 'mjs', 'cjs', 'json'],
  transform,
  ...options,
});

/**
 * jest's runner with at most this many worker processes for a project's files. Projects with the same runner and
 * options form one group; the groups run one after another.
 */
const workers = (maxWorkers, group) => ({
  runner: ['<rootDir>/test/support/jest/limited-workers-runner.mjs', { maxWorkers, ...(group ? { group } : {}) }],
});

/** @type {import('jest').Config} */
export default {
  // At most two files at a time, and two only where they start nothing: files that start emulators or a whole
  // platform time out when two share this machine's cores, while the infra files only synthesise the CDK app (CPU
  // alone, a minute and a half one at a time). In worker processes, not jest's own, which hosts the integration
  // platform; a worker that holds on to more memory than this after a file is replaced (each file loads its own
  // modules).
  maxWorkers: 2,
  workerIdleMemoryLimit: '1GB',
  testSequencer: '<rootDir>/test/support/jest/sequencer.mjs',
  projects: [
    project('unit', { test: 5_000, hook: 10_000 }, workers(1)),
    project('infra', { test: 120_000, hook: 60_000 }, workers(2)),
    project('e2e', { test: 240_000, hook: 60_000 }, workers(1)),
    // One local platform serves every integration file: started once by the global setup, stopped by pid
    // however the run ends; the files run one after another against it, in one worker.
    project(
      'integration',
      { test: 60_000, hook: 120_000 },
      {
        globalSetup: '<rootDir>/test/integration/jest-global-setup.mjs',
        globalTeardown: '<rootDir>/test/integration/jest-global-teardown.mjs',
        ...workers(1, 'integration'),
      },
    ),
  ],
};
