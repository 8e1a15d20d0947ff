import type { Log } from '../shared/log';
import type { NotificationOutcome } from './schemas';

/** The shopper an e-mail goes to, as their profile holds them. */
export interface Recipient {
  email: string;
  firstName?: string;
  /** The profile's preferences as stored (functions/users/schemas.ts): the domain reads the e-mail choice. */
  preferences?: Record<string, unknown>;
}

export interface Recipients {
  find(userId: string): Promise<Recipient | undefined>;
}

export interface OutgoingEmail {
  to: string;
  subject: string;
  html: string;
  text: string;
  /** SES message tags (letters, digits, `_`, `-`): they reach the bounce and complaint notifications. */
  tags: Record<string, string>;
}

export interface Mailer {
  send(email: OutgoingEmail): Promise<{ messageId: string }>;
}

export type TemplateName = 'order-confirmed' | 'order-cancelled';

/** The e-mail templates, one HTML and one plain-text file a message (functions/notifications/templates). */
export interface Templates {
  render(name: TemplateName, view: object): { html: string; text: string };
}

export interface NotificationsDeps {
  recipients: Recipients;
  mailer: Mailer;
  templates: Templates;
  log: Log;
}

export type { NotificationOutcome };
