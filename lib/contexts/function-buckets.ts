/**
 * A function's S3 buckets (its definition's `buckets`, lib/buckets.ts): each passed in as its environment
 * variable and granted only the object actions its access needs — read: GetObject; write: PutObject and
 * DeleteObject; readwrite: both, and ListBucket (a job that finds its own objects by prefix).
 */
import { Stack, Validations, type CfnElement } from 'aws-cdk-lib';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import type { Role } from 'aws-cdk-lib/aws-iam';
import { buckets as bucketSpecs, type BucketKey } from '../buckets';
import type { BucketAccess } from '../function-spec';

export type FunctionBuckets = Readonly<Partial<Record<BucketKey, IBucket>>>;

const OBJECT_ACTIONS: Record<BucketAccess, string[]> = {
  read: ['s3:GetObject'],
  write: ['s3:PutObject', 's3:DeleteObject'],
  readwrite: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject'],
};

export function grantBuckets(
  target: { function: NodejsFunction; role: Role },
  definition: { id: string; buckets?: Partial<Record<BucketKey, BucketAccess>> },
  buckets: FunctionBuckets | undefined,
): void {
  for (const [key, access] of Object.entries(definition.buckets ?? {}) as [BucketKey, BucketAccess][]) {
    const bucket = buckets?.[key];
    if (!bucket)
      throw new Error(`${definition.id} names the ${key} bucket but no such bucket was given to its function`);
    target.function.addEnvironment(bucketSpecs[key].envVar, bucket.bucketName);
    target.function.addToRolePolicy(
      new PolicyStatement({ actions: OBJECT_ACTIONS[access], resources: [bucket.arnForObjects('*')] }),
    );
    if (access === 'readwrite')
      target.function.addToRolePolicy(
        new PolicyStatement({ actions: ['s3:ListBucket'], resources: [bucket.bucketArn] }),
      );
    // cdk-nag names the bucket's ARN by its logical id.
    const logicalId = Stack.of(bucket).getLogicalId(bucket.node.defaultChild as CfnElement);
    Validations.of(target.role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${logicalId}.Arn>/*]`,
      reason: `${definition.id} ${access === 'read' ? 'reads' : 'reads and writes'} objects of the ${bucketSpecs[key].name} bucket, whose keys it derives at run time: any object of that bucket, and no other bucket.`,
    });
  }
}
