// Node's jest environment, on an ordinary global object and with per-project timeouts. jest reads `testTimeout`
// from the global config only, and gives hooks the test timeout; the projects in jest.config.mjs need their own
// test and hook timeouts (an emulator-starting beforeAll may take longer than a unit test should). A timeout
// written on a test or hook wins.
import vm from 'node:vm';
import { TestEnvironment } from 'jest-environment-node';

export default class EnvironmentWithTimeouts extends TestEnvironment {
  constructor(config, context) {
    // The test's context gets an ordinary global object (Node's DONT_CONTEXTIFY) instead of one contextified from
    // jest's sandbox object: there every global lookup (Object, Array, Math…) went through an interceptor, and
    // CPU-bound code (zod, marshalling, the mapping of the whole dataset) ran several times slower than in Node.
    const createContext = vm.createContext;
    vm.createContext = () => createContext(vm.constants.DONT_CONTEXTIFY);
    try {
      super(config, context);
    } finally {
      vm.createContext = createContext;
    }
    // The integration platform runs in jest's own process, its handlers concurrently in per-invocation mode
    // (lib/local/lambda/invoke-store.ts), and workers inherit that process's environment but not its InvokeStore:
    // handlers a test calls run one at a time, as on Lambda's usual runtime, so not in that mode.
    delete this.global.process.env.AWS_LAMBDA_MAX_CONCURRENCY;
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
