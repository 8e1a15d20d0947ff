/**
 * Observes the domain events bus as a consumer would: a rule with an SQS target, made for one test file and
 * removed after it. `drain()` moves what the queue holds into `seen`.
 */
import {
  DeleteRuleCommand,
  EventBridgeClient,
  PutRuleCommand,
  PutTargetsCommand,
  RemoveTargetsCommand,
} from '@aws-sdk/client-eventbridge';
import {
  CreateQueueCommand,
  DeleteMessageCommand,
  DeleteQueueCommand,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { EVENT_BUS } from '../../functions/events/schemas';
import { platform } from './api';

const TARGET_ID = 'observer';

const clientOptions = () => {
  const { env, region } = platform();
  return { region, credentials: { accessKeyId: env.AWS_ACCESS_KEY_ID, secretAccessKey: env.AWS_SECRET_ACCESS_KEY } };
};

export class EventObserver<E> {
  /** Everything drained so far, in the order received. */
  readonly seen: E[] = [];
  readonly events = new EventBridgeClient({
    ...clientOptions(),
    endpoint: platform().env.AWS_ENDPOINT_URL_EVENTBRIDGE,
  });
  private readonly sqs = new SQSClient({ ...clientOptions(), endpoint: platform().sqsEndpoint });
  private queueUrl?: string;

  /** `name` names both the rule and its queue. */
  constructor(readonly name: string) {}

  /** Makes the queue, and the rule with `pattern` targeting it. */
  async start(pattern: object): Promise<void> {
    ({ QueueUrl: this.queueUrl } = await this.sqs.send(new CreateQueueCommand({ QueueName: this.name })));
    await this.setPattern(pattern);
    const arn = `arn:aws:sqs:${platform().region}:000000000000:${this.name}`;
    await this.events.send(
      new PutTargetsCommand({ Rule: this.name, EventBusName: EVENT_BUS, Targets: [{ Id: TARGET_ID, Arn: arn }] }),
    );
  }

  /** Changes the rule's pattern (PutRule on an existing rule keeps its targets). */
  async setPattern(pattern: object): Promise<void> {
    await this.events.send(
      new PutRuleCommand({ Name: this.name, EventBusName: EVENT_BUS, EventPattern: JSON.stringify(pattern) }),
    );
  }

  /** Moves every message the queue holds into `seen`, and returns `seen`. */
  async drain(): Promise<E[]> {
    for (;;) {
      const { Messages = [] } = await this.sqs.send(
        new ReceiveMessageCommand({ QueueUrl: this.queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }),
      );
      if (Messages.length === 0) return this.seen;
      for (const message of Messages) {
        this.seen.push(JSON.parse(message.Body!) as E);
        await this.sqs.send(
          new DeleteMessageCommand({ QueueUrl: this.queueUrl, ReceiptHandle: message.ReceiptHandle }),
        );
      }
    }
  }

  /** Removes the target, the rule and the queue; never throws (it runs in afterAll, whatever failed). */
  async stop(): Promise<void> {
    const quietly = (p: Promise<unknown>) => p.catch(() => undefined);
    await quietly(
      this.events.send(new RemoveTargetsCommand({ Rule: this.name, EventBusName: EVENT_BUS, Ids: [TARGET_ID] })),
    );
    await quietly(this.events.send(new DeleteRuleCommand({ Name: this.name, EventBusName: EVENT_BUS })));
    if (this.queueUrl) await quietly(this.sqs.send(new DeleteQueueCommand({ QueueUrl: this.queueUrl })));
    this.events.destroy();
    this.sqs.destroy();
  }
}
