/** Every SQS action the emulator answers, by name. */
import { SqsError, unsupported } from './errors';
import { messageActions } from './message-actions';
import { queueActions } from './queue-actions';
import type { Action } from './action';

/** SQS operations in the SDK's model that this emulator answers with UnsupportedOperation. */
const UNSUPPORTED_ACTIONS = new Set([
  'AddPermission',
  'RemovePermission',
  'StartMessageMoveTask',
  'CancelMessageMoveTask',
  'ListMessageMoveTasks',
]);

const actions: Record<string, Action> = { ...queueActions, ...messageActions };

/** The action an `X-Amz-Target` header names; SQS's error for one this emulator does not answer. */
export function actionFor(target: string): Action {
  const actionName = /^AmazonSQS\.(\w+)$/.exec(target)?.[1];
  const action = actionName !== undefined && Object.hasOwn(actions, actionName) ? actions[actionName]! : undefined;
  if (action) return action;
  if (actionName && UNSUPPORTED_ACTIONS.has(actionName)) throw unsupported(`The ${actionName} action`);
  throw new SqsError('InvalidAction', `The action or operation requested is invalid: ${target}.`);
}
