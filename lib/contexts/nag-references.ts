import { Names, Stack, type CfnElement } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/** The logical id of the resource behind a construct, in the stack that holds it. */
export const logicalIdOf = (construct: IConstruct): string =>
  Stack.of(construct).getLogicalId(construct.node.defaultChild as CfnElement);

/**
 * How a policy of `user` names the construct's ARN, as cdk-nag prints it: the resource's own `<logicalId.Arn>`, and,
 * when the user is in another (nested) stack, also the parameter CDK passes it through once synthesised
 * (`referenceto<id>Arn`). An acknowledgement names both, so it holds whichever stack the user ends up in.
 */
export function arnReferencesFrom(user: IConstruct, construct: IConstruct): string[] {
  const element = construct.node.defaultChild as CfnElement;
  const own = `${logicalIdOf(construct)}.Arn`;
  return Stack.of(element) === Stack.of(user) ? [own] : [own, `referenceto${Names.uniqueId(element)}Arn`];
}
