import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { pipelineSourceFromContext } from '../../lib/stacks/eci-comm-app';
import { PipelineStack, type PipelineSource } from '../../lib/stacks/pipeline-stack';

const CONNECTION_ARN = 'arn:aws:codeconnections:eu-west-1:111122223333:connection/0a1b2c3d-4e5f-6789-abcd-ef0123456789';

function synthPipeline(source: PipelineSource) {
  // No bundling, and CloudFormation's schema validation (4 s) runs once, in cdk-nag.test.ts.
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] }, builtinCloudFormationValidation: false });
  const stack = new PipelineStack(app, 'PipelineTest', { source, deployNamePrefix: 'ecicomm-test' });
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

  it('synthesises with npm run synth and deploys the platform stage', () => {
    const buildSpecs = JSON.stringify(fromCodeCommit.template.findResources('AWS::CodeBuild::Project'));
    expect(buildSpecs).toContain('npm run synth');
    expect(pipelineStages(fromCodeCommit.template).map((s) => s.Name)).toContain('Prod');
    expect(fromCodeCommit.stack.stage.platform.stackName).toBe('ecicomm-test-platform');
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
