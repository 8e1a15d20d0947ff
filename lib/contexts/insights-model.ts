import { Aws, CfnParameter, Fn, NestedStack, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { Repository } from 'aws-cdk-lib/aws-ecr';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { CfnEndpoint, CfnEndpointConfig, CfnModel } from 'aws-cdk-lib/aws-sagemaker';
import { Construct } from 'constructs';
import type { ModelEndpointTarget } from './platform-function';

export interface InsightsModelProps {
  /** Physical names (endpoint, log group) start with it. */
  readonly namePrefix: string;
  /** The model server image: the recommendations' (ml/Dockerfile serves either model), by ECR repository name and tag. */
  readonly image: { readonly repositoryName: string; readonly tag: string };
  /** Serverless memory, MB (1024–6144 in steps of 1024; vCPUs scale with it). Default 2048. */
  readonly memorySizeInMb?: number;
  /** Concurrent invocations before SageMaker throttles. Default 5. */
  readonly maxConcurrency?: number;
  /** Instances kept warm (no cold start for that many concurrent calls), billed while idle. None by default. */
  readonly provisionedConcurrency?: number;
}

/** Context key defaulting the insights model.tar.gz's S3 URL, as `ecicomm:recommendations*` do for recommendations. */
export const INSIGHTS_MODEL_DATA_CONTEXT = 'ecicomm:insightsModelData';
/** The endpoint's only variant: the name SageMaker gives one when none is chosen, and the container's MODEL_VARIANT. */
export const INSIGHTS_VARIANT = 'AllTraffic';

/**
 * The demand-insights model (forecasts, segments, price suggestions: ml/src/insights) behind its own SageMaker
 * endpoint: the same container image as recommendations, its own model.tar.gz, its own execution role.
 *
 * Serverless Inference rather than instances: its callers are analysts and ops (a few calls an hour, the
 * dashboard, the reorder report) and a shopper's segment lookup that recommendations treats as an optional
 * feature, so a cold start costs at most a fallback, never a failed page. Billed per millisecond of
 * inference and nothing idle, where the smallest instance endpoint runs around the clock; a 2 GB container
 * loads the few-MB artifact in well under a second. Serverless excludes network isolation (and VPCs,
 * variants); the container makes no calls anyway. When shopper traffic makes cold starts matter, set
 * `provisionedConcurrency`. Resources live in a nested stack: the platform stack is near CloudFormation's
 * 500; the model-data location is a parameter of the platform stack, defaulted from context
 * (`ecicomm:insightsModelData`), so a retrained model is a parameter change.
 */
export class InsightsModel extends Construct {
  readonly stack: NestedStack;
  readonly endpoint: CfnEndpoint;
  readonly endpointConfig: CfnEndpointConfig;
  readonly model: CfnModel;
  readonly executionRole: Role;
  readonly logGroup: LogGroup;
  readonly endpointName: string;
  /** What a function that invokes the endpoint needs (PlatformFunctionProps.insightsEndpoint). */
  readonly invokeTarget: ModelEndpointTarget;
  readonly modelDataParameter: CfnParameter;

  constructor(scope: Construct, id: string, props: InsightsModelProps) {
    super(scope, id);
    const memorySizeInMb = props.memorySizeInMb ?? 2048;
    if (!(memorySizeInMb >= 1024 && memorySizeInMb <= 6144 && memorySizeInMb % 1024 === 0))
      throw new Error(`InsightsModel memorySizeInMb must be 1024–6144 in steps of 1024, got ${memorySizeInMb}`);
    this.modelDataParameter = this.buildModelDataParameter();
    this.stack = new NestedStack(this, 'Resources', {
      description: 'ECIComm demand-insights model: SageMaker serverless endpoint, its model, role and logs',
    });
    this.endpointName = `${props.namePrefix}-insights`;
    // The container's logs; SageMaker writes to this group name, created here so it has a retention.
    this.logGroup = new LogGroup(this.stack, 'EndpointLogs', {
      logGroupName: `/aws/sagemaker/Endpoints/${this.endpointName}`,
      retention: RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const repository = Repository.fromRepositoryName(this.stack, 'ImageRepository', props.image.repositoryName);
    this.executionRole = this.buildExecutionRole(repository.repositoryArn);
    this.model = new CfnModel(this.stack, 'Model', {
      executionRoleArn: this.executionRole.roleArn,
      primaryContainer: {
        image: repository.repositoryUriForTag(props.image.tag),
        modelDataUrl: this.modelDataParameter.valueAsString,
        environment: { MODEL_VARIANT: INSIGHTS_VARIANT },
      },
    });
    // SageMaker checks it can pull the image and read the data when the model is created.
    this.model.node.addDependency(this.executionRole);
    this.endpointConfig = new CfnEndpointConfig(this.stack, 'EndpointConfig', {
      productionVariants: [
        {
          variantName: INSIGHTS_VARIANT,
          modelName: this.model.attrModelName,
          serverlessConfig: {
            memorySizeInMb,
            maxConcurrency: props.maxConcurrency ?? 5,
            ...(props.provisionedConcurrency ? { provisionedConcurrency: props.provisionedConcurrency } : {}),
          },
        },
      ],
    });
    // An endpoint config cannot change in place: CloudFormation replaces it (a generated name), then updates the endpoint to it.
    this.endpoint = new CfnEndpoint(this.stack, 'Endpoint', {
      endpointName: this.endpointName,
      endpointConfigName: this.endpointConfig.attrEndpointConfigName,
    });
    this.invokeTarget = { endpointName: this.endpoint.attrEndpointName, endpointArn: this.endpoint.ref };
  }

  /** On the platform stack, not the nested one: `--parameters` names only a top-level stack's parameters. */
  private buildModelDataParameter(): CfnParameter {
    const value: unknown = this.node.tryGetContext(INSIGHTS_MODEL_DATA_CONTEXT);
    return new CfnParameter(Stack.of(this), 'InsightsModelData', {
      type: 'String',
      description: 'S3 URL of the demand-insights model.tar.gz (ml/src/insights) its SageMaker endpoint serves',
      default: typeof value === 'string' && value.length > 0 ? value : undefined,
      allowedPattern: '^s3://[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]/.+\\.tar\\.gz$',
    });
  }

  /** Pull its image, read its model data object and write its log group: nothing else. */
  private buildExecutionRole(repositoryArn: string): Role {
    const role = new Role(this.stack, 'ExecutionRole', {
      assumedBy: new ServicePrincipal('sagemaker.amazonaws.com'),
      description: `Lets SageMaker run the ${this.endpointName} model server: pull its image, read its model data, write its logs`,
    });
    role.addToPolicy(
      new PolicyStatement({
        actions: ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchCheckLayerAvailability'],
        resources: [repositoryArn],
      }),
    );
    role.addToPolicy(new PolicyStatement({ actions: ['ecr:GetAuthorizationToken'], resources: ['*'] }));
    role.addToPolicy(
      new PolicyStatement({
        actions: ['s3:GetObject'],
        // s3://bucket/key → arn:aws:s3:::bucket/key: exactly the model file, nothing else in its bucket.
        resources: [
          Fn.join('', [
            `arn:${Aws.PARTITION}:s3:::`,
            Fn.select(1, Fn.split('s3://', this.modelDataParameter.valueAsString)),
          ]),
        ],
      }),
    );
    role.addToPolicy(
      new PolicyStatement({
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents', 'logs:DescribeLogStreams'],
        resources: [this.logGroup.logGroupArn],
      }),
    );
    Validations.of(role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'ecr:GetAuthorizationToken authorises the registry as a whole and accepts no resource but "*"; pulling the image itself is limited to its repository.',
    });
    return role;
  }
}
