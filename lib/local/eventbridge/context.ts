/** What every action of the local EventBridge works with, and the checks they share. */
import { ApiError } from '../http/aws-json';
import type { Arns } from './arns';
import { busName } from './events';
import type { Router } from './routing';
import type { EventBridgeStore } from './store';

export interface ActionContext {
  store: EventBridgeStore;
  router: Router;
  arns: Arns;
  region: string;
  now: () => number;
}

export type Action = (body: Record<string, unknown>, context: ActionContext) => unknown;

const NAME = /^[.\-_A-Za-z0-9]{1,64}$/;

export function requiredName(body: Record<string, unknown>, field: string): string {
  const value = body[field];
  if (typeof value !== 'string' || !NAME.test(value))
    throw new ApiError(
      'ValidationException',
      `${field} must be 1 to 64 characters of letters, digits, '.', '-' and '_'`,
    );
  return value;
}

export function optionalString(body: Record<string, unknown>, field: string): string | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw new ApiError('ValidationException', `${field} must be a string`);
  return value;
}

/** The bus an action names (by name or ARN), the default one when absent; it must exist. */
export function existingBus(body: Record<string, unknown>, context: ActionContext, field = 'EventBusName'): string {
  const named = optionalString(body, field);
  const bus = named ? busName(named) : 'default';
  if (!context.store.buses.has(bus))
    throw new ApiError('ResourceNotFoundException', `Event bus ${bus} does not exist.`);
  return bus;
}

export const notFound = (what: string) => new ApiError('ResourceNotFoundException', `${what} does not exist.`);

/** A timestamp of the JSON protocol (epoch seconds) as epoch milliseconds. */
export function epochMs(body: Record<string, unknown>, field: string): number {
  const value = body[field];
  if (typeof value !== 'number' || !Number.isFinite(value))
    throw new ApiError('ValidationException', `${field} must be a timestamp`);
  return value * 1000;
}
