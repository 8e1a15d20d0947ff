/**
 * The platform's buckets are all alike where it matters: private (public access blocked, ACLs off), encrypted
 * with S3's key, TLS only, versioned (an overwrite or a delete can be undone) and kept when the stack goes. What
 * differs — lifecycle, CORS, where their access is logged — is what a context passes.
 */
import { RemovalPolicy, Validations } from 'aws-cdk-lib';
import {
  BlockPublicAccess,
  Bucket,
  BucketEncryption,
  ObjectOwnership,
  type CorsRule,
  type IBucket,
  type LifecycleRule,
} from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';

export interface PrivateBucketProps {
  /** Default RETAIN: what the platform keeps outlives the stack. */
  readonly removalPolicy?: RemovalPolicy;
  readonly lifecycleRules?: LifecycleRule[];
  readonly cors?: CorsRule[];
  /** Where its server access is logged, or why it is not (cdk-nag's AwsSolutions-S1, acknowledged with it). */
  readonly accessLogs: { readonly bucket: IBucket; readonly prefix: string } | { readonly notLoggedBecause: string };
}

export function privateBucket(scope: Construct, id: string, props: PrivateBucketProps): Bucket {
  const { accessLogs } = props;
  const bucket = new Bucket(scope, id, {
    blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
    objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
    encryption: BucketEncryption.S3_MANAGED,
    enforceSSL: true,
    versioned: true,
    removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
    lifecycleRules: props.lifecycleRules,
    cors: props.cors,
    ...('bucket' in accessLogs
      ? { serverAccessLogsBucket: accessLogs.bucket, serverAccessLogsPrefix: accessLogs.prefix }
      : {}),
  });
  if ('notLoggedBecause' in accessLogs)
    Validations.of(bucket).acknowledge({ id: 'AwsSolutions-S1', reason: accessLogs.notLoggedBecause });
  return bucket;
}
