import { Validations, type App, type Environment } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { EciCommStage } from './platform-stack';
import { PipelineStack, type PipelineSource } from './pipeline-stack';

export interface EciCommAppConfig {
  /** Account and region; absent means environment-agnostic, which synthesises without credentials. */
  readonly env?: Environment;
  readonly pipelineSource: PipelineSource;
}

/**
 * The app's shape, shared by bin/app.ts and the infra tests: a Dev stage that engineers deploy by hand
 * (`npm run cdk -- deploy 'Dev/*'`), and the pipeline that deploys Prod from the repository.
 */
export function composeEciCommApp(app: App, config: EciCommAppConfig) {
  const dev = new EciCommStage(app, 'Dev', { env: config.env, namePrefix: 'ecicomm-dev' });
  const pipeline = new PipelineStack(app, 'EciCommPipeline', {
    env: config.env,
    source: config.pipelineSource,
    deployNamePrefix: 'ecicomm-prod',
  });
  // cdk-nag 3 runs as a validation plugin at synthesis: an unacknowledged finding fails `cdk synth`.
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return { dev, pipeline };
}

/** Reads the pipeline source from context: a connection when `ecicomm:connectionArn` is set, else CodeCommit. */
export function pipelineSourceFromContext(app: App): PipelineSource {
  const context = (key: string): string | undefined => {
    const value: unknown = app.node.tryGetContext(`ecicomm:${key}`);
    return typeof value === 'string' && value.length > 0 ? value : undefined;
  };
  const branch = context('branch') ?? 'main';
  const connectionArn = context('connectionArn');
  if (connectionArn) {
    const repository = context('repository');
    if (!repository?.includes('/'))
      throw new Error('ecicomm:repository must be owner/name when ecicomm:connectionArn is set');
    return { kind: 'connection', repository, branch, connectionArn };
  }
  return { kind: 'codecommit', repositoryName: context('repository') ?? 'ecicomm', branch };
}

/** Account and region from context, else the CLI's defaults; both or neither. */
export function environmentFromContext(app: App): Environment | undefined {
  const account = app.node.tryGetContext('ecicomm:account') ?? process.env.CDK_DEFAULT_ACCOUNT;
  const region = app.node.tryGetContext('ecicomm:region') ?? process.env.CDK_DEFAULT_REGION;
  return account && region ? { account: String(account), region: String(region) } : undefined;
}
