import type { NotificationsDeps } from '../ports';
import type { NotifiableEvent, NotificationOutcome } from '../schemas';
import { orderCancelledMessage, orderConfirmedMessage, wantsEmail } from './messages';

/**
 * Tells the shopper what became of their order: the confirmation or the cancellation e-mail, unless they turned
 * e-mails off or their profile has no address. Sent at most once per order and event type: the handler makes
 * this idempotent (a redelivered or replayed event finds the first outcome).
 */
export async function notifyShopper(event: NotifiableEvent, deps: NotificationsDeps): Promise<NotificationOutcome> {
  const { orderId, userId } = event.detail;
  const recipient = await deps.recipients.find(userId);
  if (!recipient?.email) {
    deps.log.warn('no e-mail address for the shopper', { orderId, userId, event: event['detail-type'] });
    return { outcome: 'skipped', reason: 'no-address' };
  }
  if (!wantsEmail(recipient.preferences)) {
    deps.log.info('shopper turned e-mails off', { orderId, userId, event: event['detail-type'] });
    return { outcome: 'skipped', reason: 'opted-out' };
  }
  const message =
    event['detail-type'] === 'OrderConfirmed'
      ? orderConfirmedMessage(event.detail, recipient.firstName)
      : orderCancelledMessage(event.detail, recipient.firstName);
  const { html, text } = deps.templates.render(message.template, message.view);
  const { messageId } = await deps.mailer.send({
    to: recipient.email,
    subject: message.subject,
    html,
    text,
    tags: { event: event['detail-type'], orderId },
  });
  deps.log.info('shopper notified', { orderId, userId, event: event['detail-type'], messageId });
  return { outcome: 'sent', messageId };
}
