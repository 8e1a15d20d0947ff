import { CfnElement, Duration, RemovalPolicy, Stack, Token, Validations, type StackProps } from 'aws-cdk-lib';
import { BuildSpec, ComputeType, LinuxBuildImage } from 'aws-cdk-lib/aws-codebuild';
import { Repository } from 'aws-cdk-lib/aws-codecommit';
import { PipelineType } from 'aws-cdk-lib/aws-codepipeline';
import { Key } from 'aws-cdk-lib/aws-kms';
import { BlockPublicAccess, Bucket, BucketEncryption, ObjectOwnership } from 'aws-cdk-lib/aws-s3';
import { CodeBuildStep, CodePipeline, CodePipelineSource, ManualApprovalStep } from 'aws-cdk-lib/pipelines';
import type { Construct, IConstruct } from 'constructs';
import { EciCommStage, type EciCommStageProps } from './platform-stack';

/** Where the pipeline takes the source from; given by CDK context so that synth needs no lookups. */
export type PipelineSource =
  | { readonly kind: 'codecommit'; readonly repositoryName: string; readonly branch: string }
  | {
      readonly kind: 'connection';
      /** `owner/name` on GitHub, GitLab or Bitbucket. */
      readonly repository: string;
      readonly branch: string;
      /** ARN of a CodeStar (CodeConnections) connection that is already authorised. */
      readonly connectionArn: string;
    };

/** What the pipeline deploys of one stage (lib/stacks/eci-comm-app.ts reads it from context). */
export type PipelineStageProps = EciCommStageProps;

/** The stages the pipeline deploys, in this order. */
export const PIPELINE_STAGES = ['Staging', 'Prod'] as const;
export type PipelineStageName = (typeof PIPELINE_STAGES)[number];

export interface PipelineStackProps extends StackProps {
  readonly source: PipelineSource;
  /** Staging, deployed and smoke-tested on every push; Prod, deployed after a manual approval. */
  readonly stages: Readonly<Record<PipelineStageName, PipelineStageProps>>;
}

/** Minutes the synth step may take: `npm test` alone takes about 25 on two cores. */
const SYNTH_TIMEOUT_MINUTES = 90;

/**
 * Continuous delivery: on every push to the branch, install, run the whole test suite and synthesise the app
 * (which runs the cdk-nag checks and bundles every function with esbuild), update this pipeline if it
 * changed, then deploy Staging and smoke-test it, and — after a person approves — deploy Prod and smoke-test
 * it read-only. A failing test or smoke test stops the run there.
 */
export class PipelineStack extends Stack {
  readonly pipeline: CodePipeline;
  readonly stages: Readonly<Record<PipelineStageName, EciCommStage>>;
  /** The post-deploy smoke test of each stage. */
  readonly smokeTests: Readonly<Record<PipelineStageName, CodeBuildStep>>;

  constructor(scope: Construct, id: string, props: PipelineStackProps) {
    super(scope, id, { description: 'ECIComm delivery pipeline', ...props });
    const artifacts = this.artifactBucket();
    const source = sourceOf(this, props.source);

    this.pipeline = new CodePipeline(this, 'Pipeline', {
      pipelineName: `${props.stages.Prod.namePrefix}-delivery`,
      pipelineType: PipelineType.V2,
      artifactBucket: artifacts,
      // A stage in another account or region gets its artifacts through a KMS-encrypted replication bucket
      // there (CDK's cross-region support stack); its deploy role decrypts them with that key.
      crossAccountKeys: true,
      enableKeyRotation: true,
      synth: synthStep(source),
      codeBuildDefaults: {
        timeout: Duration.minutes(30),
        buildEnvironment: { buildImage: LinuxBuildImage.STANDARD_7_0 },
      },
      // One asset-publishing project instead of one per function: fewer projects, same result.
      publishAssetsInParallel: false,
      // Functions bundle with the local esbuild; no step needs a Docker daemon.
      dockerEnabledForSynth: false,
      dockerEnabledForSelfMutation: false,
    });

    const staging = new EciCommStage(this, 'Staging', props.stages.Staging);
    const prod = new EciCommStage(this, 'Prod', props.stages.Prod);
    this.smokeTests = {
      Staging: smokeTest('SmokeTest', source, staging, { checkout: true }),
      // Read-only in Prod: no order is placed, no stock is touched.
      Prod: smokeTest('SmokeTest', source, prod, { checkout: false }),
    };
    this.pipeline.addStage(staging, { post: [this.smokeTests.Staging] });
    this.pipeline.addStage(prod, {
      pre: [
        new ManualApprovalStep('PromoteToProd', {
          comment: 'Staging is deployed and its smoke test passed. Approve to deploy this commit to Prod.',
        }),
      ],
      post: [this.smokeTests.Prod],
    });
    this.stages = { Staging: staging, Prod: prod };
    // Built now rather than at synthesis so that its resources exist for the nag checks and acknowledgements.
    this.pipeline.buildPipeline();
    this.acknowledgePipelineGrants(artifacts);
  }

  /** The artifact bucket, encrypted with a key of its own, with server access logs. */
  private artifactBucket(): Bucket {
    const accessLogs = new Bucket(this, 'ArtifactAccessLogs', {
      encryption: BucketEncryption.S3_MANAGED,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      // S3 delivers server access logs through the log-delivery ACL, which needs ACLs to stay enabled.
      objectOwnership: ObjectOwnership.BUCKET_OWNER_PREFERRED,
      enforceSSL: true,
      lifecycleRules: [{ expiration: Duration.days(365) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    // A customer-managed key on the artifact bucket is what CodeBuild then encrypts build outputs with.
    const artifactKey = new Key(this, 'ArtifactKey', {
      description: "Encrypts the delivery pipeline's artifacts and build outputs",
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    return new Bucket(this, 'Artifacts', {
      encryption: BucketEncryption.KMS,
      encryptionKey: artifactKey,
      bucketKeyEnabled: true,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      serverAccessLogsBucket: accessLogs,
      serverAccessLogsPrefix: 'artifacts/',
      lifecycleRules: [{ expiration: Duration.days(90) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });
  }

  /**
   * The wildcards in the pipeline's roles come from CDK Pipelines' own grants; each is scoped to this
   * pipeline's bucket, key, CodeBuild projects or the CDK bootstrap roles.
   */
  private acknowledgePipelineGrants(artifacts: Bucket) {
    // cdk-nag names the region and account as the template has them: literal once the stack has an environment.
    const region = Token.isUnresolved(this.region) ? '<AWS::Region>' : this.region;
    const account = Token.isUnresolved(this.account) ? '<AWS::AccountId>' : this.account;
    const acknowledge = (finding: string, reason: string) =>
      Validations.of(this.pipeline).acknowledge({ id: `AwsSolutions-IAM5[${finding}]`, reason });
    const bucketGrant = "CDK grants the pipeline roles object read/write on the pipeline's own artifact bucket only";
    for (const action of ['s3:GetObject*', 's3:GetBucket*', 's3:List*', 's3:DeleteObject*', 's3:Abort*']) {
      acknowledge(`Action::${action}`, `${bucketGrant}; ${action} is part of that grant.`);
    }
    acknowledge(`Resource::<${logicalIdOf(artifacts)}.Arn>/*`, `${bucketGrant}: its objects.`);
    for (const action of ['kms:ReEncrypt*', 'kms:GenerateDataKey*']) {
      acknowledge(
        `Action::${action}`,
        `Encrypting and decrypting artifacts with the pipeline's own artifact key, the only key in the grant.`,
      );
    }
    for (const project of [
      this.pipeline.synthProject,
      this.pipeline.selfMutationProject,
      ...PIPELINE_STAGES.map((s) => this.smokeTests[s].project),
    ]) {
      const name = `<${logicalIdOf(project)}>`;
      acknowledge(
        `Resource::arn:<AWS::Partition>:logs:${region}:${account}:log-group:/aws/codebuild/${name}:*`,
        "CodeBuild writes the log streams of its own project's log group, named after the project.",
      );
      acknowledge(
        `Resource::arn:<AWS::Partition>:codebuild:${region}:${account}:report-group/${name}-*`,
        "CodeBuild test report groups are created per run under the project's own name.",
      );
    }
    const selfMutationRole = this.pipeline.selfMutationProject.role!;
    Validations.of(selfMutationRole).acknowledge({
      id: `AwsSolutions-IAM5[Resource::arn:*:iam::${account}:role/*]`,
      reason:
        'Self-mutation assumes the CDK bootstrap roles of this account, limited by the aws-cdk:bootstrap-role tag condition.',
    });
    Validations.of(selfMutationRole).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'Self-mutation calls cloudformation:DescribeStacks and s3:ListBucket, which CDK Pipelines grants unscoped to find the stacks it updates.',
    });
    const assetRole = this.pipeline.node.findChild('Assets').node.findChild('FileRole');
    Validations.of(assetRole).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'The asset-publishing role starts and polls the asset CodeBuild builds; CDK Pipelines grants codebuild:StartBuild/BatchGetBuilds unscoped.',
    });
    Validations.of(assetRole).acknowledge({
      id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:logs:${region}:${account}:log-group:/aws/codebuild/*]`,
      reason:
        'The asset-publishing role is shared by the asset projects CDK Pipelines creates; it writes their CodeBuild logs.',
    });
    Validations.of(assetRole).acknowledge({
      id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:codebuild:${region}:${account}:report-group/*]`,
      reason:
        'The asset-publishing role is shared by the asset projects CDK Pipelines creates; these are their report groups.',
    });
  }
}

/**
 * Install, the whole test suite, then the synthesis. The suite starts DynamoDB Local (Java 17) and the rest of
 * the local platform in the build container; the node devDependency puts Node 22 first on npm scripts' PATH.
 */
function synthStep(input: CodePipelineSource): CodeBuildStep {
  return new CodeBuildStep('Synth', {
    input,
    installCommands: ['npm ci'],
    commands: ['npm test', 'npm run synth'],
    primaryOutputDirectory: 'cdk.out',
    buildEnvironment: { buildImage: LinuxBuildImage.STANDARD_7_0, computeType: ComputeType.LARGE },
    partialBuildSpec: BuildSpec.fromObject({
      phases: { install: { 'runtime-versions': { nodejs: 22, java: 'corretto17' } } },
    }),
    timeout: Duration.minutes(SYNTH_TIMEOUT_MINUTES),
  });
}

/**
 * `npm run smoke` against the stage just deployed, its API URL taken from the stage's ApiUrl output. A check
 * that fails exits non-zero, which fails the action and stops the pipeline before the next stage.
 */
function smokeTest(id: string, input: CodePipelineSource, stage: EciCommStage, options: { checkout: boolean }) {
  return new CodeBuildStep(id, {
    input,
    envFromCfnOutputs: { API_URL: stage.apiUrlOutput },
    installCommands: ['npm ci'],
    commands: [`npm run smoke -- --api-url "$API_URL"${options.checkout ? '' : ' --no-checkout'}`],
    partialBuildSpec: BuildSpec.fromObject({ phases: { install: { 'runtime-versions': { nodejs: 22 } } } }),
    timeout: Duration.minutes(20),
  });
}

const logicalIdOf = (construct: IConstruct) => {
  const resource = construct.node.defaultChild;
  if (!(resource instanceof CfnElement)) throw new Error(`${construct.node.path} has no CloudFormation resource`);
  return Stack.of(construct).getLogicalId(resource);
};

function sourceOf(scope: Construct, source: PipelineSource): CodePipelineSource {
  switch (source.kind) {
    case 'codecommit':
      return CodePipelineSource.codeCommit(
        Repository.fromRepositoryName(scope, 'SourceRepository', source.repositoryName),
        source.branch,
      );
    case 'connection':
      return CodePipelineSource.connection(source.repository, source.branch, { connectionArn: source.connectionArn });
  }
}
