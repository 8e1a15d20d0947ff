/**
 * The stage's resources across its nested stacks (lib/stacks/platform-stack.ts nests the contexts nothing else
 * refers to): one map of every resource by logical id, and the logical id of a construct in whichever stack holds it.
 */
import { CfnElement, NestedStack, Names, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';

export function allResources<R>(stack: Stack): Record<string, R> {
  return Object.assign({}, ...resourcesByStack<R>(stack).map(([, resources]) => resources)) as Record<string, R>;
}

/**
 * The stack and each of its nested stacks with its own template's resources: for reading a resource's references
 * as its own stack writes them (`referenceFrom(within, target)`).
 */
export function resourcesByStack<R>(stack: Stack): [within: Stack, resources: Record<string, R>][] {
  const nested = stack.node.findAll().filter((c): c is NestedStack => c instanceof NestedStack);
  return [stack, ...nested].map((s) => [s, Template.fromStack(s).toJSON().Resources as Record<string, R>]);
}

export function logicalIdOf(construct: IConstruct): string {
  const element = (construct instanceof CfnElement ? construct : construct.node.defaultChild) as CfnElement;
  return Stack.of(element).getLogicalId(element);
}

/**
 * How `user`'s template refers to `target` (its `Ref`, or `Fn::GetAtt` of `attribute`): directly within one stack;
 * through the parameter CDK creates (`referenceto<unique id><attribute or Ref>`) when `user` is in a nested stack;
 * and, for a target in a sibling nested stack, through the parameter carrying that stack's output.
 */
export function referenceFrom(user: IConstruct, target: IConstruct, attribute?: string): unknown {
  const element = (target instanceof CfnElement ? target : target.node.defaultChild) as CfnElement;
  const producer = Stack.of(element);
  if (producer === Stack.of(user))
    return attribute ? { 'Fn::GetAtt': [logicalIdOf(target), attribute] } : { Ref: logicalIdOf(target) };
  const name = (attribute ?? 'Ref').replace(/[^A-Za-z0-9]/g, '');
  const carrier =
    producer instanceof NestedStack && Stack.of(user) !== producer.nestedStackParent
      ? `${Names.uniqueId(producer.nestedStackResource!)}Outputs${Names.uniqueId(element)}`
      : Names.uniqueId(element);
  return { Ref: `referenceto${carrier}${name}` };
}

/**
 * A string that every reference to `target` in `within`'s template contains, whatever its attribute: the target's
 * logical id in its own stack, else the start of the parameters (`referenceto<unique id>…`) that carry it elsewhere.
 */
export function mentionOf(within: IConstruct, target: IConstruct): string {
  const element = (target instanceof CfnElement ? target : target.node.defaultChild) as CfnElement;
  return Stack.of(element) === Stack.of(within) ? logicalIdOf(target) : `referenceto${Names.uniqueId(element)}`;
}
