/** Rules and their targets: PutRule, DescribeRule, ListRules, Enable/DisableRule, DeleteRule, Put/RemoveTargets, ListTargetsByRule. */
import { ApiError } from '../../http/aws-json';
import { existingBus, notFound, optionalString, requiredName, type Action, type ActionContext } from '../context';
import { ruleKey } from '../store';
import type { Rule, TargetSpec } from '../types';
import { checkedPattern } from './events';

/** EventBridge's limit of targets per rule. */
const MAX_TARGETS = 5;
const TARGET_ARN = /^arn:aws:(lambda:[^:]+:\d{12}:function:[^:]+|sqs:[^:]+:\d{12}:[^:]+)$/;
const INPUT_PATH = /^\$(\.[A-Za-z0-9_-]+)*$/;

function ruleOf(body: Record<string, unknown>, context: ActionContext): Rule {
  const bus = existingBus(body, context);
  const rule = context.store.rules.get(ruleKey(bus, requiredName(body, body.Name !== undefined ? 'Name' : 'Rule')));
  if (!rule) throw notFound(`Rule ${String(body.Name ?? body.Rule)} on event bus ${bus}`);
  return rule;
}

const describe = ({ spec }: Rule) => ({ ...spec });

const PutRule: Action = (body, context) => {
  const bus = existingBus(body, context);
  const name = requiredName(body, 'Name');
  if (body.ScheduleExpression !== undefined)
    throw new ApiError(
      'ValidationException',
      'ScheduleExpression is not supported locally: schedules run as the platform timers.',
    );
  const text = optionalString(body, 'EventPattern');
  if (!text) throw new ApiError('ValidationException', 'EventPattern is required.');
  const state = body.State === 'DISABLED' ? 'DISABLED' : 'ENABLED';
  const arn = context.arns.rule(bus, name);
  const key = ruleKey(bus, name);
  const spec = {
    Name: name,
    Arn: arn,
    EventBusName: bus,
    EventPattern: text,
    State: state,
    Description: optionalString(body, 'Description'),
  } as const;
  context.store.rules.set(key, {
    spec,
    pattern: checkedPattern(text),
    targets: context.store.rules.get(key)?.targets ?? new Map<string, TargetSpec>(),
  });
  context.store.save();
  return { RuleArn: arn };
};

const setState =
  (state: 'ENABLED' | 'DISABLED'): Action =>
  (body, context) => {
    const rule = ruleOf(body, context);
    rule.spec = { ...rule.spec, State: state };
    context.store.save();
    return {};
  };

const DeleteRule: Action = (body, context) => {
  const rule = ruleOf(body, context);
  if (rule.targets.size > 0) throw new ApiError('ValidationException', "Rule can't be deleted since it has targets.");
  context.store.rules.delete(ruleKey(rule.spec.EventBusName, rule.spec.Name));
  context.store.save();
  return {};
};

const ListRules: Action = (body, context) => {
  const bus = existingBus(body, context);
  const prefix = optionalString(body, 'NamePrefix') ?? '';
  const rules = [...context.store.rules.values()].filter(
    (r) => r.spec.EventBusName === bus && r.spec.Name.startsWith(prefix),
  );
  return { Rules: rules.map(describe) };
};

function checkedTarget(value: unknown): TargetSpec {
  const target = value as Partial<TargetSpec> | null;
  if (!target || typeof target.Id !== 'string' || !/^[.\-_A-Za-z0-9]{1,64}$/.test(target.Id))
    throw new ApiError('ValidationException', 'Each target needs an Id of 1 to 64 characters.');
  if (typeof target.Arn !== 'string' || !TARGET_ARN.test(target.Arn))
    throw new ApiError(
      'ValidationException',
      `Target ${target.Id}: the local EventBridge delivers to Lambda functions and SQS queues only.`,
    );
  if (target.Input !== undefined && target.InputPath !== undefined)
    throw new ApiError('ValidationException', `Target ${target.Id}: Input and InputPath are mutually exclusive.`);
  if (target.Input !== undefined) {
    try {
      JSON.parse(target.Input);
    } catch {
      throw new ApiError('ValidationException', `Target ${target.Id}: Input is not valid JSON.`);
    }
  }
  if (target.InputPath !== undefined && !INPUT_PATH.test(target.InputPath))
    throw new ApiError('ValidationException', `Target ${target.Id}: InputPath must be $ or $.field.field…`);
  const { Id, Arn, Input, InputPath, RetryPolicy, DeadLetterConfig } = target;
  return { Id, Arn, Input, InputPath, RetryPolicy, DeadLetterConfig };
}

const PutTargets: Action = (body, context) => {
  const rule = ruleOf(body, context);
  if (!Array.isArray(body.Targets) || body.Targets.length === 0)
    throw new ApiError('ValidationException', 'Targets is required.');
  const targets = body.Targets.map(checkedTarget);
  const ids = new Set([...rule.targets.keys(), ...targets.map((t) => t.Id)]);
  if (ids.size > MAX_TARGETS)
    throw new ApiError('LimitExceededException', `A rule can have at most ${MAX_TARGETS} targets.`);
  targets.forEach((target) => rule.targets.set(target.Id, target));
  context.store.save();
  return { FailedEntryCount: 0, FailedEntries: [] };
};

const RemoveTargets: Action = (body, context) => {
  const rule = ruleOf(body, context);
  const ids = Array.isArray(body.Ids) ? body.Ids.filter((id): id is string => typeof id === 'string') : [];
  ids.forEach((id) => rule.targets.delete(id));
  context.store.save();
  return { FailedEntryCount: 0, FailedEntries: [] };
};

const ListTargetsByRule: Action = (body, context) => ({ Targets: [...ruleOf(body, context).targets.values()] });

export const ruleActions: Record<string, Action> = {
  PutRule,
  DescribeRule: (body, context) => describe(ruleOf(body, context)),
  ListRules,
  EnableRule: setState('ENABLED'),
  DisableRule: setState('DISABLED'),
  DeleteRule,
  PutTargets,
  RemoveTargets,
  ListTargetsByRule,
};
