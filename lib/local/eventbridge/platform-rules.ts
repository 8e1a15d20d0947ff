/**
 * The rules of lib/events.ts on the local bus, as the CDK deploys them (lib/contexts/event-rules.ts): each rule
 * with its pattern, its function as the one target with the rule's retry policy, and its dead-letter queue — a
 * queue of the local SQS, created here — so an event the function kept failing on waits there as it would in AWS.
 */
import { PutRuleCommand, PutTargetsCommand, type EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { CreateQueueCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { EventRule } from '../../events';
import { EVENTBRIDGE_ACCOUNT_ID } from './types';

/** A local ARN: the account the local services share. */
const arn = (region: string, service: 'lambda' | 'sqs', resource: string) =>
  `arn:aws:${service}:${region}:${EVENTBRIDGE_ACCOUNT_ID}:${resource}`;

/** Puts every rule with its target on the bus (PutRule and PutTargets replace what a persisted bus had). */
export async function putPlatformRules(
  clients: { events: EventBridgeClient; sqs: SQSClient },
  options: { busName: string; region: string; rules: readonly EventRule[] },
): Promise<void> {
  const { busName, region } = options;
  for (const rule of options.rules) {
    const { target } = rule;
    await clients.sqs.send(new CreateQueueCommand({ QueueName: target.deadLetterQueueName }));
    await clients.events.send(
      new PutRuleCommand({
        Name: rule.id,
        EventBusName: busName,
        EventPattern: JSON.stringify(rule.eventPattern),
        Description: rule.description,
        State: 'ENABLED',
      }),
    );
    await clients.events.send(
      new PutTargetsCommand({
        Rule: rule.id,
        EventBusName: busName,
        Targets: [
          {
            Id: target.id,
            Arn: arn(region, 'lambda', `function:${target.id}`),
            RetryPolicy: {
              MaximumRetryAttempts: target.retry.maximumRetryAttempts,
              MaximumEventAgeInSeconds: target.retry.maximumEventAgeSeconds,
            },
            DeadLetterConfig: { Arn: arn(region, 'sqs', target.deadLetterQueueName) },
          },
        ],
      }),
    );
  }
}
