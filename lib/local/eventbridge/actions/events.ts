/** PutEvents and TestEventPattern. */
import { ApiError } from '../../http/aws-json';
import { optionalString, type Action } from '../context';
import { entriesOf, eventOf } from '../events';
import { compilePattern, InvalidEventPattern, matchesPattern, type CompiledPattern } from '../pattern';

/** The fields TestEventPattern requires of its event, as AWS documents. */
const REQUIRED_EVENT_FIELDS = ['id', 'account', 'source', 'time', 'region', 'resources', 'detail-type'];

export function checkedPattern(text: string): CompiledPattern {
  try {
    return compilePattern(text);
  } catch (e) {
    if (e instanceof InvalidEventPattern)
      throw new ApiError('InvalidEventPatternException', `Event pattern is not valid. Reason: ${e.message}`);
    throw e;
  }
}

const PutEvents: Action = (body, { router, store, region, now }) => {
  const at = new Date(now());
  const results = entriesOf(body).map((entry) => {
    const outcome = eventOf(entry, region, at);
    if (!outcome.ok) return { ErrorCode: outcome.ErrorCode, ErrorMessage: outcome.ErrorMessage };
    if (!store.buses.has(outcome.bus))
      return { ErrorCode: 'ResourceNotFoundException', ErrorMessage: `Event bus ${outcome.bus} does not exist.` };
    router.route(outcome.bus, outcome.event);
    return { EventId: outcome.event.id };
  });
  return { FailedEntryCount: results.filter((r) => 'ErrorCode' in r).length, Entries: results };
};

const TestEventPattern: Action = (body) => {
  const pattern = checkedPattern(optionalString(body, 'EventPattern') ?? '');
  let event: unknown;
  try {
    event = JSON.parse(optionalString(body, 'Event') ?? '');
  } catch {
    throw new ApiError('ValidationException', 'Parameter Event is not valid. Reason: not JSON.');
  }
  const missing =
    typeof event === 'object' && event !== null
      ? REQUIRED_EVENT_FIELDS.filter((f) => !(f in event))
      : REQUIRED_EVENT_FIELDS;
  if (missing.length > 0)
    throw new ApiError('ValidationException', `Parameter Event is not valid. Reason: missing ${missing.join(', ')}.`);
  return { Result: matchesPattern(pattern, event) };
};

export const eventActions: Record<string, Action> = { PutEvents, TestEventPattern };
