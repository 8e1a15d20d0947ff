import { Names, Stage } from 'aws-cdk-lib';
import type { Method } from 'aws-cdk-lib/aws-apigateway';
import type { Dashboard, IAlarm } from 'aws-cdk-lib/aws-cloudwatch';
import { Subscription, SubscriptionProtocol, type Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type { Alias } from 'aws-cdk-lib/aws-lambda';
import type { IStateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct, type IConstruct } from 'constructs';
import { AlarmTopic } from '../alarm-topic';
import { ALARM_EMAIL_CONTEXT, alarmEmailFromContext, validAlarmEmail } from './alarm-email';
import { OperationsAlarms } from './alarms';
import { buildDashboard } from './dashboard';
import { ApiMetrics, BusinessMetrics } from './metrics';
import { RouteCanaries } from './canaries';
import { surveyStage, type StageSurvey } from './survey';

export { ALARM_EMAIL_CONTEXT } from './alarm-email';

export interface OperationsProps {
  /** The stage's namePrefix: physical names start with it, and it is the `stage` dimension the functions emit. */
  readonly namePrefix: string;
  /** The stage whose functions, tables, queues, consumers and alarm topics are watched (its construct tree). */
  readonly stage: IConstruct;
  readonly api: {
    readonly restApiName: string;
    readonly stageName: string;
    /** The API's methods by route id. */
    readonly methods: ReadonlyMap<string, Method>;
    /** The live alias of each route's function, by route id: deployed as canaries rolled back by the alarms. */
    readonly liveAliases: ReadonlyMap<string, Alias>;
  };
  readonly saga: IStateMachine;
  /** Who gets the alarms by e-mail; else context `ecicomm:alarmEmail` (an address, or stage → address); else no one. */
  readonly alarmEmail?: string;
}

/**
 * A stage's operations: its alarm topic, the CloudWatch dashboard `${namePrefix}-operations`, alarms with a
 * runbook line each, and the route functions' canary deployments, rolled back by those alarms. On-call's e-mail is subscribed to this topic and to every context's own alarm topic (checkout,
 * analytics, search, events, audit, backup failures): the contexts keep their topics and alarms as they are, and
 * nothing in the parent stack has to refer to this nested stack.
 */
export class Operations extends Construct {
  readonly topic: Topic;
  readonly alarmEmail?: string;
  readonly survey: StageSurvey;
  readonly alarms: OperationsAlarms;
  readonly dashboard: Dashboard;
  /**
   * What rolls a CodeDeploy canary back: the API 5xx rate and the Lambda errors alarms (one per group of 10
   * functions: an alarm's math takes 10 metrics at most). CodeDeploy takes 10 alarms a deployment group.
   */
  readonly deploymentAlarms: IAlarm[];
  readonly canaries: RouteCanaries;

  constructor(scope: Construct, id: string, props: OperationsProps) {
    super(scope, id);
    this.alarmEmail =
      props.alarmEmail !== undefined
        ? validAlarmEmail(props.alarmEmail)
        : alarmEmailFromContext(this.node.tryGetContext(ALARM_EMAIL_CONTEXT), Stage.of(this)?.stageName);
    this.topic = new AlarmTopic(this, 'Alarms', {
      namePrefix: props.namePrefix,
      name: 'operations-alarms',
      displayName: `ECIComm ${props.namePrefix} operations alarms`,
    }).topic;
    this.survey = surveyStage(props.stage, this);
    if (this.alarmEmail) this.subscribe(this.alarmEmail);

    const api = new ApiMetrics(props.api.restApiName, props.api.stageName);
    const business = new BusinessMetrics(props.namePrefix);
    this.alarms = new OperationsAlarms(this, 'Alarm', {
      namePrefix: props.namePrefix,
      topic: this.topic,
      api,
      saga: props.saga,
      business,
      survey: this.survey,
    });
    this.deploymentAlarms = [this.alarms.api5xxRate, ...this.alarms.lambdaErrors];
    if (this.deploymentAlarms.length > 10)
      throw new Error(`${this.deploymentAlarms.length} deployment alarms: CodeDeploy takes at most 10`);
    this.canaries = new RouteCanaries(this, 'Canaries', {
      namePrefix: props.namePrefix,
      aliases: props.api.liveAliases,
      alarms: this.deploymentAlarms,
    });
    this.dashboard = buildDashboard(this, {
      dashboardName: `${props.namePrefix}-operations`,
      api,
      methods: props.api.methods,
      saga: props.saga,
      business,
      survey: this.survey,
      alarms: this.alarms.all,
    });
  }

  /** The stage topic and each context's alarm topic: one confirmation e-mail each, then every alarm arrives. */
  private subscribe(email: string) {
    this.topic.addSubscription(new EmailSubscription(email));
    for (const topic of this.survey.contextTopics)
      new Subscription(this, `OnCall${Names.nodeUniqueId(topic.node)}`, {
        topic,
        protocol: SubscriptionProtocol.EMAIL,
        endpoint: email,
      });
  }
}
