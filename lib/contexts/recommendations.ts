import { Aws, CfnParameter, Duration, Fn, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { PredefinedMetric, ScalableTarget, ServiceNamespace } from 'aws-cdk-lib/aws-applicationautoscaling';
import { Repository, type IRepository } from 'aws-cdk-lib/aws-ecr';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { CfnEndpoint, CfnEndpointConfig, CfnModel } from 'aws-cdk-lib/aws-sagemaker';
import { Construct } from 'constructs';

/** One production variant of the endpoint: a model (its data) and its share of the traffic. */
export interface ModelVariantProps {
  /** e.g. `VariantA`; reported to callers in InvokedProductionVariant. */
  readonly name: string;
  /** Relative weight: each variant gets weight / (sum of weights) of invocations. */
  readonly weight: number;
}

export interface RecommendationsProps {
  /** Physical names (endpoint, log group) start with it. */
  readonly namePrefix: string;
  /** The A/B split; two variants by default, 90 % of traffic to the incumbent A, 10 % to the challenger B. */
  readonly variants?: readonly ModelVariantProps[];
  /** Default `ml.m5.large`. */
  readonly instanceType?: string;
  /** Instances per variant: Application Auto Scaling keeps each between these (default 1–4). */
  readonly minInstances?: number;
  readonly maxInstances?: number;
  /** Invocations per instance per minute that the target tracking aims at (default 3000: the server answers in ms). */
  readonly invocationsPerInstanceTarget?: number;
}

/** SageMaker's service-linked role for scaling endpoint variants; Application Auto Scaling creates it on first use. */
const SAGEMAKER_SCALING_ROLE =
  'aws-service-role/sagemaker.application-autoscaling.amazonaws.com/AWSServiceRoleForApplicationAutoScaling_SageMakerEndpoint';

/**
 * The recommendation model behind a SageMaker real-time endpoint: one model per production variant (the
 * model server image from ml/Dockerfile, each variant with its own model.tar.gz), an endpoint config
 * splitting traffic by weight (A/B), the endpoint, and target-tracking autoscaling of each variant on
 * invocations per instance.
 *
 * Nothing is built at synth: the image is pushed to ECR and the models uploaded to S3 by whoever trains
 * them. Their locations are CloudFormation parameters, defaulted from context (`ecicomm:recommendations*`),
 * so a stage deploys with `-c` values or `--parameters`, and a retrained model is a parameter change.
 */
export class Recommendations extends Construct {
  readonly endpoint: CfnEndpoint;
  readonly endpointConfig: CfnEndpointConfig;
  readonly models: ReadonlyMap<string, CfnModel>;
  readonly executionRole: Role;
  readonly scalableTargets: ReadonlyMap<string, ScalableTarget>;
  readonly endpointName: string;
  /** What a function that invokes the endpoint needs (PlatformFunctionProps.modelEndpoint). */
  readonly invokeTarget: { readonly endpointName: string; readonly endpointArn: string };
  readonly parameters: {
    readonly imageRepository: CfnParameter;
    readonly imageTag: CfnParameter;
    readonly modelData: ReadonlyMap<string, CfnParameter>;
  };

  constructor(scope: Construct, id: string, props: RecommendationsProps) {
    super(scope, id);
    const variants = props.variants ?? [
      { name: 'VariantA', weight: 0.9 },
      { name: 'VariantB', weight: 0.1 },
    ];
    if (variants.length === 0 || new Set(variants.map((v) => v.name)).size !== variants.length)
      throw new Error('Recommendations needs variants with distinct names');
    for (const v of variants)
      if (!/^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$/.test(v.name) || !(v.weight >= 0))
        throw new Error(`Bad variant ${v.name} (weight ${v.weight})`);
    const minInstances = props.minInstances ?? 1;
    const maxInstances = props.maxInstances ?? 4;
    this.parameters = this.buildParameters(variants);
    const { imageRepository, imageTag, modelData } = this.parameters;

    this.endpointName = `${props.namePrefix}-recommendations`;
    const repository = Repository.fromRepositoryName(this, 'ImageRepository', imageRepository.valueAsString);
    const image = repository.repositoryUriForTag(imageTag.valueAsString);

    // The container's logs; SageMaker writes to this group name, created here so it has a retention.
    const logs = new LogGroup(this, 'EndpointLogs', {
      logGroupName: `/aws/sagemaker/Endpoints/${this.endpointName}`,
      retention: RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.executionRole = this.buildExecutionRole(repository, modelData, logs);
    this.models = this.buildModels(variants, image, modelData);

    this.endpointConfig = new CfnEndpointConfig(this, 'EndpointConfig', {
      productionVariants: variants.map((v) => ({
        variantName: v.name,
        modelName: this.models.get(v.name)!.attrModelName,
        initialInstanceCount: minInstances,
        instanceType: props.instanceType ?? 'ml.m5.large',
        initialVariantWeight: v.weight,
      })),
    });
    // An endpoint config cannot change in place: CloudFormation replaces it (a generated name), then updates the endpoint to it.
    this.endpoint = new CfnEndpoint(this, 'Endpoint', {
      endpointName: this.endpointName,
      endpointConfigName: this.endpointConfig.attrEndpointConfigName,
    });
    this.invokeTarget = { endpointName: this.endpoint.attrEndpointName, endpointArn: this.endpoint.ref };
    this.scalableTargets = this.buildScaling(variants, minInstances, maxInstances, props);
  }

  /** The image and model locations, as stack parameters defaulted from context. */
  private buildParameters(variants: readonly { name: string }[]) {
    const stack = Stack.of(this);
    const context = (key: string): string | undefined => {
      const value: unknown = this.node.tryGetContext(`ecicomm:recommendations${key}`);
      return typeof value === 'string' && value.length > 0 ? value : undefined;
    };

    // Parameters live on the stack (their logical ids are what `--parameters` names).
    const imageRepository = new CfnParameter(stack, 'RecommendationsImageRepository', {
      type: 'String',
      description:
        'ECR repository (in this account and region) holding the model server image built from ml/Dockerfile',
      default: context('ImageRepository') ?? 'ecicomm-recommendations',
      allowedPattern: '^[a-z0-9]+([._-][a-z0-9]+)*(/[a-z0-9]+([._-][a-z0-9]+)*)*$',
    });
    const imageTag = new CfnParameter(stack, 'RecommendationsImageTag', {
      type: 'String',
      description: 'Tag of the model server image to run',
      default: context('ImageTag') ?? 'latest',
      allowedPattern: '^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$',
    });
    const modelData = new Map(
      variants.map((v) => [
        v.name,
        new CfnParameter(stack, `RecommendationsModelData${v.name.replace(/[^A-Za-z0-9]/g, '')}`, {
          type: 'String',
          description: `S3 URL of the model.tar.gz (npm run ml:train) that production variant ${v.name} serves`,
          default: context(`ModelData${v.name}`),
          allowedPattern: '^s3://[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]/.+\\.tar\\.gz$',
        }),
      ]),
    );
    return { imageRepository, imageTag, modelData };
  }

  private buildExecutionRole(
    repository: IRepository,
    modelData: ReadonlyMap<string, CfnParameter>,
    logs: LogGroup,
  ): Role {
    const role = new Role(this, 'ExecutionRole', {
      assumedBy: new ServicePrincipal('sagemaker.amazonaws.com'),
      description: `Lets SageMaker run the ${this.endpointName} model server: pull its image, read its model data, write its logs`,
    });
    role.addToPolicy(
      new PolicyStatement({
        actions: ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchCheckLayerAvailability'],
        resources: [repository.repositoryArn],
      }),
    );
    role.addToPolicy(new PolicyStatement({ actions: ['ecr:GetAuthorizationToken'], resources: ['*'] }));
    role.addToPolicy(
      new PolicyStatement({
        actions: ['s3:GetObject'],
        // s3://bucket/key → arn:aws:s3:::bucket/key: exactly the model files, nothing else in their buckets.
        resources: [...modelData.values()].map((p) =>
          Fn.join('', [`arn:${Aws.PARTITION}:s3:::`, Fn.select(1, Fn.split('s3://', p.valueAsString))]),
        ),
      }),
    );
    role.addToPolicy(
      new PolicyStatement({
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents', 'logs:DescribeLogStreams'],
        resources: [logs.logGroupArn],
      }),
    );
    Validations.of(role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'ecr:GetAuthorizationToken authorises the registry as a whole and accepts no resource but "*"; pulling the image itself is limited to its repository.',
    });
    return role;
  }

  private buildModels(
    variants: readonly { name: string }[],
    image: string,
    modelData: ReadonlyMap<string, CfnParameter>,
  ): Map<string, CfnModel> {
    const models = new Map<string, CfnModel>();
    for (const v of variants) {
      const model = new CfnModel(this, `Model${v.name}`, {
        executionRoleArn: this.executionRole.roleArn,
        primaryContainer: {
          image,
          modelDataUrl: modelData.get(v.name)!.valueAsString,
          environment: { MODEL_VARIANT: v.name },
        },
        // The server needs no network: scoring is in-memory.
        enableNetworkIsolation: true,
      });
      // SageMaker checks it can pull the image and read the data when the model is created.
      model.node.addDependency(this.executionRole);
      models.set(v.name, model);
    }
    return models;
  }

  /** Target tracking on invocations per instance, per variant. */
  private buildScaling(
    variants: readonly { name: string }[],
    minInstances: number,
    maxInstances: number,
    props: RecommendationsProps,
  ): Map<string, ScalableTarget> {
    const stack = Stack.of(this);
    const scalingRole = Role.fromRoleArn(
      this,
      'ScalingRole',
      stack.formatArn({ service: 'iam', region: '', resource: 'role', resourceName: SAGEMAKER_SCALING_ROLE }),
      {
        mutable: false,
      },
    );
    const targets = new Map<string, ScalableTarget>();
    for (const v of variants) {
      const target = new ScalableTarget(this, `Scaling${v.name}`, {
        serviceNamespace: ServiceNamespace.SAGEMAKER,
        resourceId: `endpoint/${this.endpoint.attrEndpointName}/variant/${v.name}`,
        scalableDimension: 'sagemaker:variant:DesiredInstanceCount',
        minCapacity: minInstances,
        maxCapacity: maxInstances,
        role: scalingRole,
      });
      target.node.addDependency(this.endpoint);
      target.scaleToTrackMetric('InvocationsPerInstance', {
        predefinedMetric: PredefinedMetric.SAGEMAKER_VARIANT_INVOCATIONS_PER_INSTANCE,
        targetValue: props.invocationsPerInstanceTarget ?? 3000,
        // Out fast when traffic rises, in slowly: a cold instance takes minutes to come into service.
        scaleOutCooldown: Duration.minutes(1),
        scaleInCooldown: Duration.minutes(5),
      });
      targets.set(v.name, target);
    }
    return targets;
  }
}
