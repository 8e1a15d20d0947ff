import { z } from 'zod';

/** Context key of the address that gets the stage's alarms: one address, or an object of stage → address. */
export const ALARM_EMAIL_CONTEXT = 'ecicomm:alarmEmail';

const Address = z.email();

/**
 * The stage's alarm e-mail from context (`"ops@example.com"` or `{"Prod": "ops@example.com"}`), or none. A value that
 * is not an address fails the synthesis naming the key, rather than deploying a subscription nobody gets.
 */
export function alarmEmailFromContext(value: unknown, stageName: string | undefined): string | undefined {
  const byStage = typeof value === 'string' && value.trim().startsWith('{') ? parseJson(value) : value;
  const chosen =
    typeof byStage === 'object' && byStage !== null
      ? stageName === undefined
        ? undefined
        : (byStage as Record<string, unknown>)[stageName]
      : byStage;
  if (chosen === undefined) return undefined;
  return validAlarmEmail(chosen);
}

export function validAlarmEmail(value: unknown): string {
  const parsed = Address.safeParse(value);
  if (!parsed.success)
    throw new Error(`${ALARM_EMAIL_CONTEXT} must be an e-mail address, got ${JSON.stringify(value)}`);
  return parsed.data;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new Error(`${ALARM_EMAIL_CONTEXT} must be an address or JSON of stage → address`);
  }
}
