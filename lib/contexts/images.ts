/**
 * Product images (functions/catalog/images): a private, encrypted, TLS-only, versioned bucket; CloudFront in
 * front of its `products/` prefix alone (origin access control, origin path `/products`: uploads and the
 * quarantine are never reachable through it) with a year-long cache of the immutable variants; the image function
 * (sharp) notified of uploads and granted only the prefixes it works on; and the image routes' grants.
 */
import { Duration, Stack, Validations } from 'aws-cdk-lib';
import {
  AllowedMethods,
  CachePolicy,
  Distribution,
  HttpVersion,
  PriceClass,
  ViewerProtocolPolicy,
} from 'aws-cdk-lib/aws-cloudfront';
import { S3BucketOrigin } from 'aws-cdk-lib/aws-cloudfront-origins';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { EventType, HttpMethods, type Bucket } from 'aws-cdk-lib/aws-s3';
import { LambdaDestination } from 'aws-cdk-lib/aws-s3-notifications';
import { Construct } from 'constructs';
import { QUARANTINE_PREFIX, UPLOADS_PREFIX, VARIANTS_PREFIX } from '../../functions/catalog/images/domain/rules';
import { buckets } from '../buckets';
import { imageProcessor } from '../image-pipeline';
import type { ImageBucketAccess, Route } from '../routes';
import type { TableKey } from '../tables';
import { PlatformFunction } from './platform-function';
import { privateBucket } from './private-bucket';

export interface ImagesProps {
  readonly tables: Readonly<Record<TableKey, ITable>>;
  /** Browser origins that PUT uploads straight to the bucket (the API's CORS origins). */
  readonly corsAllowedOrigins?: readonly string[];
  /** How long a rejected original stays in quarantine for an admin to look at. */
  readonly quarantineDays?: number;
}

const IMAGE_FUNCTION_MEMORY_MB = 2048;

export class Images extends Construct {
  readonly bucket: Bucket;
  readonly distribution: Distribution;
  readonly processor: PlatformFunction;
  /** `https://<distribution domain>`: the public root of the variants (IMAGES_BASE_URL). */
  readonly publicBaseUrl: string;

  constructor(scope: Construct, id: string, props: ImagesProps) {
    super(scope, id);
    this.bucket = this.buildBucket(props);
    this.distribution = this.buildDistribution();
    this.publicBaseUrl = `https://${this.distribution.distributionDomainName}`;
    this.processor = this.buildProcessor(props);
  }

  private buildBucket(props: ImagesProps): Bucket {
    return privateBucket(this, 'Bucket', {
      cors: props.corsAllowedOrigins?.length
        ? [
            {
              allowedOrigins: [...props.corsAllowedOrigins],
              allowedMethods: [HttpMethods.PUT],
              allowedHeaders: ['*'],
              maxAge: 3000,
            },
          ]
        : undefined,
      lifecycleRules: [
        { id: 'quarantine', prefix: QUARANTINE_PREFIX, expiration: Duration.days(props.quarantineDays ?? 30) },
        // An original is deleted once its variants exist; one never processed (a failed run) goes after a week.
        { id: 'stale-uploads', prefix: UPLOADS_PREFIX, expiration: Duration.days(7) },
        {
          id: 'old-versions',
          noncurrentVersionExpiration: Duration.days(30),
          abortIncompleteMultipartUploadAfter: Duration.days(1),
        },
      ],
      accessLogs: {
        notLoggedBecause:
          'Reads are through CloudFront (its own metrics), writes only by presigned URLs the API issues and the image function; CloudTrail data events are the place for an audit of object access if one is wanted.',
      },
    });
  }

  private buildDistribution(): Distribution {
    const variantsCache = new CachePolicy(this, 'VariantsCache', {
      comment: 'Product image variants: immutable keys, cached for a year',
      defaultTtl: Duration.days(365),
      minTtl: Duration.days(1),
      maxTtl: Duration.days(365),
      enableAcceptEncodingGzip: false,
      enableAcceptEncodingBrotli: false,
    });
    const distribution = new Distribution(this, 'Cdn', {
      comment: 'ECIComm product image variants',
      defaultBehavior: {
        origin: S3BucketOrigin.withOriginAccessControl(this.bucket, {
          originPath: `/${VARIANTS_PREFIX.replace(/\/$/, '')}`,
        }),
        viewerProtocolPolicy: ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        allowedMethods: AllowedMethods.ALLOW_GET_HEAD,
        cachePolicy: variantsCache,
        compress: false,
      },
      httpVersion: HttpVersion.HTTP2_AND_3,
      priceClass: PriceClass.PRICE_CLASS_100,
    });
    Validations.of(distribution).acknowledge(
      {
        id: 'AwsSolutions-CFR1',
        reason: 'Product images are public to every country the shop sells to; no geo restriction.',
      },
      {
        id: 'AwsSolutions-CFR2',
        reason: 'Static, public, immutable image variants: no request reaches code, and the API has its own WAF.',
      },
      {
        id: 'AwsSolutions-CFR3',
        reason:
          'Public image reads carry no user data; CloudFront metrics cover operations. Enable standard logging per stage if needed.',
      },
      {
        id: 'AwsSolutions-CFR4',
        reason:
          "The distribution uses CloudFront's default *.cloudfront.net certificate, whose minimum protocol CloudFront sets; a custom domain with TLSv1.2_2021 is a deployment choice.",
      },
    );
    return distribution;
  }

  private buildProcessor(props: ImagesProps): PlatformFunction {
    const processor = new PlatformFunction(this, 'ProcessProductImage', {
      definition: imageProcessor,
      tables: props.tables,
      // Decoding a 40-megapixel image takes ~160 MB of pixels, and Lambda's CPU scales with memory.
      memorySize: IMAGE_FUNCTION_MEMORY_MB,
      timeout: Duration.seconds(60),
      // sharp is a native addon (libvips): installed for linux-arm64 beside the bundle, never bundled by esbuild.
      nodeModules: ['sharp'],
    });
    const fn = processor.function;
    fn.addEnvironment(buckets.images.envVar, this.bucket.bucketName);
    fn.addEnvironment('IMAGES_BASE_URL', this.publicBaseUrl);
    // Originals: read, and deleted once processed or moved. Variants: written, and removed after a failed run.
    // Quarantine: written. Nothing else of the bucket.
    this.bucket.grantRead(fn, `${UPLOADS_PREFIX}*`);
    this.bucket.grantDelete(fn, `${UPLOADS_PREFIX}*`);
    this.bucket.grantPut(fn, `${VARIANTS_PREFIX}*`);
    this.bucket.grantDelete(fn, `${VARIANTS_PREFIX}*`);
    this.bucket.grantPut(fn, `${QUARANTINE_PREFIX}*`);
    this.grantListing(processor);
    this.bucket.addEventNotification(EventType.OBJECT_CREATED, new LambdaDestination(fn), { prefix: UPLOADS_PREFIX });
    this.acknowledgePrefixGrants(processor, [UPLOADS_PREFIX, VARIANTS_PREFIX, QUARANTINE_PREFIX]);
    this.acknowledgeNotificationHandler();
    return processor;
  }

  /** Key names only: HeadObject answers 404 rather than 403 for a missing key only with s3:ListBucket. */
  private grantListing(fn: PlatformFunction) {
    fn.function.addToRolePolicy(
      new PolicyStatement({ actions: ['s3:ListBucket'], resources: [this.bucket.bucketArn] }),
    );
  }

  /** The image routes' grants and IMAGES_BUCKET: presign uploads, or remove an image's objects. */
  grantRoutes(routes: readonly Route[], functions: ReadonlyMap<string, PlatformFunction>) {
    for (const route of routes) {
      if (!route.images) continue;
      const fn = functions.get(route.id);
      if (!fn) throw new Error(`Route ${route.id} uses the images bucket but has no function`);
      fn.function.addEnvironment(buckets.images.envVar, this.bucket.bucketName);
      this.grantRoute(fn, route.images);
    }
  }

  private grantRoute(fn: PlatformFunction, access: ImageBucketAccess) {
    if (access === 'upload') {
      // A presigned PUT acts with the signer's rights: uploads only.
      this.bucket.grantPut(fn.function, `${UPLOADS_PREFIX}*`);
      this.acknowledgePrefixGrants(fn, [UPLOADS_PREFIX]);
      return;
    }
    for (const prefix of [UPLOADS_PREFIX, VARIANTS_PREFIX, QUARANTINE_PREFIX])
      this.bucket.grantDelete(fn.function, `${prefix}*`);
    this.grantListing(fn);
    this.acknowledgePrefixGrants(fn, [UPLOADS_PREFIX, VARIANTS_PREFIX, QUARANTINE_PREFIX]);
  }

  private acknowledgePrefixGrants(fn: PlatformFunction, prefixes: readonly string[]) {
    const bucketArn = `<${Stack.of(this).getLogicalId(this.bucket.node.defaultChild as never)}.Arn>`;
    for (const prefix of prefixes)
      Validations.of(fn.role).acknowledge({
        id: `AwsSolutions-IAM5[Resource::${bucketArn}/${prefix}*]`,
        reason: `Image keys are made per product and image at run time: the grant is the ${prefix} prefix of the images bucket, no wider.`,
      });
    Validations.of(fn.role).acknowledge({
      id: 'AwsSolutions-IAM5[Action::s3:Abort*]',
      reason: 'grantPut and grantDelete include aborting multipart uploads, under the same image prefixes only.',
    });
    Validations.of(fn.role).acknowledge({
      id: 'AwsSolutions-IAM5[Action::s3:DeleteObject*]',
      reason: 'grantDelete: deleting objects (and their versions) under the image prefixes named above only.',
    });
    Validations.of(fn.role).acknowledge({
      id: 'AwsSolutions-IAM5[Action::s3:GetObject*]',
      reason: 'grantRead: reading the uploaded originals under the uploads/ prefix of the images bucket only.',
    });
    Validations.of(fn.role).acknowledge({
      id: 'AwsSolutions-IAM5[Action::s3:GetBucket*]',
      reason: 'grantRead: the bucket metadata of the images bucket (location, versioning), which the SDK may read.',
    });
    Validations.of(fn.role).acknowledge({
      id: 'AwsSolutions-IAM5[Action::s3:List*]',
      reason: 'grantRead: listing the key names of the images bucket, never reading another object.',
    });
  }

  /** CDK's BucketNotificationsHandler: a singleton custom resource that sets the notification configuration. */
  private acknowledgeNotificationHandler() {
    const stack = Stack.of(this);
    for (const child of stack.node.children) {
      if (!child.node.id.startsWith('BucketNotificationsHandler')) continue;
      Validations.of(child).acknowledge(
        {
          id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
          reason:
            "CDK's own bucket-notifications custom resource (aws-cdk-lib) uses AWSLambdaBasicExecutionRole for its logs.",
        },
        {
          id: 'AwsSolutions-IAM5[Resource::*]',
          reason: "CDK's bucket-notifications custom resource calls s3:PutBucketNotification, granted on * by CDK.",
        },
      );
    }
  }
}
