import { Validations, type App, type Environment } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { z } from 'zod';
import { RATE_LIMITS_CONTEXT } from '../rate-limits';
import { EciCommStage, PARTNER_CLIENTS_CONTEXT } from './platform-stack';
import { PIPELINE_STAGES, PipelineStack, type PipelineSource } from './pipeline-stack';

export interface EciCommAppConfig {
  /** Account and region of the pipeline, and of every stage that names none; absent means environment-agnostic. */
  readonly env?: Environment;
  readonly pipelineSource: PipelineSource;
  /** Browser origins allowed to call each stage's API (corsOriginsFromContext); none where absent. */
  readonly corsAllowedOrigins?: Partial<Record<StageName, readonly string[]>>;
  /** Each stage's own settings (stageSettingsFromContext); the defaults of `defaultStageSettings` where absent. */
  readonly stages?: Partial<Record<StageName, StageSettings>>;
}

/** The app's stages: Dev, deployed by hand; Staging, then Prod, deployed by the pipeline. */
export const STAGE_NAMES = ['Dev', 'Staging', 'Prod'] as const;
export type StageName = (typeof STAGE_NAMES)[number];

/** What differs between stages, besides CORS, rate limits and partners (their own per-stage keys). */
export interface StageSettings {
  /** Where the stage deploys; the app's environment where absent. */
  readonly env?: Environment;
  /** Prefix of the stage's physical names, e.g. `ecicomm-staging`. */
  readonly namePrefix: string;
  /** Where the stage's alarms are mailed (an SNS e-mail subscription); nobody is mailed where absent. */
  readonly alarmEmail?: string;
  /** Whether the stage holds the smoke test's checkout product (lib/stacks/smoke-test-product.ts); never Prod. */
  readonly smokeTestProduct: boolean;
}

/** The settings of a stage that context does not mention. */
export const defaultStageSettings = (stage: StageName): StageSettings => ({
  namePrefix: `ecicomm-${stage.toLowerCase()}`,
  smokeTestProduct: stage !== 'Prod',
});

/**
 * The app's shape, shared by bin/app.ts and the infra tests: a Dev stage that engineers deploy by hand
 * (`npm run cdk -- deploy 'Dev/*'`), and the pipeline that deploys Staging, then Prod, from the repository.
 */
export function composeEciCommApp(app: App, config: EciCommAppConfig) {
  const settings = (stage: StageName) => {
    const { env, ...rest } = config.stages?.[stage] ?? defaultStageSettings(stage);
    return { ...rest, env: env ?? config.env, corsAllowedOrigins: config.corsAllowedOrigins?.[stage] };
  };
  for (const stage of PIPELINE_STAGES) checkPipelineStageEnv(stage, settings(stage).env, config.env);
  const dev = new EciCommStage(app, 'Dev', settings('Dev'));
  const pipeline = new PipelineStack(app, 'EciCommPipeline', {
    env: config.env,
    source: config.pipelineSource,
    stages: { Staging: settings('Staging'), Prod: settings('Prod') },
  });
  // cdk-nag 3 runs as a validation plugin at synthesis: an unacknowledged finding fails `cdk synth`.
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return { dev, pipeline };
}

/**
 * A stage the pipeline deploys may sit in another account, in the pipeline's region: CodePipeline needs the
 * pipeline's own account and region to deploy across accounts, and a stage in another region would need a
 * replication bucket there, which this app does not build. Said here, naming the keys, rather than by CDK later.
 */
function checkPipelineStageEnv(stage: string, env: Environment | undefined, pipelineEnv: Environment | undefined) {
  if (!env || (env.account === pipelineEnv?.account && env.region === pipelineEnv?.region)) return;
  if (!pipelineEnv?.account || !pipelineEnv.region)
    throw new Error(
      `${STAGES_CONTEXT}.${stage} names an account and region: give the pipeline's too (ecicomm:account, ecicomm:region)`,
    );
  if (env.region !== pipelineEnv.region)
    throw new Error(
      `${STAGES_CONTEXT}.${stage}.region is ${env.region}, the pipeline's ${pipelineEnv.region}: the pipeline deploys in its own region (another account is fine)`,
    );
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

/** The context key of each stage's own settings: where it deploys, its names, whom its alarms mail. */
export const STAGES_CONTEXT = 'ecicomm:stages';

/** One stage's entry of `ecicomm:stages`; each field optional, a field the schema does not know refused. */
const StageSettingsInput = z
  .strictObject({
    // A string: an account id may start with 0, which a JSON number would lose.
    account: z.string().regex(/^\d{12}$/, 'must be a 12-digit AWS account id, as a string'),
    region: z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d{1,2}$/, 'must be an AWS region such as eu-west-1'),
    namePrefix: z
      .string()
      .regex(/^[a-z][a-z0-9-]{2,40}$/, 'must be 3-41 lower-case letters, digits or dashes, starting with a letter'),
    alarmEmail: z.email('must be an e-mail address'),
    smokeTestProduct: z.boolean('must be true or false'),
  })
  .partial()
  .refine((s) => (s.account === undefined) === (s.region === undefined), {
    message: 'needs both account and region, or neither',
  });

const STAGE_FIELDS = Object.keys(StageSettingsInput.shape);

/**
 * Reads `ecicomm:stages`: per stage, `{account, region, namePrefix, alarmEmail, smokeTestProduct}`, each
 * optional (defaultStageSettings fills the rest; account and region together), in cdk.json or as JSON on the
 * command line. A stage the app does not have, a field it does not know, two stages with one name prefix, or a
 * Prod that would hold the smoke test's product is refused here, naming the key, before anything
 * is built. Also checks that the other per-stage keys name only stages the app has.
 */
export function stageSettingsFromContext(app: App): Record<StageName, StageSettings> {
  for (const key of [RATE_LIMITS_CONTEXT, PARTNER_CLIENTS_CONTEXT]) stageEntries(app, key);
  const entries = stageEntries(app, STAGES_CONTEXT);
  const settings = Object.fromEntries(
    STAGE_NAMES.map((stage) => {
      const parsed = StageSettingsInput.safeParse(entries[stage] ?? {});
      if (!parsed.success) {
        const [issue] = parsed.error.issues;
        const where = [STAGES_CONTEXT, stage, ...issue.path.map(String)].join('.');
        if (issue.code === 'unrecognized_keys')
          throw new Error(`${where} has no field ${issue.keys.join(', ')}; the fields are ${STAGE_FIELDS.join(', ')}`);
        throw new Error(`${where} ${issue.message}`);
      }
      const { account, region, ...rest } = parsed.data;
      const env = account && region ? { account, region } : undefined;
      return [stage, { ...defaultStageSettings(stage), ...rest, ...(env ? { env } : {}) }];
    }),
  ) as Record<StageName, StageSettings>;
  if (settings.Prod.smokeTestProduct)
    throw new Error(`${STAGES_CONTEXT}.Prod.smokeTestProduct must not be true: the smoke test never buys in Prod`);
  const prefixes = STAGE_NAMES.map((s) => settings[s].namePrefix);
  const shared = prefixes.find((p, i) => prefixes.indexOf(p) !== i);
  if (shared) throw new Error(`${STAGES_CONTEXT}: two stages have the namePrefix "${shared}"; each needs its own`);
  return settings;
}

/** A per-stage context key's value by stage (JSON text allowed), refusing a stage the app does not have. */
function stageEntries(app: App, key: string): Record<string, unknown> {
  let value: unknown = app.node.tryGetContext(key);
  if (value === undefined) return {};
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value);
    } catch {
      throw new Error(`${key} must be JSON: an object of stage → settings, e.g. {"Prod": {...}}`);
    }
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new Error(`${key} must be an object of stage → settings, e.g. {"Prod": {...}}`);
  for (const stage of Object.keys(value))
    if (!(STAGE_NAMES as readonly string[]).includes(stage))
      throw new Error(`${key} names stage "${stage}"; the stages are ${STAGE_NAMES.join(', ')}`);
  return value as Record<string, unknown>;
}
