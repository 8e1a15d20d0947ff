import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Effect, PolicyStatement, ServicePrincipal, type IGrantable } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import {
  ConfigurationSet,
  EmailIdentity,
  EmailSendingEvent,
  EventDestination,
  Identity,
  SuppressionReasons,
} from 'aws-cdk-lib/aws-ses';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { NOTIFICATIONS_ENV } from '../../functions/notifications/env';

export interface NotificationsProps {
  readonly namePrefix: string;
  /** The address e-mails come from (context `sesFromAddress`). */
  readonly fromAddress: string;
  /**
   * The domain SES verifies (with DKIM) instead of the single address (context `sesDomain`): the from-address
   * must be on it. Without it the address itself is the identity, verified by the link SES mails to it.
   */
  readonly domain?: string;
}

/** What a function needs to send the stage's e-mail: its environment and its one grant. */
export interface EmailSender {
  readonly environment: Readonly<Record<string, string>>;
  grantSend(grantee: IGrantable): void;
}

/**
 * The notifications context's sending side in SES: the sender identity, a configuration set every e-mail is sent
 * in (suppressing addresses that bounced or complained, as SES's account list does), and an SNS topic (encrypted,
 * SSL-only) the configuration set publishes bounces, complaints and rejections to. A sender may call
 * ses:SendEmail on that identity and that configuration set, nothing else.
 */
export class Notifications extends Construct {
  readonly identity: EmailIdentity;
  readonly configurationSet: ConfigurationSet;
  readonly feedbackTopic: Topic;
  readonly sender: EmailSender;

  constructor(scope: Construct, id: string, props: NotificationsProps) {
    super(scope, id);
    if (props.domain && !props.fromAddress.toLowerCase().endsWith(`@${props.domain.toLowerCase()}`))
      throw new Error(`sesFromAddress ${props.fromAddress} is not on the SES domain ${props.domain}`);
    this.configurationSet = new ConfigurationSet(this, 'ConfigurationSet', {
      configurationSetName: `${props.namePrefix}-notifications`,
      suppressionReasons: SuppressionReasons.BOUNCES_AND_COMPLAINTS,
      reputationMetrics: true,
    });
    this.identity = new EmailIdentity(this, 'Identity', {
      identity: props.domain ? Identity.domain(props.domain) : Identity.email(props.fromAddress),
      configurationSet: this.configurationSet,
    });
    this.feedbackTopic = this.buildFeedbackTopic(props.namePrefix);
    this.configurationSet.addEventDestination('Feedback', {
      destination: EventDestination.snsTopic(this.feedbackTopic),
      events: [EmailSendingEvent.BOUNCE, EmailSendingEvent.COMPLAINT, EmailSendingEvent.REJECT],
    });
    const configurationSetArn = Stack.of(this).formatArn({
      service: 'ses',
      resource: 'configuration-set',
      resourceName: this.configurationSet.configurationSetName,
    });
    const identityArn = this.identity.emailIdentityArn;
    this.sender = {
      environment: {
        [NOTIFICATIONS_ENV.from]: props.fromAddress,
        [NOTIFICATIONS_ENV.configurationSet]: this.configurationSet.configurationSetName,
      },
      grantSend: (grantee) =>
        grantee.grantPrincipal.addToPrincipalPolicy(
          new PolicyStatement({
            effect: Effect.ALLOW,
            actions: ['ses:SendEmail'],
            resources: [identityArn, configurationSetArn],
          }),
        ),
    };
  }

  /** Bounces and complaints, for whoever must act on them (subscribe an operator's address or a queue). */
  private buildFeedbackTopic(namePrefix: string): Topic {
    const key = new Key(this, 'FeedbackKey', {
      description: `Encrypts ${namePrefix}-email-feedback (SES bounces and complaints)`,
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.DESTROY,
      pendingWindow: Duration.days(7),
    });
    // SES publishes to an encrypted topic only when it may use the topic's key, for this account's sending only.
    key.addToResourcePolicy(
      new PolicyStatement({
        principals: [new ServicePrincipal('ses.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
        conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } },
      }),
    );
    return new Topic(this, 'Feedback', {
      topicName: `${namePrefix}-email-feedback`,
      displayName: 'ECIComm e-mail bounces and complaints',
      masterKey: key,
      enforceSSL: true,
    });
  }
}
