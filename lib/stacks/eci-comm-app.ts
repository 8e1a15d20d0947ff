import { Validations, type App, type Environment } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { EciCommStage } from './platform-stack';
import { PipelineStack, type PipelineSource } from './pipeline-stack';

export interface EciCommAppConfig {
  /** Account and region; absent means environment-agnostic, which synthesises without credentials. */
  readonly env?: Environment;
  readonly pipelineSource: PipelineSource;
  /** Browser origins allowed to call each stage's API (corsOriginsFromContext); none where absent. */
  readonly corsAllowedOrigins?: Partial<Record<StageName, readonly string[]>>;
}

/** The app's stages: Dev, deployed by hand, and Prod, deployed by the pipeline. */
export const STAGE_NAMES = ['Dev', 'Prod'] as const;
export type StageName = (typeof STAGE_NAMES)[number];

/**
 * The app's shape, shared by bin/app.ts and the infra tests: a Dev stage that engineers deploy by hand
 * (`npm run cdk -- deploy 'Dev/*'`), and the pipeline that deploys Prod from the repository.
 */
export function composeEciCommApp(app: App, config: EciCommAppConfig) {
  const dev = new EciCommStage(app, 'Dev', {
    env: config.env,
    namePrefix: 'ecicomm-dev',
    corsAllowedOrigins: config.corsAllowedOrigins?.Dev,
  });
  const pipeline = new PipelineStack(app, 'EciCommPipeline', {
    env: config.env,
    source: config.pipelineSource,
    deployNamePrefix: 'ecicomm-prod',
    deployCorsAllowedOrigins: config.corsAllowedOrigins?.Prod,
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
  // cdk.json may give the account id as a number: its digits are the id.
  const context = (key: string): string | undefined => {
    const value: unknown = app.node.tryGetContext(`ecicomm:${key}`);
    return typeof value === 'string' || typeof value === 'number' ? String(value) : undefined;
  };
  const account = context('account') ?? process.env.CDK_DEFAULT_ACCOUNT;
  const region = context('region') ?? process.env.CDK_DEFAULT_REGION;
  return account && region ? { account, region } : undefined;
}

/** The context key of the browser origins allowed to call each stage's API (CORS). */
export const CORS_ORIGINS_CONTEXT = 'ecicomm:corsAllowedOrigins';

/**
 * Reads `ecicomm:corsAllowedOrigins`: per stage, a list of origins or one comma-separated string, e.g.
 * `{"Dev": ["http://localhost:*"], "Prod": "https://shop.example.com"}` in cdk.json, or the same JSON on the
 * command line (`-c 'ecicomm:corsAllowedOrigins={"Prod":"https://shop.example.com"}'`). Each origin is checked
 * when the stage's API is built; a stage the app does not have is refused here, so a typo cannot go unnoticed.
 */
export function corsOriginsFromContext(app: App): Partial<Record<StageName, string[]>> {
  let value: unknown = app.node.tryGetContext(CORS_ORIGINS_CONTEXT);
  if (value === undefined) return {};
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value);
    } catch {
      throw new Error(
        `${CORS_ORIGINS_CONTEXT} must be an object of stage → origins, e.g. {"Prod": ["https://shop.example.com"]}`,
      );
    }
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new Error(
      `${CORS_ORIGINS_CONTEXT} must be an object of stage → origins, e.g. {"Prod": ["https://shop.example.com"]}`,
    );
  }
  const origins: Partial<Record<StageName, string[]>> = {};
  for (const [stage, list] of Object.entries(value as Record<string, unknown>)) {
    if (!(STAGE_NAMES as readonly string[]).includes(stage))
      throw new Error(`${CORS_ORIGINS_CONTEXT} names stage "${stage}"; the stages are ${STAGE_NAMES.join(', ')}`);
    const items: unknown = typeof list === 'string' ? list.split(',') : list;
    if (!Array.isArray(items) || items.some((o) => typeof o !== 'string')) {
      throw new Error(`${CORS_ORIGINS_CONTEXT}.${stage} must be a list of origins or one comma-separated string`);
    }
    origins[stage as StageName] = items.map((o: string) => o.trim()).filter((o) => o.length > 0);
  }
  return origins;
}
