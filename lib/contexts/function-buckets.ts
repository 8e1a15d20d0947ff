/**
 * A function's S3 buckets (its definition's `buckets`, lib/buckets.ts): each passed in as its environment
 * variable and granted only the object actions its grant names. A whole bucket by access — read: GetObject;
 * write: PutObject and DeleteObject; readwrite: both, and ListBucket (a job that finds its own objects by
 * prefix) — or some prefixes by action: GetObject, PutObject, DeleteObject each on the prefixes it lists, and
 * ListBucket when asked.
 */
import { Validations } from 'aws-cdk-lib';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import type { Role } from 'aws-cdk-lib/aws-iam';
import { arnReferencesFrom } from './nag-references';
import { buckets as bucketSpecs, type BucketKey } from '../buckets';
import type { BucketAccess, BucketGrant, BucketPrefixGrant } from '../function-spec';

export type FunctionBuckets = Readonly<Partial<Record<BucketKey, IBucket>>>;

const OBJECT_ACTIONS: Record<BucketAccess, string[]> = {
  read: ['s3:GetObject'],
  write: ['s3:PutObject', 's3:DeleteObject'],
  readwrite: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject'],
};
const PREFIX_ACTIONS = { get: 's3:GetObject', put: 's3:PutObject', delete: 's3:DeleteObject' } as const;

type Target = { function: NodejsFunction; role: Role };

export function grantBuckets(
  target: Target,
  definition: { id: string; buckets?: Partial<Record<BucketKey, BucketGrant>> },
  buckets: FunctionBuckets | undefined,
): void {
  for (const [key, grant] of Object.entries(definition.buckets ?? {}) as [BucketKey, BucketGrant][]) {
    const bucket = buckets?.[key];
    if (!bucket)
      throw new Error(`${definition.id} names the ${key} bucket but no such bucket was given to its function`);
    target.function.addEnvironment(bucketSpecs[key].envVar, bucket.bucketName);
    if (typeof grant === 'string') grantWholeBucket(target, definition.id, key, bucket, grant);
    else grantPrefixes(target, definition.id, key, bucket, grant);
  }
}

function grantWholeBucket(target: Target, id: string, key: BucketKey, bucket: IBucket, access: BucketAccess) {
  target.function.addToRolePolicy(
    new PolicyStatement({ actions: OBJECT_ACTIONS[access], resources: [bucket.arnForObjects('*')] }),
  );
  if (access === 'readwrite') grantListing(target, bucket);
  for (const arn of arnReferencesFrom(target.role, bucket))
    Validations.of(target.role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${arn}>/*]`,
      reason: `${id} ${access === 'read' ? 'reads' : 'reads and writes'} objects of the ${bucketSpecs[key].name} bucket, whose keys it derives at run time: any object of that bucket, and no other bucket.`,
    });
}

function grantPrefixes(target: Target, id: string, key: BucketKey, bucket: IBucket, grant: BucketPrefixGrant) {
  const prefixes = new Set<string>();
  for (const verb of ['get', 'put', 'delete'] as const) {
    if (!grant[verb]?.length) continue;
    grant[verb].forEach((prefix) => prefixes.add(prefix));
    target.function.addToRolePolicy(
      new PolicyStatement({
        actions: [PREFIX_ACTIONS[verb]],
        resources: grant[verb].map((prefix) => bucket.arnForObjects(`${prefix}*`)),
      }),
    );
  }
  if (grant.list) grantListing(target, bucket);
  for (const prefix of prefixes)
    for (const arn of arnReferencesFrom(target.role, bucket))
      Validations.of(target.role).acknowledge({
        id: `AwsSolutions-IAM5[Resource::<${arn}>/${prefix}*]`,
        reason: `${id}'s keys in the ${bucketSpecs[key].name} bucket are made at run time under ${prefix}: the grant is that prefix, no wider.`,
      });
}

/** Key names only, never an object: ListBucket on the bucket itself. */
function grantListing(target: Target, bucket: IBucket) {
  target.function.addToRolePolicy(new PolicyStatement({ actions: ['s3:ListBucket'], resources: [bucket.bucketArn] }));
}
