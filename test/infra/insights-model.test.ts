import { App, NestedStack, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from '@jest/globals';
import { InsightsModel } from '../../lib/contexts/insights-model';
import { routes } from '../../lib/routes';
import { EciCommStack } from '../../lib/stacks/platform-stack';
import { logicalIdOf, referenceFrom, resourcesByStack } from '../support/cdk-templates';

type CfnResource = { Type: string; Properties: Record<string, any>; DependsOn?: string[] };
type Statement = { Action: string | string[]; Resource: unknown; Effect: string };
type Template_ = {
  Resources: Record<string, CfnResource>;
  Parameters: Record<string, any>;
  Outputs: Record<string, any>;
};

const MODEL_DATA = 's3://ecicomm-models/insights/2011-09-05/model.tar.gz';
/** The route table with one route invoking both endpoints (recommendations will, for a shopper's segment). */
const withInsights = routes.map((r) => (r.id === 'getRecommendations' ? { ...r, insightsEndpoint: true } : r));

let stack: EciCommStack;
let parent: Template_;
let nested: Template_;

const actionsOf = (s: Statement) => [s.Action].flat();
const resourcesOf = (s: Statement) => [s.Resource].flat();
const ofType = (type: string) => Object.entries(nested.Resources).filter(([, r]) => r.Type === type);

beforeAll(() => {
  const app = new App({
    context: { 'aws:cdk:bundling-stacks': [], 'ecicomm:insightsModelData': MODEL_DATA },
    builtinCloudFormationValidation: false,
  });
  stack = new EciCommStack(app, 'InsightsTest', { namePrefix: 'ecicomm-test', routes: withInsights });
  parent = Template.fromStack(stack).toJSON() as Template_;
  nested = Template.fromStack(stack.insightsModel.stack).toJSON() as Template_;
});

describe('the insights endpoint', () => {
  it('lives in a nested stack of its own: the platform stack gains one resource', () => {
    const model = stack.insightsModel;
    expect(Stack.of(model.endpoint)).toBeInstanceOf(NestedStack);
    expect(Stack.of(model.endpoint).nestedStackParent).toBe(stack);
    for (const type of ['AWS::SageMaker::Model', 'AWS::SageMaker::EndpointConfig', 'AWS::SageMaker::Endpoint'])
      expect(ofType(type)).toHaveLength(1);
    expect(Object.values(parent.Resources).filter((r) => r.Type.startsWith('AWS::SageMaker::'))).toHaveLength(
      // The recommendations' two models, config and endpoint stay where they were.
      4,
    );
  });

  it('is serverless: one variant with memory and a concurrency cap, no instances', () => {
    const [[, config]] = ofType('AWS::SageMaker::EndpointConfig');
    expect(config.Properties.ProductionVariants).toEqual([
      {
        VariantName: 'AllTraffic',
        ModelName: { 'Fn::GetAtt': [logicalIdOf(stack.insightsModel.model), 'ModelName'] },
        ServerlessConfig: { MemorySizeInMB: 2048, MaxConcurrency: 5 },
      },
    ]);
    const [[, endpoint]] = ofType('AWS::SageMaker::Endpoint');
    expect(endpoint.Properties).toEqual({
      EndpointName: 'ecicomm-test-insights',
      EndpointConfigName: { 'Fn::GetAtt': [logicalIdOf(stack.insightsModel.endpointConfig), 'EndpointConfigName'] },
    });
    expect(parent.Outputs.InsightsEndpointName).toBeDefined();
  });

  it('runs the recommendations image with its own model data, a parameter of the platform stack defaulted from context', () => {
    const [[, model]] = ofType('AWS::SageMaker::Model');
    const image = JSON.stringify(model.Properties.PrimaryContainer.Image);
    // The parent's image parameters, carried into the nested stack.
    expect(image).toContain('RecommendationsImageRepository');
    expect(image).toContain('RecommendationsImageTag');
    expect(image).toContain('.dkr.ecr.');
    expect(JSON.stringify(model.Properties.PrimaryContainer.ModelDataUrl)).toContain('InsightsModelData');
    expect(model.Properties.PrimaryContainer.Environment).toEqual({ MODEL_VARIANT: 'AllTraffic' });
    // Serverless Inference has no network isolation.
    expect(model.Properties.EnableNetworkIsolation).toBeUndefined();
    expect(parent.Parameters.InsightsModelData).toMatchObject({ Type: 'String', Default: MODEL_DATA });
    const s3 = new RegExp(parent.Parameters.InsightsModelData.AllowedPattern);
    expect(s3.test(MODEL_DATA)).toBe(true);
    expect(s3.test('https://ecicomm-models.s3.amazonaws.com/insights/model.tar.gz')).toBe(false);
  });
});

describe('least privilege', () => {
  it('lets SageMaker pull only the image repository, read only its model data object and write only its log group', () => {
    const roleId = logicalIdOf(stack.insightsModel.executionRole);
    const role = nested.Resources[roleId].Properties;
    expect(role.AssumeRolePolicyDocument.Statement).toEqual([
      expect.objectContaining({ Principal: { Service: 'sagemaker.amazonaws.com' }, Action: 'sts:AssumeRole' }),
    ]);
    expect(role.ManagedPolicyArns ?? []).toEqual([]);
    const statements = Object.values(nested.Resources)
      .filter((r) => r.Type === 'AWS::IAM::Policy' && JSON.stringify(r.Properties.Roles).includes(`"${roleId}"`))
      .flatMap((r) => r.Properties.PolicyDocument.Statement as Statement[]);
    const byAction = (action: string) => statements.filter((s) => actionsOf(s).includes(action)).flatMap(resourcesOf);
    expect(JSON.stringify(byAction('ecr:BatchGetImage'))).toMatch(/repository\/.*RecommendationsImageRepository/);
    expect(byAction('ecr:GetAuthorizationToken')).toEqual(['*']);
    const s3 = byAction('s3:GetObject');
    expect(s3).toHaveLength(1);
    expect(JSON.stringify(s3[0])).toMatch(
      /arn:.*:s3:::.*"Fn::Split":\["s3:\/\/",\{"Ref":"[^"]*InsightsModelData[^"]*"\}/,
    );
    const logs = statements.filter((s) => actionsOf(s).some((a) => a.startsWith('logs:')));
    expect(logs.flatMap(resourcesOf)).toEqual([{ 'Fn::GetAtt': [logicalIdOf(stack.insightsModel.logGroup), 'Arn'] }]);
    for (const s of statements)
      for (const action of actionsOf(s)) expect(['ecr', 's3', 'logs']).toContain(action.split(':')[0]);
    expect(nested.Resources[logicalIdOf(stack.insightsModel.logGroup)].Properties).toMatchObject({
      LogGroupName: '/aws/sagemaker/Endpoints/ecicomm-test-insights',
      RetentionInDays: 30,
    });
  });

  it('gives a route with insightsEndpoint the endpoint name and InvokeEndpoint on its ARN, and no other role either', () => {
    const byStack = resourcesByStack<CfnResource>(stack);
    const fn = stack.api.functions.get('getRecommendations')!;
    const insightsGrants = byStack.flatMap(([within, resources]) =>
      Object.values(resources)
        .filter((r) => r.Type === 'AWS::IAM::Policy')
        .flatMap((r) =>
          (r.Properties.PolicyDocument.Statement as Statement[])
            .filter((s) => actionsOf(s).some((a) => a.startsWith('sagemaker:')))
            .filter((s) =>
              JSON.stringify(s.Resource).includes(JSON.stringify(referenceFrom(within, stack.insightsModel.endpoint))),
            )
            .map((s) => ({ roles: r.Properties.Roles, s })),
        ),
    );
    // One grant per route that names the endpoint (the analytics model routes and recommendations), each its own role's.
    const invokers = withInsights.filter((r) => r.insightsEndpoint).map((r) => stack.api.functions.get(r.id)!);
    expect(invokers.length).toBeGreaterThan(1);
    expect(insightsGrants).toEqual(
      invokers.map((invoker) => ({
        roles: [{ Ref: logicalIdOf(invoker.role) }],
        s: {
          Action: 'sagemaker:InvokeEndpoint',
          Effect: 'Allow',
          Resource: referenceFrom(invoker.role, stack.insightsModel.endpoint),
        },
      })),
    );
    const [, fnResources] = byStack.find(([within]) => within === Stack.of(fn.function))!;
    const env = fnResources[logicalIdOf(fn.function)].Properties.Environment.Variables;
    expect(env.INSIGHTS_ENDPOINT_NAME).toEqual(
      referenceFrom(fn.function, stack.insightsModel.endpoint, 'EndpointName'),
    );
    // Its recommendations endpoint is still its own grant and variable.
    expect(env.SAGEMAKER_ENDPOINT_NAME).toEqual(
      referenceFrom(fn.function, stack.recommendations.endpoint, 'EndpointName'),
    );
    const health = stack.api.functions.get('health')!;
    const [, healthResources] = byStack.find(([within]) => within === Stack.of(health.function))!;
    expect(
      healthResources[logicalIdOf(health.function)].Properties.Environment.Variables.INSIGHTS_ENDPOINT_NAME,
    ).toBeUndefined();
  });
});

describe('alarms', () => {
  it("alarms on the endpoint's 5xx invocation errors to its own topic, which on-call is subscribed to with the others", () => {
    const [[, alarm]] = ofType('AWS::CloudWatch::Alarm');
    expect(ofType('AWS::CloudWatch::Alarm')).toHaveLength(1);
    expect(alarm.Properties).toMatchObject({
      AlarmName: 'ecicomm-test-insights-invocation-errors',
      Namespace: 'AWS/SageMaker',
      MetricName: 'Invocation5XXErrors',
      Dimensions: expect.arrayContaining([
        { Name: 'EndpointName', Value: 'ecicomm-test-insights' },
        { Name: 'VariantName', Value: 'AllTraffic' },
      ]),
      Statistic: 'Sum',
      Threshold: 1,
      TreatMissingData: 'notBreaching',
      AlarmActions: [{ Ref: logicalIdOf(stack.insightsModel.alarmTopic) }],
    });
    expect(alarm.Properties.AlarmDescription).toMatch(/\/aws\/sagemaker\/Endpoints\/ecicomm-test-insights/);
    expect(stack.operations.survey.contextTopics).toContain(stack.insightsModel.alarmTopic);
  });
});

describe('the construct on its own', () => {
  it('takes other serverless sizes, provisioned concurrency, and refuses a memory size SageMaker does not offer', () => {
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] }, builtinCloudFormationValidation: false });
    const own = new Stack(app, 'Own');
    const model = new InsightsModel(own, 'Insights', {
      namePrefix: 'own',
      image: { repositoryName: 'ecicomm-recommendations', tag: 'v1' },
      memorySizeInMb: 3072,
      maxConcurrency: 20,
      provisionedConcurrency: 1,
    });
    const config = Object.values((Template.fromStack(model.stack).toJSON() as Template_).Resources).find(
      (r) => r.Type === 'AWS::SageMaker::EndpointConfig',
    )!;
    expect(config.Properties.ProductionVariants[0].ServerlessConfig).toEqual({
      MemorySizeInMB: 3072,
      MaxConcurrency: 20,
      ProvisionedConcurrency: 1,
    });
    // No context default: the stage must be given its model data at deployment.
    expect((Template.fromStack(own).toJSON() as Template_).Parameters.InsightsModelData.Default).toBeUndefined();
    const other = new Stack(app, 'Other');
    expect(
      () =>
        new InsightsModel(other, 'Insights', {
          namePrefix: 'x',
          image: { repositoryName: 'r', tag: 't' },
          memorySizeInMb: 1500,
        }),
    ).toThrow(/1024–6144 in steps of 1024/);
  });
});
