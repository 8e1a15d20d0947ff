/**
 * The e-mails the platform sent, read as a newcomer reads them: from the local SES's inbox (aws-ses-v2-local's
 * `GET /store`, the JSON behind its web page), and when the domain events have all been delivered.
 */
import { platform } from './api';

export interface SentEmail {
  messageId: string;
  from: string;
  destination: { to: string[] };
  subject: string;
  body: { html?: string; text?: string };
  at: number;
}

export const sesEndpoint = () => platform().env.AWS_ENDPOINT_URL_SESV2;

/** Every e-mail the local SES holds to `address`. */
export async function emailsTo(address: string): Promise<SentEmail[]> {
  const res = await fetch(`${sesEndpoint()}/store`);
  if (res.status !== 200) throw new Error(`SES inbox: ${res.status} ${await res.text()}`);
  const { emails } = (await res.json()) as { emails: SentEmail[] };
  return emails.filter((email) => email.destination.to.includes(address));
}

/** Resolves once the publishers and the bus have settled every change the tables held at the call. */
export async function domainEventsDelivered(timeoutMs = 30_000): Promise<void> {
  const res = await fetch(`${platform().analytics.controlUrl}/events/delivered`, {
    method: 'POST',
    body: JSON.stringify({ timeoutMs }),
    headers: { 'content-type': 'application/json' },
  });
  if (res.status !== 204) throw new Error(`domain events not delivered: ${res.status} ${await res.text()}`);
}
