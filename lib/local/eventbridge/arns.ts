/** The ARNs of the local EventBridge's resources, as AWS forms them. */
import { DEFAULT_BUS, EVENTBRIDGE_ACCOUNT_ID } from './types';

export function arnsFor(region: string) {
  const base = `arn:aws:events:${region}:${EVENTBRIDGE_ACCOUNT_ID}`;
  return {
    bus: (name: string) => `${base}:event-bus/${name}`,
    rule: (bus: string, name: string) => (bus === DEFAULT_BUS ? `${base}:rule/${name}` : `${base}:rule/${bus}/${name}`),
    archive: (name: string) => `${base}:archive/${name}`,
    replay: (name: string) => `${base}:replay/${name}`,
  };
}

export type Arns = ReturnType<typeof arnsFor>;
