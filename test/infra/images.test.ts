/**
 * The product-images context in CDK (lib/contexts/images.ts): the bucket's security properties, CloudFront with
 * origin access control confined to the variants, the immutable cache, the upload notification, and the
 * least-privilege grants of the image function and the image routes.
 */
import { App } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import { beforeAll, describe, expect, it } from '@jest/globals';
import { EciCommStack } from '../../lib/stacks/platform-stack';
import { allResources, logicalIdOf, referenceFrom } from '../support/cdk-templates';

type CfnResource = { Type: string; Properties: Record<string, any>; DeletionPolicy?: string };
let stack: EciCommStack;
let resources: Record<string, CfnResource>;

const logicalId = (construct: IConstruct) => logicalIdOf(construct);
const ofType = (type: string) => Object.values(resources).filter((r) => r.Type === type);
const bucket = () => resources[logicalId(stack.images.bucket)].Properties;
const bucketId = () => logicalId(stack.images.bucket);
/** The ARN of the objects under `prefix` as `user`'s stack names it: the route functions are in a nested stack. */
const prefixArn = (prefix: string, user: IConstruct) => ({
  'Fn::Join': ['', [referenceFrom(user, stack.images.bucket, 'Arn'), `/${prefix}*`]],
});

/** Every S3 statement of a role's policies, with its actions as a list. */
function s3Statements(roleConstruct: IConstruct) {
  const roleId = logicalId(roleConstruct);
  return ofType('AWS::IAM::Policy')
    .filter((p) => JSON.stringify(p.Properties.Roles).includes(roleId))
    .flatMap((p) => p.Properties.PolicyDocument.Statement as { Action: string | string[]; Resource: unknown }[])
    .map((s) => ({ actions: [s.Action].flat(), resource: s.Resource }))
    .filter((s) => s.actions.some((a) => a.startsWith('s3:')));
}
const resourcesOf = (statements: ReturnType<typeof s3Statements>) =>
  statements.flatMap((s) => [s.resource].flat()).map((r) => JSON.stringify(r));

beforeAll(() => {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] }, builtinCloudFormationValidation: false });
  stack = new EciCommStack(app, 'ImagesTest', {
    namePrefix: 'ecicomm-test',
    corsAllowedOrigins: ['https://shop.example'],
  });
  resources = allResources(stack);
});

describe('the images bucket', () => {
  it('blocks all public access, encrypts at rest and keeps versions', () => {
    expect(bucket().PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true,
      BlockPublicPolicy: true,
      IgnorePublicAcls: true,
      RestrictPublicBuckets: true,
    });
    expect(bucket().BucketEncryption.ServerSideEncryptionConfiguration[0].ServerSideEncryptionByDefault).toEqual({
      SSEAlgorithm: 'AES256',
    });
    expect(bucket().VersioningConfiguration).toEqual({ Status: 'Enabled' });
  });

  it('refuses every request not over TLS', () => {
    const policy = ofType('AWS::S3::BucketPolicy').find((p) =>
      JSON.stringify(p.Properties.Bucket).includes(bucketId()),
    )!;
    const denyInsecure = policy.Properties.PolicyDocument.Statement.find(
      (s: any) => s.Effect === 'Deny' && s.Condition?.Bool?.['aws:SecureTransport'] === 'false',
    );
    expect(denyInsecure).toMatchObject({ Action: 's3:*', Principal: { AWS: '*' } });
  });

  it('expires the quarantine, stale uploads and old versions', () => {
    const rules = bucket().LifecycleConfiguration.Rules;
    expect(rules).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ Prefix: 'quarantine/', ExpirationInDays: 30, Status: 'Enabled' }),
        expect.objectContaining({ Prefix: 'uploads/', ExpirationInDays: 7 }),
        expect.objectContaining({ NoncurrentVersionExpiration: { NoncurrentDays: 30 } }),
      ]),
    );
  });

  it('lets the allowed browser origins PUT uploads (CORS), and nothing else', () => {
    expect(bucket().CorsConfiguration.CorsRules).toEqual([
      expect.objectContaining({ AllowedOrigins: ['https://shop.example'], AllowedMethods: ['PUT'] }),
    ]);
  });

  it('notifies the image function of objects created under uploads/ only', () => {
    const [notifications] = ofType('Custom::S3BucketNotifications');
    const configs = notifications.Properties.NotificationConfiguration.LambdaFunctionConfigurations;
    expect(configs).toEqual([
      {
        Events: ['s3:ObjectCreated:*'],
        Filter: { Key: { FilterRules: [{ Name: 'prefix', Value: 'uploads/' }] } },
        LambdaFunctionArn: { 'Fn::GetAtt': [logicalId(stack.images.processor.function), 'Arn'] },
      },
    ]);
  });
});

describe('CloudFront in front of the variants', () => {
  it('reads the bucket through origin access control, confined to products/ by the origin path', () => {
    const [distribution] = ofType('AWS::CloudFront::Distribution');
    const config = distribution.Properties.DistributionConfig;
    expect(config.Origins).toHaveLength(1);
    expect(config.Origins[0].OriginPath).toBe('/products');
    expect(config.Origins[0].OriginAccessControlId).toBeDefined();
    expect(config.Origins[0].S3OriginConfig.OriginAccessIdentity).toBe('');
    expect(config.DefaultCacheBehavior.ViewerProtocolPolicy).toBe('redirect-to-https');
    expect(config.DefaultCacheBehavior.AllowedMethods).toEqual(['GET', 'HEAD']);
    const [oac] = ofType('AWS::CloudFront::OriginAccessControl');
    expect(oac.Properties.OriginAccessControlConfig).toMatchObject({
      OriginAccessControlOriginType: 's3',
      SigningBehavior: 'always',
    });
  });

  it('caches the immutable variants for a year', () => {
    const [policy] = ofType('AWS::CloudFront::CachePolicy');
    expect(policy.Properties.CachePolicyConfig).toMatchObject({ DefaultTTL: 31_536_000, MaxTTL: 31_536_000 });
  });
});

describe('the image function', () => {
  it('runs with room to decode images and knows the bucket and the public root of the variants', () => {
    const fn = resources[logicalId(stack.images.processor.function)].Properties;
    expect(fn.MemorySize).toBe(2048);
    expect(fn.Timeout).toBe(60);
    expect(Object.keys(fn.Environment.Variables)).toEqual(
      expect.arrayContaining(['IMAGES_BUCKET', 'IMAGES_BASE_URL', 'PRODUCTS_TABLE', 'PRODUCT_IMAGES_TABLE']),
    );
  });

  it('may read and delete only uploads, write only variants and quarantine', () => {
    const role = stack.images.processor.role;
    const statements = s3Statements(role);
    const granted = resourcesOf(statements);
    for (const prefix of ['uploads/', 'products/', 'quarantine/'])
      expect(granted).toContain(JSON.stringify(prefixArn(prefix, role)));
    expect(granted).not.toContain(JSON.stringify(prefixArn('', role)));
    const onQuarantine = statements.filter((s) => JSON.stringify(s.resource).includes('/quarantine/*'));
    expect(onQuarantine.flatMap((s) => s.actions).every((a) => a.startsWith('s3:Put') || a === 's3:Abort*')).toBe(true);
    // The object actions themselves, not CDK's grant* families (no tagging, retention, legal hold or versions).
    expect([...new Set(statements.flatMap((s) => s.actions))].sort()).toEqual(
      ['s3:DeleteObject', 's3:GetObject', 's3:ListBucket', 's3:PutObject'].sort(),
    );
    const reads = statements.filter((s) => s.actions.some((a) => a.startsWith('s3:GetObject')));
    expect(resourcesOf(reads).filter((r) => r.includes('/'))).toEqual([JSON.stringify(prefixArn('uploads/', role))]);
  });
});

describe('the image routes', () => {
  it('let the upload route sign PUTs under uploads/ only, and the status route touch no bucket', () => {
    const upload = stack.api.functions.get('requestProductImageUpload')!;
    expect(resourcesOf(s3Statements(upload.role))).toEqual([JSON.stringify(prefixArn('uploads/', upload.role))]);
    expect(s3Statements(stack.api.functions.get('getProductImage')!.role)).toEqual([]);
  });

  it('let the delete route delete under the image prefixes and read no object', () => {
    const { role } = stack.api.functions.get('deleteProductImage')!;
    const statements = s3Statements(role);
    expect(
      statements.flatMap((s) => s.actions).some((a) => a.startsWith('s3:GetObject') || a.startsWith('s3:Put')),
    ).toBe(false);
    expect(resourcesOf(statements)).toEqual(
      expect.arrayContaining(['uploads/', 'products/', 'quarantine/'].map((p) => JSON.stringify(prefixArn(p, role)))),
    );
  });
});
