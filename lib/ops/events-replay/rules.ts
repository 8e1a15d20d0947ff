/**
 * The rules a replay reaches. StartReplay sends every archived event of its window to the rules its
 * Destination.FilterArns names (every rule of the bus without it), each rule judging the event by its own pattern;
 * it cannot filter by a pattern of its own. So a replay restricted by --pattern goes to temporary rules instead:
 * one per consumer rule, with that rule's targets and the pattern `rule AND --pattern AND replay-name = <this
 * replay>` (./patterns.ts), named in FilterArns, and removed when the replay ends. The consumers' own rules get
 * nothing from it; live events never match the temporary rules (they carry no replay-name).
 */
import {
  DeleteRuleCommand,
  EventBridgeClient,
  ListRulesCommand,
  ListTargetsByRuleCommand,
  PutRuleCommand,
  PutTargetsCommand,
  RemoveTargetsCommand,
  type Rule,
  type Target,
} from '@aws-sdk/client-eventbridge';
import { EVENT_REPLAY_RULE_PREFIX } from '../../events';
import { eventBridgeJudge, ReplayRefused } from './checks';
import { conjoinPatterns, InexpressiblePattern, type EventPattern } from './patterns';

/** Every replay's name starts so; so do its temporary rules', which no replay reaches as a consumer. */
export const REPLAY_PREFIX = EVENT_REPLAY_RULE_PREFIX;

export interface ConsumerRule {
  name: string;
  arn: string;
  pattern: EventPattern;
  targets: Target[];
}

export interface TemporaryRule {
  name: string;
  arn: string;
  /** The consumer rule whose targets it delivers to. */
  stands: string;
  targetIds: string[];
}

async function allRules(client: EventBridgeClient, bus: string): Promise<Rule[]> {
  const rules: Rule[] = [];
  let NextToken: string | undefined;
  do {
    const page = await client.send(new ListRulesCommand({ EventBusName: bus, NextToken }));
    rules.push(...(page.Rules ?? []));
    NextToken = page.NextToken;
  } while (NextToken);
  return rules;
}

async function targetsOf(client: EventBridgeClient, bus: string, rule: string): Promise<Target[]> {
  const targets: Target[] = [];
  let NextToken: string | undefined;
  do {
    const page = await client.send(new ListTargetsByRuleCommand({ EventBusName: bus, Rule: rule, NextToken }));
    targets.push(...(page.Targets ?? []));
    NextToken = page.NextToken;
  } while (NextToken);
  return targets;
}

/**
 * The bus's consumer rules: enabled, with an event pattern and targets; not a rule AWS manages (an archive's) nor
 * another replay's temporary rule. `only` names the ones wanted; a name that is no such rule is refused.
 */
export async function consumerRules(client: EventBridgeClient, bus: string, only?: string[]): Promise<ConsumerRule[]> {
  const rules = (await allRules(client, bus)).filter(
    (r) => r.State === 'ENABLED' && r.EventPattern && !r.ManagedBy && !r.Name?.startsWith(REPLAY_PREFIX),
  );
  const missing = (only ?? []).filter((name) => !rules.some((r) => r.Name === name));
  if (missing.length > 0)
    throw new ReplayRefused(`no enabled rule with an event pattern named ${missing.join(', ')} on ${bus}`);
  const consumers: ConsumerRule[] = [];
  for (const rule of rules.filter((r) => !only || only.includes(r.Name!))) {
    const targets = await targetsOf(client, bus, rule.Name!);
    if (targets.length === 0) continue;
    const pattern = JSON.parse(rule.EventPattern!) as EventPattern;
    consumers.push({ name: rule.Name!, arn: rule.Arn!, pattern, targets });
  }
  return consumers;
}

/** The temporary rules for a replay restricted to `pattern`; the consumers no such event can reach get none. */
export async function createTemporaryRules(
  client: EventBridgeClient,
  bus: string,
  replayName: string,
  consumers: ConsumerRule[],
  pattern: EventPattern,
): Promise<TemporaryRule[]> {
  const plans: { consumer: ConsumerRule; joined: EventPattern }[] = [];
  for (const consumer of consumers) {
    try {
      const joined = await conjoinPatterns(
        [consumer.pattern, pattern, { 'replay-name': [replayName] }],
        eventBridgeJudge(client),
      );
      if (joined) plans.push({ consumer, joined });
    } catch (e) {
      if (e instanceof InexpressiblePattern)
        throw new ReplayRefused(`--pattern cannot be combined with rule ${consumer.name}: ${e.message}`);
      throw e;
    }
  }
  const created: TemporaryRule[] = [];
  try {
    for (const [index, { consumer, joined }] of plans.entries()) {
      const name = `${replayName}-${index + 1}`;
      const { RuleArn } = await client.send(
        new PutRuleCommand({
          Name: name,
          EventBusName: bus,
          EventPattern: JSON.stringify(joined),
          State: 'ENABLED',
          Description: `Temporary: ${replayName} (npm run events:replay --pattern) to the targets of ${consumer.name}`,
        }),
      );
      created.push({ name, arn: RuleArn!, stands: consumer.name, targetIds: consumer.targets.map((t) => t.Id!) });
      const { FailedEntries = [] } = await client.send(
        new PutTargetsCommand({ Rule: name, EventBusName: bus, Targets: consumer.targets }),
      );
      if (FailedEntries.length > 0)
        throw new Error(
          `targets of ${consumer.name} not copied: ${FailedEntries.map((f) => f.ErrorMessage).join('; ')}`,
        );
    }
  } catch (e) {
    await removeTemporaryRules(client, bus, created);
    throw e;
  }
  return created;
}

/** Removes the temporary rules (their targets first, as EventBridge requires); reports, never throws. */
export async function removeTemporaryRules(
  client: EventBridgeClient,
  bus: string,
  rules: TemporaryRule[],
  onError: (rule: string, error: Error) => void = () => undefined,
): Promise<void> {
  for (const rule of rules) {
    try {
      if (rule.targetIds.length > 0)
        await client.send(new RemoveTargetsCommand({ Rule: rule.name, EventBusName: bus, Ids: rule.targetIds }));
      await client.send(new DeleteRuleCommand({ Name: rule.name, EventBusName: bus }));
    } catch (e) {
      onError(rule.name, e as Error);
    }
  }
}
