/** Every SQS action the emulator answers, by name, over one store. */
import { SqsError, unsupported } from './errors';
import { messageActions } from './message-actions';
import { queueActions } from './queue-actions';
import type { QueueStore } from './store';
import type { Action } from './types';

/** SQS operations in the SDK's model that this emulator answers with UnsupportedOperation. */
const UNSUPPORTED_ACTIONS = new Set(['AddPermission', 'RemovePermission', 'StartMessageMoveTask', 'CancelMessageMoveTask', 'ListMessageMoveTasks']);

export type Actions = (target: string) => Action;

/** A lookup from an `X-Amz-Target` header to its action; SQS's error for one it does not know. */
export function createActions(store: QueueStore): Actions {
  const actions: Record<string, Action> = { ...queueActions(store), ...messageActions(store) };
  return (target) => {
    const actionName = /^AmazonSQS\.(\w+)$/.exec(target)?.[1];
    const action = actionName !== undefined && Object.hasOwn(actions, actionName) ? actions[actionName]! : undefined;
    if (action) return action;
    if (actionName && UNSUPPORTED_ACTIONS.has(actionName)) throw unsupported(`The ${actionName} action`);
    throw new SqsError('InvalidAction', `The action or operation requested is invalid: ${target}.`);
  };
}
