import { CfnElement, Duration, RemovalPolicy, Stack, Validations, type StackProps } from 'aws-cdk-lib';
import { Repository } from 'aws-cdk-lib/aws-codecommit';
import { PipelineType } from 'aws-cdk-lib/aws-codepipeline';
import { Key } from 'aws-cdk-lib/aws-kms';
import { BlockPublicAccess, Bucket, BucketEncryption, ObjectOwnership } from 'aws-cdk-lib/aws-s3';
import { CodePipeline, CodePipelineSource, ShellStep } from 'aws-cdk-lib/pipelines';
import type { Construct, IConstruct } from 'constructs';
import { EciCommStage } from './platform-stack';

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

export interface PipelineStackProps extends StackProps {
  readonly source: PipelineSource;
  /** Name prefix of the platform stage the pipeline deploys, e.g. `ecicomm-prod`. */
  readonly deployNamePrefix: string;
  /** Browser origins allowed to call the deployed stage's API. */
  readonly deployCorsAllowedOrigins?: readonly string[];
}

/**
 * Continuous delivery: on every push to the branch, synthesise the app (which runs the cdk-nag checks
 * and bundles every function with esbuild), update this pipeline if it changed, then deploy the stage.
 */
export class PipelineStack extends Stack {
  readonly pipeline: CodePipeline;
  readonly stage: EciCommStage;

  constructor(scope: Construct, id: string, props: PipelineStackProps) {
    super(scope, id, { description: 'ECIComm delivery pipeline', ...props });

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
    const artifacts = new Bucket(this, 'Artifacts', {
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

    this.pipeline = new CodePipeline(this, 'Pipeline', {
      pipelineName: `${props.deployNamePrefix}-delivery`,
      pipelineType: PipelineType.V2,
      artifactBucket: artifacts,
      synth: new ShellStep('Synth', {
        input: sourceOf(this, props.source),
        // The node devDependency puts Node 22 first on npm scripts' PATH, whatever the image ships.
        commands: ['npm ci', 'npm run synth'],
        primaryOutputDirectory: 'cdk.out',
      }),
      codeBuildDefaults: { timeout: Duration.minutes(30) },
      // One asset-publishing project instead of one per function: fewer projects, same result.
      publishAssetsInParallel: false,
      // Functions bundle with the local esbuild; no step needs a Docker daemon.
      dockerEnabledForSynth: false,
      dockerEnabledForSelfMutation: false,
    });

    this.stage = new EciCommStage(this, 'Prod', {
      env: props.env,
      namePrefix: props.deployNamePrefix,
      corsAllowedOrigins: props.deployCorsAllowedOrigins,
    });
    this.pipeline.addStage(this.stage);
    // Built now rather than at synthesis so that its resources exist for the nag checks and acknowledgements.
    this.pipeline.buildPipeline();
    this.acknowledgePipelineGrants(artifacts);
  }

  /**
   * The wildcards in the pipeline's roles come from CDK Pipelines' own grants; each is scoped to this
   * pipeline's bucket, key, CodeBuild projects or the CDK bootstrap roles.
   */
  private acknowledgePipelineGrants(artifacts: Bucket) {
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
    for (const project of [this.pipeline.synthProject, this.pipeline.selfMutationProject]) {
      const name = `<${logicalIdOf(project)}>`;
      acknowledge(
        `Resource::arn:<AWS::Partition>:logs:<AWS::Region>:<AWS::AccountId>:log-group:/aws/codebuild/${name}:*`,
        "CodeBuild writes the log streams of its own project's log group, named after the project.",
      );
      acknowledge(
        `Resource::arn:<AWS::Partition>:codebuild:<AWS::Region>:<AWS::AccountId>:report-group/${name}-*`,
        "CodeBuild test report groups are created per run under the project's own name.",
      );
    }
    const selfMutationRole = this.pipeline.selfMutationProject.role!;
    Validations.of(selfMutationRole).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::arn:*:iam::<AWS::AccountId>:role/*]',
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
      id: 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:logs:<AWS::Region>:<AWS::AccountId>:log-group:/aws/codebuild/*]',
      reason:
        'The asset-publishing role is shared by the asset projects CDK Pipelines creates; it writes their CodeBuild logs.',
    });
    Validations.of(assetRole).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:codebuild:<AWS::Region>:<AWS::AccountId>:report-group/*]',
      reason:
        'The asset-publishing role is shared by the asset projects CDK Pipelines creates; these are their report groups.',
    });
  }
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
