import { App } from 'aws-cdk-lib';
import {
  composeEciCommApp,
  corsOriginsFromContext,
  environmentFromContext,
  pipelineSourceFromContext,
  stageSettingsFromContext,
} from '../lib/stacks/eci-comm-app';

const app = new App();
composeEciCommApp(app, {
  env: environmentFromContext(app),
  pipelineSource: pipelineSourceFromContext(app),
  corsAllowedOrigins: corsOriginsFromContext(app),
  stages: stageSettingsFromContext(app),
});
