/**
 * The archive of old orders' bucket (lib/buckets.ts: orderArchive): private, encrypted, TLS only, versioned (an
 * overwritten or deleted archive object can be brought back), with its access logged. The archive job writes its
 * objects in Glacier Instant Retrieval itself (functions/orders/archive); the job's schedule is in lib/saga.ts.
 */
import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import { BlockPublicAccess, Bucket, BucketEncryption, ObjectOwnership } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { privateBucket } from './private-bucket';

export interface OrderArchiveProps {
  readonly namePrefix: string;
}

export class OrderArchive extends Construct {
  readonly bucket: Bucket;
  readonly accessLogs: Bucket;

  constructor(scope: Construct, id: string, props: OrderArchiveProps) {
    super(scope, id);
    this.accessLogs = new Bucket(this, 'AccessLogs', {
      encryption: BucketEncryption.S3_MANAGED,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      versioned: true,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_PREFERRED,
      lifecycleRules: [{ expiration: Duration.days(365), noncurrentVersionExpiration: Duration.days(30) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(this.accessLogs).acknowledge({
      id: 'AwsSolutions-S1',
      reason: `The access-log bucket of ${props.namePrefix}'s order archive: logging its own access would log forever.`,
    });
    this.bucket = privateBucket(this, 'Bucket', {
      accessLogs: { bucket: this.accessLogs, prefix: 'order-archive/' },
      // Old versions (a rerun's identical rewrite, a removed pending marker) are kept a month, then go.
      // Orders themselves are kept for good: the bucket outlives the stack.
      lifecycleRules: [{ noncurrentVersionExpiration: Duration.days(30) }],
    });
  }
}
