/**
 * The notifications' words and templates (functions/notifications): a confirmation lists the lines, the totals in
 * pounds from pence and the shipping address, in HTML (escaped: a product named `<script>` is shown, never run) and
 * in plain text (as written); a cancellation says why in plain words and what became of the money; e-mail is on
 * unless the shopper turned it off; the preferences a profile takes (functions/users/schemas.ts).
 */
import { describe, expect, it } from '@jest/globals';
import {
  formatMoney,
  orderCancelledMessage,
  orderConfirmedMessage,
  wantsEmail,
} from '../../functions/notifications/domain/messages';
import type { OrderCancelledDetail, OrderConfirmedDetail } from '../../functions/notifications/schemas';
import { fileTemplates } from '../../functions/notifications/template-files';
import { UpdateProfile } from '../../functions/users/schemas';

const confirmed: OrderConfirmedDetail = {
  schemaVersion: 1,
  orderId: '3f2a9c1e-0000-4000-8000-000000000001',
  userId: 'user-1',
  items: [
    { productId: 'p1', name: 'Brass <script>alert("x")</script> Lamp', quantity: 2, unitPrice: 1234, lineTotal: 2468 },
    { productId: 'p2', name: 'Fish & Chips Plate', quantity: 1, unitPrice: 123456, lineTotal: 123456 },
  ],
  subtotal: 125924,
  discount: 0,
  tax: 25185,
  shipping: 0,
  total: 151109,
  currency: 'GBP',
  shippingAddress: {
    name: 'Ada <b>Lovelace</b>',
    line1: '12 St James Square',
    city: 'London',
    postalCode: 'SW1Y 4JH',
    country: 'GB',
  },
  at: '2026-12-07T06:00:00.000Z',
};

const cancelled = (over: Partial<OrderCancelledDetail>): OrderCancelledDetail => ({
  schemaVersion: 1,
  orderId: '3f2a9c1e-0000-4000-8000-000000000002',
  userId: 'user-1',
  failureReason: 'PAYMENT_DECLINED',
  paymentStatus: 'DECLINED',
  total: 999,
  currency: 'GBP',
  at: '2026-12-07T06:00:00.000Z',
  ...over,
});

const templates = fileTemplates();
const render = (message: ReturnType<typeof orderConfirmedMessage>) => templates.render(message.template, message.view);

describe('money in an e-mail', () => {
  it('is written in pounds from pence: £12.34, £1,234.56, £0.05', () => {
    expect([formatMoney(1234, 'GBP'), formatMoney(123456, 'GBP'), formatMoney(5, 'GBP')]).toEqual([
      '£12.34',
      '£1,234.56',
      '£0.05',
    ]);
  });
});

describe('the order confirmation', () => {
  const message = orderConfirmedMessage(confirmed, 'Ada');
  const { html, text } = render(message);

  it('has a subject naming the order by its short reference', () => {
    expect(message.subject).toBe('Your order 3F2A9C1E is confirmed');
    expect(orderConfirmedMessage({ ...confirmed, orderId: 'ord_f2dfd4e16175a7e1' }).subject).toBe(
      'Your order F2DFD4E1 is confirmed',
    );
  });

  it('lists every line and the totals in pounds, in both parts', () => {
    for (const part of [html, text]) {
      expect(part).toContain('£12.34');
      expect(part).toContain('£24.68');
      expect(part).toContain('£1,234.56');
      expect(part).toContain('£1,259.24');
      expect(part).toContain('£251.85');
      expect(part).toContain('£1,511.09');
      expect(part).toContain('Free');
      expect(part).not.toContain('Discount');
    }
    expect(text).toContain('2 x Brass <script>alert("x")</script> Lamp at £12.34: £24.68');
    expect(text).toContain('1 x Fish & Chips Plate at £1,234.56: £1,234.56');
    expect(text).toContain('Total: £1,511.09');
  });

  it('escapes the HTML part: a product named <script> is shown as text, never as markup', () => {
    expect(html).not.toContain('<script>');
    expect(html).toContain('Brass &lt;script&gt;alert(&quot;x&quot;)&lt;&#x2F;script&gt; Lamp');
    expect(html).toContain('Fish &amp; Chips Plate');
    expect(html).toContain('Ada &lt;b&gt;Lovelace&lt;&#x2F;b&gt;');
    expect(html).not.toContain('<b>');
  });

  it('gives the shipping address line by line', () => {
    expect(text).toContain('We will deliver to:\nAda <b>Lovelace</b>\n12 St James Square\nLondon\nSW1Y 4JH\nGB\n');
  });

  it('shows a discount and a delivery charge when there are', () => {
    const { text: withDiscount } = render(orderConfirmedMessage({ ...confirmed, discount: 500, shipping: 399 }));
    expect(withDiscount).toContain('Discount: -£5.00');
    expect(withDiscount).toContain('Delivery: £3.99');
    expect(withDiscount.startsWith('Hello,')).toBe(true);
  });
});

describe('the cancellation', () => {
  it('says in plain words that the card was declined and nothing was charged', () => {
    const message = orderCancelledMessage(cancelled({}), 'Ada');
    const { html, text } = templates.render(message.template, message.view);
    expect(message.subject).toBe('Your order 3F2A9C1E was cancelled');
    expect(text).toContain('because your card issuer declined the payment.');
    expect(text).toContain('Nothing was charged.');
    expect(text).toContain('£9.99');
    expect(html).toContain('Nothing was charged.');
  });

  it('says the items were out of stock and the charge was refunded when it was', () => {
    const message = orderCancelledMessage(cancelled({ failureReason: 'OUT_OF_STOCK', paymentStatus: 'REFUNDED' }));
    const { text } = templates.render(message.template, message.view);
    expect(text).toContain('because one or more items in it are out of stock.');
    expect(text).toContain('The charge was refunded');
    expect(text).not.toContain('Nothing was charged');
  });

  it('has words for every failure reason and payment status the event may carry', () => {
    const reasons = ['OUT_OF_STOCK', 'PAYMENT_DECLINED', 'PAYMENT_ERROR', 'RESERVATION_EXPIRED', 'INTERNAL'] as const;
    const statuses = ['NONE', 'DECLINED', 'REFUNDED', 'CHARGED'] as const;
    for (const failureReason of reasons)
      for (const paymentStatus of statuses) {
        const { view } = orderCancelledMessage(cancelled({ failureReason, paymentStatus }));
        expect(view).toMatchObject({ reason: expect.stringMatching(/\w/), money: expect.stringMatching(/\w/) });
      }
  });
});

describe("the shopper's e-mail preference", () => {
  it('is on by default, and off only when notifications.email is false', () => {
    expect(wantsEmail(undefined)).toBe(true);
    expect(wantsEmail({ newsletter: true })).toBe(true);
    expect(wantsEmail({ notifications: 'yes' })).toBe(true);
    expect(wantsEmail({ notifications: {} })).toBe(true);
    expect(wantsEmail({ notifications: { email: true } })).toBe(true);
    expect(wantsEmail({ notifications: { email: false } })).toBe(false);
  });

  it('is taken by PATCH /v1/users/me beside the flat v1 keys, which still work', () => {
    expect(UpdateProfile.parse({ preferences: { notifications: { email: false }, language: 'en-GB' } })).toEqual({
      preferences: { notifications: { email: false }, language: 'en-GB' },
    });
    expect(UpdateProfile.parse({ preferences: { newsletter: true, notifications: 'weekly' } })).toEqual({
      preferences: { newsletter: true, notifications: 'weekly' },
    });
  });

  it('refuses wrong types: a non-boolean email, an unknown channel, an object under another key', () => {
    const issues = (preferences: unknown) =>
      UpdateProfile.safeParse({ preferences }).error?.issues.map((i) => i.path.join('.'));
    // zod reports a union's failure at the union; the error response names the field (test/unit/http.test.ts).
    expect(issues({ notifications: { email: 'no' } })).toEqual(['preferences.notifications']);
    expect(issues({ notifications: { sms: true } })).toEqual(['preferences.notifications']);
    expect(issues({ notifications: { email: null } })).toEqual(['preferences.notifications']);
    expect(issues({ language: { email: false } })).toEqual(['preferences.language']);
  });
});
