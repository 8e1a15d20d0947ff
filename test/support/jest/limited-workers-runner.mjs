// jest's test runner with a project's own worker count (runnerOptions.maxWorkers): the integration files share
// one local platform and run one after another, in one worker process beside the process that hosts it.
import TestRunner from 'jest-runner';

export default class LimitedWorkersRunner extends TestRunner {
  constructor(globalConfig, context, options = {}) {
    super(
      { ...globalConfig, maxWorkers: Math.min(globalConfig.maxWorkers, options.maxWorkers ?? globalConfig.maxWorkers) },
      context,
      options,
    );
  }
}
