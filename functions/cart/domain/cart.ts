import { createHash } from 'node:crypto';
import type { Caller } from '../../shared/auth';
import { DomainError, invalid, notFound } from '../../shared/errors';
import { CartChangedError, type CartDeps, type CartLine, type StoredCart } from '../ports';
import type { Cart } from '../schemas';
import { priceCart, type PricedCart } from './pricing';
import { normalizePromoCode } from './promotions';

export const CART_LIFETIME_SECONDS = 24 * 60 * 60;
export const STORE_CURRENCY = 'GBP';
export const DEFAULT_DESTINATION = 'GB';

/** The signed-in user owns their cart; otherwise the anonymous session does. Neither → 400. */
export function cartOwner(caller: Caller | undefined, sessionId: string | undefined): string {
  if (caller) return `user#${caller.userId}`;
  if (sessionId) return `session#${sessionId}`;
  throw invalid('Sign in or send an x-session-id header (a UUID) to identify your cart', [{ path: 'x-session-id', message: 'Is required without a signed-in user' }]);
}

const cartIdOf = (ownerId: string) => createHash('sha256').update(ownerId).digest('base64url').slice(0, 22);

async function load(ownerId: string, deps: Pick<CartDeps, 'carts' | 'clock'>): Promise<StoredCart | undefined> {
  const cart = await deps.carts.get(ownerId);
  // TTL deletion lags by up to days: an expired cart is gone as far as shoppers can tell.
  return cart && cart.ttl > deps.clock.now().getTime() / 1000 ? cart : undefined;
}

/** Prices the stored lines from the live catalog; lines whose product left the catalog drop out. */
export async function present(ownerId: string, cart: StoredCart | undefined, deps: CartDeps, destination = DEFAULT_DESTINATION): Promise<Cart> {
  const priced = await priceLines(cart?.lines ?? [], { destinationCountry: destination, promoCode: cart?.promoCode }, deps, { skipUnavailable: true });
  const { promoRejection: _rejected, ...figures } = priced;
  return { cartId: cartIdOf(ownerId), ...figures };
}

export async function priceLines(
  lines: CartLine[],
  options: { destinationCountry: string; promoCode?: string },
  deps: Pick<CartDeps, 'products' | 'promotions' | 'clock'>,
  { skipUnavailable = false } = {},
): Promise<PricedCart> {
  const products = lines.length ? await deps.products.getMany(lines.map((l) => l.productId)) : new Map();
  const priceable = lines.flatMap((line) => {
    const product = products.get(line.productId);
    if (!product || product.status !== 'ACTIVE') {
      if (skipUnavailable) return [];
      throw notFound(`Product ${line.productId}`);
    }
    return [{ productId: line.productId, name: product.name, quantity: line.quantity, unitPrice: product.price, currency: product.currency }];
  });
  const promotion = options.promoCode ? await deps.promotions.get(options.promoCode) : undefined;
  return priceCart({ lines: priceable, currency: STORE_CURRENCY, destinationCountry: options.destinationCountry, promotion, now: deps.clock.now() });
}

/**
 * Applies a change to the owner's cart with optimistic concurrency: on a concurrent write the change
 * is re-applied to the fresh cart, a few times, before giving up with 409.
 */
async function change(
  ownerId: string,
  deps: Pick<CartDeps, 'carts' | 'clock'>,
  apply: (cart: StoredCart) => Promise<StoredCart> | StoredCart,
  /** The cart as the caller just read it, saving the first read. */
  alreadyLoaded?: StoredCart,
): Promise<StoredCart> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const current = attempt === 0 && alreadyLoaded ? alreadyLoaded : await load(ownerId, deps);
    const nowSeconds = Math.floor(deps.clock.now().getTime() / 1000);
    const base: StoredCart = current ?? { ownerId, lines: [], version: 0, updatedAt: '', ttl: 0 };
    const next = await apply({ ...base, lines: base.lines.map((l) => ({ ...l })) });
    const stored = { ...next, version: base.version + 1, updatedAt: deps.clock.now().toISOString(), ttl: nowSeconds + CART_LIFETIME_SECONDS };
    try {
      await deps.carts.save(stored, current ? base.version : 0);
      return stored;
    } catch (e) {
      if (!(e instanceof CartChangedError)) throw e;
    }
  }
  throw new DomainError('CONFLICT', 'The cart is being changed by another request; try again');
}

async function ensureSellable(productId: string, quantity: number, deps: CartDeps) {
  const product = await deps.products.get(productId);
  if (!product || product.status !== 'ACTIVE') throw notFound('Product');
  const available = await deps.stock.available(productId);
  if (quantity > available) {
    throw new DomainError('INSUFFICIENT_STOCK', available > 0 ? `Only ${available} of this product can be ordered` : 'This product is out of stock', [
      { path: 'quantity', message: `At most ${available} available` },
    ]);
  }
}

export const viewCart = async (ownerId: string, deps: CartDeps, destination?: string) => present(ownerId, await load(ownerId, deps), deps, destination);

export async function addItem(ownerId: string, item: CartLine, deps: CartDeps): Promise<Cart> {
  const cart = await change(ownerId, deps, async (cart) => {
    const line = cart.lines.find((l) => l.productId === item.productId);
    const quantity = (line?.quantity ?? 0) + item.quantity;
    if (quantity > 999) throw invalid('At most 999 of a product per cart', [{ path: 'quantity', message: 'Must be at most 999 in total' }]);
    await ensureSellable(item.productId, quantity, deps);
    if (line) line.quantity = quantity;
    else cart.lines.push({ productId: item.productId, quantity });
    return cart;
  });
  return present(ownerId, cart, deps);
}

export async function setQuantity(ownerId: string, productId: string, quantity: number, deps: CartDeps): Promise<Cart> {
  const cart = await change(ownerId, deps, async (cart) => {
    if (quantity === 0) return { ...cart, lines: cart.lines.filter((l) => l.productId !== productId) };
    await ensureSellable(productId, quantity, deps);
    const line = cart.lines.find((l) => l.productId === productId);
    if (line) line.quantity = quantity;
    else cart.lines.push({ productId, quantity });
    return cart;
  });
  return present(ownerId, cart, deps);
}

export async function removeItem(ownerId: string, productId: string, deps: CartDeps): Promise<Cart> {
  const existing = await load(ownerId, deps);
  if (!existing?.lines.some((l) => l.productId === productId)) return present(ownerId, existing, deps);
  const cart = await change(ownerId, deps, (cart) => ({ ...cart, lines: cart.lines.filter((l) => l.productId !== productId) }), existing);
  return present(ownerId, cart, deps);
}

/** Unknown, inactive, not yet started or expired → 404 (API.md); a code that exists but does not fit this cart → 409. */
export async function applyPromo(ownerId: string, rawCode: string, deps: CartDeps): Promise<Cart> {
  const code = normalizePromoCode(rawCode);
  const promotion = await deps.promotions.get(code);
  if (!promotion) throw notFound('Promotion code (unknown or expired)');
  // Once per shopper: a signed-in shopper who used it on an order (not cancelled) cannot apply it again.
  // An anonymous cart is checked when its order is placed, which needs a signed-in shopper.
  const userId = ownerId.startsWith('user#') ? ownerId.slice('user#'.length) : undefined;
  if (userId && (await deps.promotions.redeemedBy(code, userId))) throw new DomainError('CONFLICT', `Promotion ${code} was already used on one of your orders`);
  const cart = await change(ownerId, deps, async (cart) => {
    const priced = await priceLines(cart.lines, { destinationCountry: DEFAULT_DESTINATION, promoCode: code }, deps, { skipUnavailable: true });
    const rejection = priced.promoRejection;
    if (rejection && ['INACTIVE', 'NOT_STARTED', 'EXPIRED'].includes(rejection.reason)) throw notFound('Promotion code (unknown or expired)');
    if (rejection) throw new DomainError('CONFLICT', rejection.message);
    return { ...cart, promoCode: code };
  });
  return present(ownerId, cart, deps);
}

/**
 * On sign-in: the anonymous cart's lines join the user's cart, and the anonymous cart is gone. The
 * anonymous cart is taken (deleted, returning its lines) first, so concurrent merges add its lines once.
 */
export async function mergeCarts(userOwnerId: string, sessionId: string, deps: CartDeps): Promise<Cart> {
  const sessionOwner = `session#${sessionId}`;
  const taken = await deps.carts.take(sessionOwner);
  const anonymous = taken && taken.ttl > deps.clock.now().getTime() / 1000 ? taken : undefined;
  if (!anonymous || anonymous.lines.length === 0) return viewCart(userOwnerId, deps);
  try {
    const cart = await change(userOwnerId, deps, (cart) => {
      for (const incoming of anonymous.lines) {
        const line = cart.lines.find((l) => l.productId === incoming.productId);
        if (line) line.quantity = Math.min(999, line.quantity + incoming.quantity);
        else cart.lines.push({ ...incoming });
      }
      return { ...cart, promoCode: cart.promoCode ?? anonymous.promoCode };
    });
    return present(userOwnerId, cart, deps);
  } catch (e) {
    // The lines were taken but not merged: give the session its cart back rather than lose it.
    await deps.carts.save(anonymous, 0).catch(() => undefined);
    throw e;
  }
}

/** Takes the promotion off the cart once an order used it (the orders context calls this). Idempotent. */
export async function removePromoCode(ownerId: string, code: string, deps: Pick<CartDeps, 'carts' | 'clock'>): Promise<void> {
  const existing = await load(ownerId, deps);
  if (existing?.promoCode !== code) return;
  await change(ownerId, deps, ({ promoCode, ...cart }) => (promoCode === code ? cart : { ...cart, promoCode }), existing);
}

/** Removes lines an order bought (the orders context calls this when an order is confirmed). Idempotent. */
export async function removeOrderedLines(ownerId: string, productIds: string[], deps: Pick<CartDeps, 'carts' | 'clock'>): Promise<void> {
  const existing = await load(ownerId, deps);
  if (!existing?.lines.some((l) => productIds.includes(l.productId))) return;
  await change(ownerId, deps, (cart) => ({ ...cart, lines: cart.lines.filter((l) => !productIds.includes(l.productId)) }), existing);
}
