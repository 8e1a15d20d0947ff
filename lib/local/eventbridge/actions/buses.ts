/** Event buses: CreateEventBus, DescribeEventBus, ListEventBuses, DeleteEventBus. */
import { ApiError } from '../../http/aws-json';
import { existingBus, requiredName, type Action } from '../context';
import { DEFAULT_BUS } from '../types';

const CreateEventBus: Action = (body, { store, arns }) => {
  const name = requiredName(body, 'Name');
  if (store.buses.has(name)) throw new ApiError('ResourceAlreadyExistsException', `Event bus ${name} already exists.`);
  store.buses.add(name);
  store.save();
  return { EventBusArn: arns.bus(name) };
};

const DeleteEventBus: Action = (body, context) => {
  const bus = existingBus(body, context, 'Name');
  if (bus === DEFAULT_BUS) throw new ApiError('ValidationException', 'Cannot delete event bus default.');
  for (const [key, rule] of context.store.rules) if (rule.spec.EventBusName === bus) context.store.rules.delete(key);
  context.store.buses.delete(bus);
  context.store.save();
  return {};
};

export const busActions: Record<string, Action> = {
  CreateEventBus,
  DescribeEventBus: (body, context) => {
    const bus = existingBus(body, context, 'Name');
    return { Name: bus, Arn: context.arns.bus(bus) };
  },
  ListEventBuses: (_body, { store, arns }) => ({
    EventBuses: [...store.buses].map((Name) => ({ Name, Arn: arns.bus(Name) })),
  }),
  DeleteEventBus,
};
