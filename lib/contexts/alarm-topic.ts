import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';

export interface AlarmTopicProps {
  /** The topic is `${namePrefix}-${name}`. */
  readonly namePrefix: string;
  readonly name: string;
  readonly displayName: string;
}

/**
 * A bounded context's SNS topic for its CloudWatch alarm notifications: encrypted with a customer-managed key
 * that CloudWatch may use (it cannot use the AWS-managed SNS key), for this account's alarms only, and SSL-only.
 */
export class AlarmTopic extends Construct {
  readonly topic: Topic;

  constructor(scope: Construct, id: string, props: AlarmTopicProps) {
    super(scope, id);
    const key = new Key(this, 'Key', {
      description: `Encrypts ${props.namePrefix}-${props.name} alarm notifications`,
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.DESTROY,
      pendingWindow: Duration.days(7),
    });
    key.addToResourcePolicy(
      new PolicyStatement({
        principals: [new ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
        // Alarms of this account only, so that no other account's alarm can use the key through CloudWatch.
        conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } },
      }),
    );
    this.topic = new Topic(this, 'Topic', {
      topicName: `${props.namePrefix}-${props.name}`,
      displayName: props.displayName,
      masterKey: key,
      enforceSSL: true,
    });
  }
}
