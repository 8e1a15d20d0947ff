/**
 * An item of each table a stream consumer reads, as the functions write it: what a generated stream record
 * carries when no image is given. Every generated record gets fresh ids, so a replay adds rather than changes.
 */
import { randomUUID } from 'node:crypto';

const now = () => new Date().toISOString();

export const sampleItems: Record<string, () => Record<string, unknown>> = {
  orders: () => {
    const at = now();
    return {
      orderId: randomUUID(),
      userId: randomUUID(),
      status: 'CONFIRMED',
      items: [{ productId: 'prd_generated_mug', name: 'Enamel mug', quantity: 2, unitPrice: 1250, lineTotal: 2500 }],
      subtotal: 2500,
      discount: 0,
      tax: 0,
      shipping: 0,
      total: 2500,
      currency: 'GBP',
      shippingAddress: {
        name: 'Ada Lovelace',
        line1: '12 St James Square',
        city: 'London',
        postalCode: 'SW1Y 4JH',
        country: 'GB',
      },
      payment: { status: 'CHARGED', chargeId: `ch_${randomUUID()}` },
      history: [
        { status: 'PENDING', at },
        { status: 'CONFIRMED', at },
      ],
      createdAt: at,
      updatedAt: at,
    };
  },
  products: () => {
    const at = now();
    return {
      id: 'prd_generated_mug',
      sku: 'GEN-MUG',
      name: 'Enamel mug',
      description: 'A mug of a generated event.',
      category: 'kitchen-dining',
      brand: 'Generated Co',
      price: 1250,
      currency: 'GBP',
      imageUrls: [],
      attributes: {},
      popularity: 0,
      status: 'ACTIVE',
      version: 1,
      createdAt: at,
      updatedAt: at,
      listed: 'ACTIVE',
      listedCategory: 'kitchen-dining',
    };
  },
  inventory: () => ({ productId: 'prd_generated_mug', available: 24, reserved: 0 }),
  users: () => {
    const at = now();
    const userId = randomUUID();
    return {
      userId,
      email: `generated-${userId}@example.com`,
      firstName: 'Ada',
      lastName: 'Lovelace',
      preferences: {},
      createdAt: at,
      updatedAt: at,
    };
  },
};
