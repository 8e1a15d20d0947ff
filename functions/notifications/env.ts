import * as z from 'zod/mini';

/** The environment of lib/events.ts's notifications target: its tables, and the sender SES knows. */
export const NOTIFICATIONS_ENV = { from: 'SES_FROM_ADDRESS', configurationSet: 'SES_CONFIGURATION_SET' } as const;

export const NotificationsEnv = z.object({
  USERS_TABLE: z.string().check(z.minLength(1)),
  IDEMPOTENCY_TABLE: z.string().check(z.minLength(1)),
  [NOTIFICATIONS_ENV.from]: z.email(),
  /** Absent locally: the local SES has no configuration sets. */
  [NOTIFICATIONS_ENV.configurationSet]: z.optional(z.string().check(z.minLength(1))),
});
export type NotificationsEnv = z.infer<typeof NotificationsEnv>;

/** The idempotency records' keys start `notifyShopper#`, in both substrates (the function's name differs by stage). */
export const NOTIFICATION_KEY_PREFIX = 'notifyShopper';
