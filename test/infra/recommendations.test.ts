import { App, CfnElement, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { beforeAll, describe, expect, it } from '@jest/globals';
import { Recommendations } from '../../lib/contexts/recommendations';
import { EciCommStack } from '../../lib/stacks/platform-stack';
import { logicalIdOf, referenceFrom, resourcesByStack } from '../support/cdk-templates';

type CfnResource = { Type: string; Properties: Record<string, any>; DependsOn?: string[] };
type Statement = { Action: string | string[]; Resource: unknown; Effect: string };

let stack: EciCommStack;
let template: { Resources: Record<string, CfnResource>; Parameters: Record<string, any>; Outputs: Record<string, any> };

const logicalId = (construct: IConstruct) =>
  stack.getLogicalId((construct instanceof CfnElement ? construct : construct.node.defaultChild) as CfnElement);
const ofType = (type: string) => Object.entries(template.Resources).filter(([, r]) => r.Type === type);
const actionsOf = (s: Statement) => [s.Action].flat();
const resourcesOf = (s: Statement) => [s.Resource].flat();
const statementsOfRole = (roleId: string): Statement[] =>
  Object.values(template.Resources)
    .filter((r) => r.Type === 'AWS::IAM::Policy' && JSON.stringify(r.Properties.Roles).includes(`"${roleId}"`))
    .flatMap((r) => r.Properties.PolicyDocument.Statement as Statement[]);

beforeAll(() => {
  // No bundling, and CloudFormation's schema validation (4 s) runs once, in cdk-nag.test.ts.
  const app = new App({
    context: {
      'aws:cdk:bundling-stacks': [],
      'ecicomm:recommendationsModelDataVariantA': 's3://ecicomm-models/recs/2011-12-01/model.tar.gz',
    },
    builtinCloudFormationValidation: false,
  });
  stack = new EciCommStack(app, 'RecommendationsTest', { namePrefix: 'ecicomm-test' });
  template = Template.fromStack(stack).toJSON() as typeof template;
});

describe('the SageMaker model, endpoint config and endpoint', () => {
  it('runs one model per production variant: the model server image from ECR, each with its own model data, network-isolated', () => {
    const models = ofType('AWS::SageMaker::Model');
    expect(models.map(([id]) => id).sort()).toEqual([...stack.recommendations.models.values()].map(logicalId).sort());
    expect(models).toHaveLength(2);
    const repository = { Ref: 'RecommendationsImageRepository' };
    const tag = { Ref: 'RecommendationsImageTag' };
    for (const [name, model] of stack.recommendations.models) {
      const props = template.Resources[logicalId(model)].Properties;
      expect(props.ExecutionRoleArn).toEqual({ 'Fn::GetAtt': [logicalId(stack.recommendations.executionRole), 'Arn'] });
      expect(props.EnableNetworkIsolation).toBe(true);
      const image = JSON.stringify(props.PrimaryContainer.Image);
      expect(image).toContain(JSON.stringify(repository));
      expect(image).toContain(JSON.stringify(tag));
      expect(image).toContain('.dkr.ecr.');
      expect(props.PrimaryContainer.ModelDataUrl).toEqual({ Ref: `RecommendationsModelData${name}` });
      expect(props.PrimaryContainer.Environment).toEqual({ MODEL_VARIANT: name });
    }
  });

  it('takes the image and the model data as parameters, defaulted from context, checked for shape, built at no synth', () => {
    const p = template.Parameters;
    expect(p.RecommendationsImageRepository).toMatchObject({ Type: 'String', Default: 'ecicomm-recommendations' });
    expect(p.RecommendationsImageTag).toMatchObject({ Type: 'String', Default: 'latest' });
    expect(p.RecommendationsModelDataVariantA).toMatchObject({
      Type: 'String',
      Default: 's3://ecicomm-models/recs/2011-12-01/model.tar.gz',
    });
    expect(p.RecommendationsModelDataVariantB.Default).toBeUndefined();
    const s3 = new RegExp(p.RecommendationsModelDataVariantA.AllowedPattern);
    expect(s3.test('s3://ecicomm-models/recs/model.tar.gz')).toBe(true);
    expect(s3.test('https://ecicomm-models.s3.amazonaws.com/recs/model.tar.gz')).toBe(false);
    expect(new RegExp(p.RecommendationsImageTag.AllowedPattern).test('2011-12-01.blend.3f9a1c')).toBe(true);
    // No image asset: nothing is built (Docker does not run here) and nothing is uploaded at deploy.
    expect(JSON.stringify(template)).not.toMatch(/cdk-hnb659fds-container-assets/);
  });

  it('splits traffic between two production variants by weight (A/B), each starting on one instance', () => {
    const [[, config]] = ofType('AWS::SageMaker::EndpointConfig') as [[string, CfnResource]];
    expect(ofType('AWS::SageMaker::EndpointConfig')).toHaveLength(1);
    const variants = config.Properties.ProductionVariants as Record<string, any>[];
    expect(variants.map((v) => [v.VariantName, v.InitialVariantWeight, v.InitialInstanceCount])).toEqual([
      ['VariantA', 0.9, 1],
      ['VariantB', 0.1, 1],
    ]);
    for (const v of variants) {
      expect(v.ModelName).toEqual({
        'Fn::GetAtt': [logicalId(stack.recommendations.models.get(v.VariantName)!), 'ModelName'],
      });
      expect(v.InstanceType).toMatch(/^ml\./);
    }
  });

  it('creates the endpoint, named after the stage, from that config', () => {
    const endpoint = template.Resources[logicalId(stack.recommendations.endpoint)];
    expect(ofType('AWS::SageMaker::Endpoint')).toHaveLength(1);
    expect(endpoint.Properties).toEqual({
      EndpointName: 'ecicomm-test-recommendations',
      EndpointConfigName: { 'Fn::GetAtt': [logicalId(stack.recommendations.endpointConfig), 'EndpointConfigName'] },
    });
    expect(template.Outputs.RecommendationsEndpointName.Value).toEqual({
      'Fn::GetAtt': [logicalId(stack.recommendations.endpoint), 'EndpointName'],
    });
  });
});

describe('autoscaling', () => {
  it('keeps each variant between 1 and 4 instances through its service-linked role', () => {
    const targets = ofType('AWS::ApplicationAutoScaling::ScalableTarget');
    expect(targets).toHaveLength(2);
    for (const [name, target] of stack.recommendations.scalableTargets) {
      const props = template.Resources[logicalId(target)].Properties;
      expect(props).toMatchObject({
        ServiceNamespace: 'sagemaker',
        ScalableDimension: 'sagemaker:variant:DesiredInstanceCount',
        MinCapacity: 1,
        MaxCapacity: 4,
      });
      expect(props.ResourceId).toEqual({
        'Fn::Join': [
          '',
          [
            'endpoint/',
            { 'Fn::GetAtt': [logicalId(stack.recommendations.endpoint), 'EndpointName'] },
            `/variant/${name}`,
          ],
        ],
      });
      expect(JSON.stringify(props.RoleARN)).toContain('AWSServiceRoleForApplicationAutoScaling_SageMakerEndpoint');
      // Registered only once the endpoint (and so the variant) exists.
      expect(template.Resources[logicalId(target)].DependsOn).toContain(logicalId(stack.recommendations.endpoint));
    }
  });

  it('tracks SageMakerVariantInvocationsPerInstance on each variant, out fast and in slowly', () => {
    const policies = ofType('AWS::ApplicationAutoScaling::ScalingPolicy');
    expect(policies).toHaveLength(2);
    const targetIds = [...stack.recommendations.scalableTargets.values()].map(logicalId);
    for (const [, policy] of policies) {
      expect(policy.Properties.PolicyType).toBe('TargetTrackingScaling');
      expect(targetIds).toContain(policy.Properties.ScalingTargetId.Ref);
      const config = policy.Properties.TargetTrackingScalingPolicyConfiguration;
      expect(config.PredefinedMetricSpecification).toEqual({
        PredefinedMetricType: 'SageMakerVariantInvocationsPerInstance',
      });
      expect(config.TargetValue).toBeGreaterThan(0);
      expect(config.ScaleOutCooldown).toBeLessThan(config.ScaleInCooldown);
    }
  });
});

describe('least privilege', () => {
  it('lets SageMaker pull only its repository, read only the model files and write only the endpoint log group', () => {
    const roleId = logicalId(stack.recommendations.executionRole);
    const role = template.Resources[roleId].Properties;
    expect(role.AssumeRolePolicyDocument.Statement).toEqual([
      expect.objectContaining({ Principal: { Service: 'sagemaker.amazonaws.com' }, Action: 'sts:AssumeRole' }),
    ]);
    expect(role.ManagedPolicyArns ?? []).toEqual([]);
    const statements = statementsOfRole(roleId);
    const byAction = (action: string) => statements.filter((s) => actionsOf(s).includes(action)).flatMap(resourcesOf);
    expect(JSON.stringify(byAction('ecr:BatchGetImage'))).toMatch(
      /repository\/","?\{"Ref":"RecommendationsImageRepository"\}/,
    );
    expect(byAction('ecr:GetAuthorizationToken')).toEqual(['*']);
    const s3 = byAction('s3:GetObject');
    expect(s3).toHaveLength(2);
    for (const resource of s3)
      expect(JSON.stringify(resource)).toMatch(
        /arn:.*:s3:::.*"Fn::Split":\["s3:\/\/",\{"Ref":"RecommendationsModelDataVariant[AB]"\}/,
      );
    const logs = statements.filter((s) => actionsOf(s).some((a) => a.startsWith('logs:')));
    for (const s of logs) expect(JSON.stringify(resourcesOf(s))).toMatch(/EndpointLogs/);
    for (const s of statements)
      for (const action of actionsOf(s)) expect(['ecr', 's3', 'logs']).toContain(action.split(':')[0]);
  });

  it('names the endpoint log group where SageMaker writes, with a retention', () => {
    const groups = ofType('AWS::Logs::LogGroup').filter(
      ([, g]) => g.Properties.LogGroupName === '/aws/sagemaker/Endpoints/ecicomm-test-recommendations',
    );
    expect(groups).toHaveLength(1);
    expect(groups[0][1].Properties.RetentionInDays).toBeGreaterThan(0);
  });

  it('grants sagemaker:InvokeEndpoint on this endpoint to the recommendations function and to no other role', () => {
    // Every stack of the stage: the route functions are in a nested one (lib/contexts/api.ts).
    const byStack = resourcesByStack<CfnResource>(stack);
    // Grants on this endpoint: the insights endpoint's (lib/contexts/insights-model.ts) are test/infra/insights-model.test.ts's.
    const grants = byStack.flatMap(([within, resources]) =>
      Object.values(resources)
        .filter((r) => r.Type === 'AWS::IAM::Policy')
        .flatMap((r) =>
          (r.Properties.PolicyDocument.Statement as Statement[])
            .filter((s) => actionsOf(s).some((a) => a.startsWith('sagemaker:')))
            .filter((s) =>
              JSON.stringify(s.Resource).includes(
                JSON.stringify(referenceFrom(within, stack.recommendations.endpoint)),
              ),
            )
            .map((s) => ({ roles: r.Properties.Roles, s })),
        ),
    );
    const fn = stack.api.functions.get('getRecommendations')!;
    expect(grants).toEqual([
      {
        roles: [{ Ref: logicalIdOf(fn.role) }],
        s: expect.objectContaining({
          Action: 'sagemaker:InvokeEndpoint',
          Effect: 'Allow',
          Resource: referenceFrom(fn.role, stack.recommendations.endpoint),
        }),
      },
    ]);
    const [, fnResources] = byStack.find(([within]) => within === Stack.of(fn.function))!;
    expect(fnResources[logicalIdOf(fn.function)].Properties.Environment.Variables.SAGEMAKER_ENDPOINT_NAME).toEqual(
      referenceFrom(fn.function, stack.recommendations.endpoint, 'EndpointName'),
    );
  });
});

describe('the construct on its own', () => {
  it('builds any number of weighted variants, each scaled within the given bounds', () => {
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] }, builtinCloudFormationValidation: false });
    const own = new Stack(app, 'Own');
    const recs = new Recommendations(own, 'Recs', {
      namePrefix: 'own',
      variants: [
        { name: 'Blend', weight: 2 },
        { name: 'Ease', weight: 1 },
        { name: 'Popularity', weight: 1 },
      ],
      minInstances: 2,
      maxInstances: 6,
      instanceType: 'ml.c5.large',
    });
    const t = Template.fromStack(own).toJSON() as typeof template;
    const config = Object.values(t.Resources).find((r) => r.Type === 'AWS::SageMaker::EndpointConfig')!;
    expect(
      (config.Properties.ProductionVariants as Record<string, unknown>[]).map((v) => [
        v.VariantName,
        v.InitialVariantWeight,
        v.InitialInstanceCount,
        v.InstanceType,
      ]),
    ).toEqual([
      ['Blend', 2, 2, 'ml.c5.large'],
      ['Ease', 1, 2, 'ml.c5.large'],
      ['Popularity', 1, 2, 'ml.c5.large'],
    ]);
    expect(recs.scalableTargets.size).toBe(3);
    for (const r of Object.values(t.Resources).filter((r) => r.Type === 'AWS::ApplicationAutoScaling::ScalableTarget'))
      expect(r.Properties).toMatchObject({ MinCapacity: 2, MaxCapacity: 6 });
    expect(
      () =>
        new Recommendations(new Stack(app, 'Dup'), 'Recs', {
          namePrefix: 'dup',
          variants: [
            { name: 'A', weight: 1 },
            { name: 'A', weight: 1 },
          ],
        }),
    ).toThrow(/distinct/);
  });
});
