// Node's jest environment with per-project timeouts. Jest reads `testTimeout` from the global config only, and
// gives hooks the test timeout; the projects in jest.config.mjs need their own test and hook timeouts (an
// emulator-starting beforeAll may take longer than a unit test should). A timeout written on a test or hook wins.
import { TestEnvironment } from 'jest-environment-node';

export default class EnvironmentWithTimeouts extends TestEnvironment {
  constructor(config, context) {
    super(config, context);
    const { timeouts } = config.projectConfig.testEnvironmentOptions;
    // The node environment copies its options onto the test's global object: these are not for tests to read.
    delete this.global.timeouts;
    this.hookTimeout = timeouts.hook;
    // What jest.setTimeout() sets; jest-circus reads it when the run starts (a call in a test file still wins).
    this.global[Symbol.for('TEST_TIMEOUT_SYMBOL')] = timeouts.test;
  }

  handleTestEvent(event) {
    if (event.name === 'hook_start') event.hook.timeout ||= this.hookTimeout;
  }
}
