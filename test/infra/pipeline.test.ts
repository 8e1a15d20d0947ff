import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from '@jest/globals';
import {
  composeEciCommApp,
  defaultStageSettings,
  environmentFromContext,
  pipelineSourceFromContext,
  stageSettingsFromContext,
} from '../../lib/stacks/eci-comm-app';
import { PipelineStack, type PipelineSource, type PipelineStackProps } from '../../lib/stacks/pipeline-stack';

const CONNECTION_ARN = 'arn:aws:codeconnections:eu-west-1:111122223333:connection/0a1b2c3d-4e5f-6789-abcd-ef0123456789';

const STAGES: PipelineStackProps['stages'] = {
  Staging: { namePrefix: 'ecicomm-test-staging', alarmEmail: 'staging-oncall@example.com', smokeTestProduct: true },
  Prod: { namePrefix: 'ecicomm-test-prod', alarmEmail: 'oncall@example.com', smokeTestProduct: false },
};

function synthPipeline(source: PipelineSource, options: Partial<PipelineStackProps> = {}) {
  // No bundling, and CloudFormation's schema validation (4 s) runs once, in cdk-nag.test.ts.
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] }, builtinCloudFormationValidation: false });
  const stack = new PipelineStack(app, 'PipelineTest', { source, stages: STAGES, ...options });
  return { stack, assembly: app.synth(), template: Template.fromStack(stack) };
}

let fromConnection: ReturnType<typeof synthPipeline>;
let fromCodeCommit: ReturnType<typeof synthPipeline>;

beforeAll(() => {
  fromConnection = synthPipeline({
    kind: 'connection',
    repository: 'acme/ecicomm',
    branch: 'main',
    connectionArn: CONNECTION_ARN,
  });
  fromCodeCommit = synthPipeline({ kind: 'codecommit', repositoryName: 'ecicomm', branch: 'release' });
});

const pipelineStages = (template: Template): { Name: string; Actions: any[] }[] => {
  const pipelines = Object.values(template.findResources('AWS::CodePipeline::Pipeline'));
  expect(pipelines).toHaveLength(1);
  return pipelines[0].Properties.Stages;
};
const sourceActions = (template: Template) => pipelineStages(template).find((s) => s.Name === 'Source')!.Actions;
const synthAction = (template: Template) => pipelineStages(template).find((s) => s.Name === 'Build')!.Actions[0];
/** The CodeBuild project a pipeline action runs. */
const buildProject = (template: Template, action: { Configuration: { ProjectName: { Ref: string } } }) =>
  template.toJSON().Resources[action.Configuration.ProjectName.Ref];
const buildSpecOf = (project: { Properties: { Source: { BuildSpec: string } } }) =>
  JSON.parse(project.Properties.Source.BuildSpec);

describe('delivery pipeline', () => {
  it('synthesises offline: no context lookups are left missing', () => {
    expect(fromConnection.assembly.manifest.missing ?? []).toEqual([]);
    expect(fromCodeCommit.assembly.manifest.missing ?? []).toEqual([]);
  });

  it('takes the source from a CodeStar connection when given one', () => {
    const [action] = sourceActions(fromConnection.template);
    expect(action.ActionTypeId.Provider).toBe('CodeStarSourceConnection');
    expect(action.Configuration).toMatchObject({
      ConnectionArn: CONNECTION_ARN,
      FullRepositoryId: 'acme/ecicomm',
      BranchName: 'main',
    });
  });

  it('takes the source from CodeCommit otherwise', () => {
    const [action] = sourceActions(fromCodeCommit.template);
    expect(action.ActionTypeId.Provider).toBe('CodeCommit');
    expect(action.Configuration).toMatchObject({ RepositoryName: 'ecicomm', BranchName: 'release' });
  });

  it('runs Source, Build (the synth step), UpdatePipeline, Assets, Staging, then Prod', () => {
    expect(pipelineStages(fromCodeCommit.template).map((s) => s.Name)).toEqual([
      'Source',
      'Build',
      'UpdatePipeline',
      'Assets',
      'Staging',
      'Prod',
    ]);
  });

  it('runs the whole test suite before synthesising, on a large standard:7.0 image with Java 17 for DynamoDB Local', () => {
    const synth = buildProject(fromCodeCommit.template, synthAction(fromCodeCommit.template));
    expect(synth.Properties.Environment).toMatchObject({
      Image: 'aws/codebuild/standard:7.0',
      ComputeType: 'BUILD_GENERAL1_LARGE',
    });
    expect(synth.Properties.TimeoutInMinutes).toBeGreaterThanOrEqual(60);
    const spec = buildSpecOf(synth);
    expect(spec.phases.install['runtime-versions']).toEqual({ nodejs: 22, java: 'corretto17' });
    const commands = [...spec.phases.install.commands, ...spec.phases.build.commands];
    expect(commands).toEqual(['npm ci', 'npm test', 'npm run synth']);
  });

  it('holds Prod behind a manual approval that runs before its stack is deployed; Staging has none', () => {
    const stages = pipelineStages(fromCodeCommit.template);
    const prod = stages.find((s) => s.Name === 'Prod')!.Actions;
    const approvals = prod.filter((a) => a.ActionTypeId.Category === 'Approval');
    expect(approvals).toHaveLength(1);
    const deploys = prod.filter((a) => a.ActionTypeId.Provider === 'CloudFormation');
    expect(deploys.map((a) => a.Configuration.StackName)).toContain('ecicomm-test-prod-platform');
    for (const deploy of deploys) expect(approvals[0].RunOrder).toBeLessThan(deploy.RunOrder);
    const staging = stages.find((s) => s.Name === 'Staging')!.Actions;
    expect(staging.filter((a) => a.ActionTypeId.Category === 'Approval')).toEqual([]);
  });

  it("smoke-tests each stage after its deploy, against the stage's ApiUrl output; read-only in Prod", () => {
    const { template, stack } = fromCodeCommit;
    for (const [name, flags] of [
      ['Staging', ''],
      ['Prod', ' --no-checkout'],
    ] as const) {
      const actions = pipelineStages(template).find((s) => s.Name === name)!.Actions;
      const execute = actions.find((a) => a.Configuration.ActionMode === 'CHANGE_SET_EXECUTE')!;
      const smoke = actions.find((a) => a.Name === 'SmokeTest')!;
      expect(smoke.RunOrder).toBeGreaterThan(execute.RunOrder);
      const stackArtifact = stack.stages[name].platform.artifactId;
      expect(execute.Namespace).toBe(stackArtifact);
      expect(JSON.parse(smoke.Configuration.EnvironmentVariables)).toEqual([
        { name: 'API_URL', type: 'PLAINTEXT', value: `#{${stackArtifact}.ApiUrl}` },
      ]);
      const spec = buildSpecOf(buildProject(template, smoke));
      expect(spec.phases.build.commands).toEqual([`npm run smoke -- --api-url "$API_URL"${flags}`]);
    }
  });

  it('deploys each stage under its own name prefix, and seeds the smoke test product in Staging only', () => {
    const { stages } = fromCodeCommit.stack;
    expect(stages.Staging.platform.stackName).toBe('ecicomm-test-staging-platform');
    expect(stages.Prod.platform.stackName).toBe('ecicomm-test-prod-platform');
    // The per-stage context keys (ecicomm:rateLimits, partnerClients, corsAllowedOrigins) are looked up by this name.
    expect([stages.Staging.stageName, stages.Prod.stageName]).toEqual(['Staging', 'Prod']);
    const seeds = (name: 'Staging' | 'Prod') =>
      Template.fromStack(stages[name].platform.downstream).findResources('Custom::SmokeTestProduct');
    expect(Object.keys(seeds('Prod'))).toEqual([]);
    const [seed] = Object.values(seeds('Staging'));
    const create = JSON.stringify(seed.Properties.Create);
    for (const table of ['products', 'productSkus', 'inventory']) expect(create).toContain(table);
    expect(create).toContain('smoke-test-product');
  });

  it('deploys a stage into another account through a cross-account role, its artifacts under a KMS key', () => {
    const crossAccount = synthPipeline(
      { kind: 'codecommit', repositoryName: 'ecicomm', branch: 'main' },
      {
        env: { account: '111111111111', region: 'eu-west-1' },
        stages: { ...STAGES, Prod: { ...STAGES.Prod, env: { account: '333333333333', region: 'eu-west-1' } } },
      },
    );
    const prod = pipelineStages(crossAccount.template).find((s) => s.Name === 'Prod')!.Actions;
    const deploy = prod.find((a) => a.Configuration.ActionMode === 'CHANGE_SET_REPLACE')!;
    expect(JSON.stringify(deploy.RoleArn)).toContain('333333333333');
    const pipeline = Object.values(crossAccount.template.findResources('AWS::CodePipeline::Pipeline'))[0];
    expect(pipeline.Properties.ArtifactStore.EncryptionKey.Type).toBe('KMS');
  });
});

describe('pipeline source from context', () => {
  const contextOf = (context: Record<string, string>) => pipelineSourceFromContext(new App({ context }));

  it('defaults to the CodeCommit repository ecicomm on main', () => {
    expect(contextOf({})).toEqual({ kind: 'codecommit', repositoryName: 'ecicomm', branch: 'main' });
  });

  it('uses a connection when ecicomm:connectionArn is set', () => {
    expect(
      contextOf({
        'ecicomm:connectionArn': CONNECTION_ARN,
        'ecicomm:repository': 'acme/shop',
        'ecicomm:branch': 'prod',
      }),
    ).toEqual({ kind: 'connection', repository: 'acme/shop', branch: 'prod', connectionArn: CONNECTION_ARN });
  });

  it('refuses a connection without an owner/name repository', () => {
    expect(() => contextOf({ 'ecicomm:connectionArn': CONNECTION_ARN })).toThrow(/owner\/name/);
  });
});

describe('stage settings from context', () => {
  const settingsOf = (context: Record<string, unknown>) => stageSettingsFromContext(new App({ context }));
  const stages = (value: unknown) => settingsOf({ 'ecicomm:stages': value });

  it('gives each stage a name prefix of its own and the smoke test product outside Prod by default', () => {
    expect(settingsOf({})).toEqual({
      Dev: { namePrefix: 'ecicomm-dev', smokeTestProduct: true },
      Staging: { namePrefix: 'ecicomm-staging', smokeTestProduct: true },
      Prod: { namePrefix: 'ecicomm-prod', smokeTestProduct: false },
    });
    expect(defaultStageSettings('Prod').smokeTestProduct).toBe(false);
  });

  it('reads account, region, name prefix and alarm e-mail per stage, from cdk.json or JSON on the command line', () => {
    const prod = {
      account: '012345678901',
      region: 'eu-west-1',
      namePrefix: 'shop-prod',
      alarmEmail: 'ops@example.com',
    };
    expect(stages({ Prod: prod }).Prod).toEqual({
      env: { account: '012345678901', region: 'eu-west-1' },
      namePrefix: 'shop-prod',
      alarmEmail: 'ops@example.com',
      smokeTestProduct: false,
    });
    expect(stages(JSON.stringify({ Staging: { alarmEmail: 'qa@example.com' } })).Staging.alarmEmail).toBe(
      'qa@example.com',
    );
  });

  it('refuses what it cannot deploy, naming the key', () => {
    expect(() => stages({ Production: {} })).toThrow(
      'ecicomm:stages names stage "Production"; the stages are Dev, Staging, Prod',
    );
    expect(() => stages({ Prod: { alarmMail: 'ops@example.com' } })).toThrow(
      'ecicomm:stages.Prod has no field alarmMail; the fields are account, region, namePrefix, alarmEmail, smokeTestProduct',
    );
    expect(() => stages({ Prod: { account: 12345678901, region: 'eu-west-1' } })).toThrow(
      /ecicomm:stages\.Prod\.account .*string/,
    );
    expect(() => stages({ Prod: { account: '123456789012' } })).toThrow(/needs both account and region/);
    expect(() => stages({ Staging: { region: 'Ireland', account: '123456789012' } })).toThrow(
      /ecicomm:stages\.Staging\.region must be an AWS region/,
    );
    expect(() => stages({ Prod: { alarmEmail: 'ops' } })).toThrow(/ecicomm:stages\.Prod\.alarmEmail must be an e-mail/);
    expect(() => stages({ Prod: { namePrefix: 'Shop' } })).toThrow(/ecicomm:stages\.Prod\.namePrefix must be 3-41/);
    expect(() => stages({ Prod: { smokeTestProduct: true } })).toThrow(/the smoke test never buys in Prod/);
    expect(() => stages({ Staging: { namePrefix: 'ecicomm-prod' } })).toThrow(/two stages have the namePrefix/);
    expect(() => stages('{"Prod":')).toThrow(/ecicomm:stages must be JSON/);
  });

  it('refuses a per-stage rate limit or partner list for a stage the app does not have', () => {
    expect(() => settingsOf({ 'ecicomm:rateLimits': { staging: {} } })).toThrow(
      'ecicomm:rateLimits names stage "staging"; the stages are Dev, Staging, Prod',
    );
    expect(() => settingsOf({ 'ecicomm:partnerClients': { Production: ['acme'] } })).toThrow(
      /ecicomm:partnerClients names stage "Production"/,
    );
  });

  it("refuses a pipeline stage in another region than the pipeline's, or with an account when the pipeline has none", () => {
    const compose = (context: Record<string, unknown>) => {
      const app = new App({ context: { 'aws:cdk:bundling-stacks': [], ...context } });
      composeEciCommApp(app, {
        env: environmentFromContext(app),
        pipelineSource: { kind: 'codecommit', repositoryName: 'ecicomm', branch: 'main' },
        stages: stageSettingsFromContext(app),
      });
    };
    const prodIn = (region: string) => ({ Prod: { account: '333333333333', region } });
    expect(() =>
      compose({
        'ecicomm:account': '111111111111',
        'ecicomm:region': 'eu-west-1',
        'ecicomm:stages': prodIn('us-east-1'),
      }),
    ).toThrow(
      "ecicomm:stages.Prod.region is us-east-1, the pipeline's eu-west-1: the pipeline deploys in its own region",
    );
    expect(() => compose({ 'ecicomm:stages': prodIn('eu-west-1') })).toThrow(
      "ecicomm:stages.Prod names an account and region: give the pipeline's too (ecicomm:account, ecicomm:region)",
    );
  });
});
