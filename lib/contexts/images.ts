/**
 * Product images (functions/catalog/images): a private, encrypted, TLS-only, versioned bucket; CloudFront in
 * front of its `products/` prefix alone (origin access control, origin path `/products`: uploads and the
 * quarantine are never reachable through it) with a year-long cache of the immutable variants; the image function
 * (sharp) notified of uploads and granted only the prefixes it works on (lib/image-pipeline.ts; the image routes
 * name theirs in lib/routes.ts).
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
import { EventType, HttpMethods, type Bucket } from 'aws-cdk-lib/aws-s3';
import { LambdaDestination } from 'aws-cdk-lib/aws-s3-notifications';
import { Construct } from 'constructs';
import { QUARANTINE_PREFIX, UPLOADS_PREFIX, VARIANTS_PREFIX } from '../../functions/catalog/images/domain/rules';
import { imageProcessor } from '../image-pipeline';
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
      // Granted the prefixes its definition names (lib/image-pipeline.ts), as every function is its buckets.
      buckets: { images: this.bucket },
      // Decoding a 40-megapixel image takes ~160 MB of pixels, and Lambda's CPU scales with memory.
      memorySize: IMAGE_FUNCTION_MEMORY_MB,
      timeout: Duration.seconds(60),
      // sharp is a native addon (libvips): installed for linux-arm64 beside the bundle, never bundled by esbuild.
      nodeModules: ['sharp'],
    });
    processor.function.addEnvironment('IMAGES_BASE_URL', this.publicBaseUrl);
    this.bucket.addEventNotification(EventType.OBJECT_CREATED, new LambdaDestination(processor.function), {
      prefix: UPLOADS_PREFIX,
    });
    this.acknowledgeNotificationHandler();
    return processor;
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
