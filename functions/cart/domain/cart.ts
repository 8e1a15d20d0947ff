import { createHash } from 'node:crypto';
import type { Caller } from '../../shared/auth';
import { DomainError, invalid, notFound } from '../../shared/errors';
import { MAX_ORDER_LINES } from '../../shared/limits';
import { CartChangedError, type CartDeps, type CartLine, type CatalogProduct, type StoredCart } from '../ports';
import type { Cart, UnavailableItem, UnavailableReason } from '../schemas';
import { priceCart, type PriceLine, type PricedCart } from './pricing';
import { normalizePromoCode } from './promotions';

export const CART_LIFETIME_SECONDS = 24 * 60 * 60;
export const STORE_CURRENCY = 'GBP';
export const DEFAULT_DESTINATION = 'GB';

/** The signed-in user owns their cart; otherwise the anonymous session does. Neither → 400. */
export function cartOwner(caller: Caller | undefined, sessionId: string | undefined): string {
  if (caller) return `user#${caller.userId}`;
  if (sessionId) return `session#${sessionId}`;
  throw invalid('Sign in or send an x-session-id header (a UUID) to identify your cart', [
    { path: 'x-session-id', message: 'Is required without a signed-in user' },
  ]);
}

const cartIdOf = (ownerId: string) => createHash('sha256').update(ownerId).digest('base64url').slice(0, 22);

async function load(ownerId: string, deps: Pick<CartDeps, 'carts' | 'clock'>): Promise<StoredCart | undefined> {
  const cart = await deps.carts.get(ownerId);
  // TTL deletion lags by up to days: an expired cart is gone as far as shoppers can tell.
  return cart && cart.ttl > deps.clock.now().getTime() / 1000 ? cart : undefined;
}

/** Why the live catalog cannot price a product for this store, or undefined when it can. */
export function unavailableReason(product: CatalogProduct | undefined): UnavailableReason | undefined {
  if (!product) return 'NOT_FOUND';
  if (product.status !== 'ACTIVE') return 'INACTIVE';
  if (product.currency !== STORE_CURRENCY) return 'CURRENCY_MISMATCH';
  return undefined;
}

/** A cart priced from the live catalog: what can be bought, and the lines that no longer can. */
export interface PricedCartLines {
  priced: PricedCart;
  /** Lines whose product left the catalog, is no longer sold, or is priced in another currency: out of the totals. */
  unavailable: UnavailableItem[];
}

/**
 * Prices the lines the catalog can still sell in the store currency and sets the others aside, so a cart
 * with such a line still answers (the line marked unavailable) instead of failing every read. Placing an
 * order from a cart should use this too, and order `priced.items` only — the figures the cart showed.
 */
export async function priceCartLines(
  lines: readonly CartLine[],
  options: { destinationCountry: string; promoCode?: string },
  deps: Pick<CartDeps, 'products' | 'promotions' | 'clock'>,
): Promise<PricedCartLines> {
  const products = lines.length
    ? await deps.products.getMany(lines.map((l) => l.productId))
    : new Map<string, CatalogProduct>();
  const priceable: PriceLine[] = [];
  const unavailable: UnavailableItem[] = [];
  for (const line of lines) {
    const product = products.get(line.productId);
    const reason = unavailableReason(product);
    if (reason)
      unavailable.push({
        productId: line.productId,
        ...(product && { name: product.name }),
        quantity: line.quantity,
        reason,
      });
    else
      priceable.push({
        productId: line.productId,
        name: product!.name,
        quantity: line.quantity,
        unitPrice: product!.price,
        currency: product!.currency,
      });
  }
  const promotion = options.promoCode ? await deps.promotions.get(options.promoCode) : undefined;
  const priced = priceCart({
    lines: priceable,
    currency: STORE_CURRENCY,
    destinationCountry: options.destinationCountry,
    promotion,
    now: deps.clock.now(),
  });
  return { priced, unavailable };
}

const toCart = (ownerId: string, { priced, unavailable }: PricedCartLines): Cart => {
  const { promoRejection: _rejected, ...figures } = priced;
  return { cartId: cartIdOf(ownerId), ...figures, unavailableItems: unavailable };
};

/** Prices the stored lines from the live catalog; lines it can no longer price are listed as unavailable. */
export async function present(
  ownerId: string,
  cart: StoredCart | undefined,
  deps: CartDeps,
  destination = DEFAULT_DESTINATION,
): Promise<Cart> {
  return toCart(
    ownerId,
    await priceCartLines(cart?.lines ?? [], { destinationCountry: destination, promoCode: cart?.promoCode }, deps),
  );
}

/**
 * Prices lines for an order. By default every line must be sellable: an unknown or inactive product → 404,
 * a product in another currency → 400. With `skipUnavailable`, such lines are left out of the figures.
 */
export async function priceLines(
  lines: CartLine[],
  options: { destinationCountry: string; promoCode?: string },
  deps: Pick<CartDeps, 'products' | 'promotions' | 'clock'>,
  { skipUnavailable = false } = {},
): Promise<PricedCart> {
  const { priced, unavailable } = await priceCartLines(lines, options, deps);
  if (skipUnavailable || unavailable.length === 0) return priced;
  const gone = unavailable.find((u) => u.reason !== 'CURRENCY_MISMATCH');
  if (gone) throw notFound(`Product ${gone.productId}`);
  throw invalid(
    `A cart holds lines in one currency only (${STORE_CURRENCY})`,
    unavailable.map((u) => ({
      path: `lines.${lines.findIndex((l) => l.productId === u.productId)}.currency`,
      message: `Is not ${STORE_CURRENCY}`,
    })),
  );
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
    const stored = {
      ...next,
      version: base.version + 1,
      updatedAt: deps.clock.now().toISOString(),
      ttl: nowSeconds + CART_LIFETIME_SECONDS,
    };
    try {
      await deps.carts.save(stored, current ? base.version : 0);
      return stored;
    } catch (e) {
      if (!(e instanceof CartChangedError)) throw e;
    }
  }
  throw new DomainError('CONFLICT', 'The cart is being changed by another request; try again');
}

/** A product that is not yet a line needs a free line: every order must fit checkout's transactions. */
function ensureRoomFor(cart: StoredCart, productId: string): void {
  if (cart.lines.length < MAX_ORDER_LINES || cart.lines.some((l) => l.productId === productId)) return;
  throw new DomainError(
    'CONFLICT',
    `A cart holds at most ${MAX_ORDER_LINES} different products; remove one before adding another`,
    [{ path: 'productId', message: `The cart already has ${cart.lines.length} products, the most one order can take` }],
  );
}

/**
 * Prices the cart as it would be saved, refusing the change when the line it touches cannot be sold: an
 * unknown or inactive product → 404, one in another currency → 400, more than is in stock → 409. Nothing is
 * saved unless this passes, so a line that cannot be priced never reaches the cart.
 */
async function priceChange(
  cart: StoredCart,
  productId: string,
  quantity: number,
  deps: CartDeps,
): Promise<PricedCartLines> {
  const priced = await priceCartLines(
    cart.lines,
    { destinationCountry: DEFAULT_DESTINATION, promoCode: cart.promoCode },
    deps,
  );
  const refused = priced.unavailable.find((u) => u.productId === productId);
  if (refused?.reason === 'CURRENCY_MISMATCH') {
    throw invalid(`This product is not sold in ${STORE_CURRENCY}, the store's currency`, [
      { path: 'productId', message: `Is not priced in ${STORE_CURRENCY}` },
    ]);
  }
  if (refused) throw notFound('Product');
  const available = await deps.stock.available(productId);
  if (quantity > available) {
    throw new DomainError(
      'INSUFFICIENT_STOCK',
      available > 0 ? `Only ${available} of this product can be ordered` : 'This product is out of stock',
      [{ path: 'quantity', message: `At most ${available} available` }],
    );
  }
  return priced;
}

export const viewCart = async (ownerId: string, deps: CartDeps, destination?: string) =>
  present(ownerId, await load(ownerId, deps), deps, destination);

export async function addItem(ownerId: string, item: CartLine, deps: CartDeps): Promise<Cart> {
  let priced: PricedCartLines | undefined;
  await change(ownerId, deps, async (cart) => {
    const line = cart.lines.find((l) => l.productId === item.productId);
    const quantity = (line?.quantity ?? 0) + item.quantity;
    if (quantity > 999)
      throw invalid('At most 999 of a product per cart', [
        { path: 'quantity', message: 'Must be at most 999 in total' },
      ]);
    ensureRoomFor(cart, item.productId);
    if (line) line.quantity = quantity;
    else cart.lines.push({ productId: item.productId, quantity });
    priced = await priceChange(cart, item.productId, quantity, deps);
    return cart;
  });
  return toCart(ownerId, priced!);
}

export async function setQuantity(ownerId: string, productId: string, quantity: number, deps: CartDeps): Promise<Cart> {
  if (quantity === 0) {
    const cart = await change(ownerId, deps, (cart) => ({
      ...cart,
      lines: cart.lines.filter((l) => l.productId !== productId),
    }));
    return present(ownerId, cart, deps);
  }
  let priced: PricedCartLines | undefined;
  await change(ownerId, deps, async (cart) => {
    ensureRoomFor(cart, productId);
    const line = cart.lines.find((l) => l.productId === productId);
    if (line) line.quantity = quantity;
    else cart.lines.push({ productId, quantity });
    priced = await priceChange(cart, productId, quantity, deps);
    return cart;
  });
  return toCart(ownerId, priced!);
}

export async function removeItem(ownerId: string, productId: string, deps: CartDeps): Promise<Cart> {
  const existing = await load(ownerId, deps);
  if (!existing?.lines.some((l) => l.productId === productId)) return present(ownerId, existing, deps);
  const cart = await change(
    ownerId,
    deps,
    (cart) => ({ ...cart, lines: cart.lines.filter((l) => l.productId !== productId) }),
    existing,
  );
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
  if (userId && (await deps.promotions.redeemedBy(code, userId)))
    throw new DomainError('CONFLICT', `Promotion ${code} was already used on one of your orders`);
  const cart = await change(ownerId, deps, async (cart) => {
    const priced = await priceLines(cart.lines, { destinationCountry: DEFAULT_DESTINATION, promoCode: code }, deps, {
      skipUnavailable: true,
    });
    const rejection = priced.promoRejection;
    if (rejection && ['INACTIVE', 'NOT_STARTED', 'EXPIRED'].includes(rejection.reason))
      throw notFound('Promotion code (unknown or expired)');
    if (rejection) throw new DomainError('CONFLICT', rejection.message);
    return { ...cart, promoCode: code };
  });
  return present(ownerId, cart, deps);
}

/** The products two carts hold between them: a merge that would pass the line cap is refused whole. */
function ensureMergeFits(userLines: readonly CartLine[], anonymousLines: readonly CartLine[]): void {
  const products = new Set([...userLines, ...anonymousLines].map((l) => l.productId)).size;
  if (products <= MAX_ORDER_LINES) return;
  throw new DomainError(
    'CONFLICT',
    `Together the two carts hold ${products} different products, more than the ${MAX_ORDER_LINES} one cart can; both carts are left as they were`,
    [
      {
        path: 'sessionId',
        message: `Remove ${products - MAX_ORDER_LINES} products from either cart, then merge again`,
      },
    ],
  );
}

/**
 * On sign-in: the anonymous cart's lines join the user's cart, and the anonymous cart is gone. The
 * anonymous cart is taken (deleted, returning its lines) first, so concurrent merges add its lines once.
 * When the two together pass the line cap the merge is refused (409) and both carts stay as they were.
 */
export async function mergeCarts(userOwnerId: string, sessionId: string, deps: CartDeps): Promise<Cart> {
  const sessionOwner = `session#${sessionId}`;
  // Checked before taking, so a refused merge does not have to put the anonymous cart back.
  const [userCart, anonymousCart] = await Promise.all([load(userOwnerId, deps), load(sessionOwner, deps)]);
  ensureMergeFits(userCart?.lines ?? [], anonymousCart?.lines ?? []);
  const taken = await deps.carts.take(sessionOwner);
  const anonymous = taken && taken.ttl > deps.clock.now().getTime() / 1000 ? taken : undefined;
  if (!anonymous || anonymous.lines.length === 0) return viewCart(userOwnerId, deps);
  let priced: PricedCartLines | undefined;
  try {
    await change(userOwnerId, deps, async (cart) => {
      ensureMergeFits(cart.lines, anonymous.lines);
      for (const incoming of anonymous.lines) {
        const line = cart.lines.find((l) => l.productId === incoming.productId);
        if (line) line.quantity = Math.min(999, line.quantity + incoming.quantity);
        else cart.lines.push({ ...incoming });
      }
      const merged = { ...cart, promoCode: cart.promoCode ?? anonymous.promoCode };
      priced = await priceCartLines(
        merged.lines,
        { destinationCountry: DEFAULT_DESTINATION, promoCode: merged.promoCode },
        deps,
      );
      return merged;
    });
    return toCart(userOwnerId, priced!);
  } catch (e) {
    // The lines were taken but not merged: give the session its cart back rather than lose it.
    await deps.carts.save(anonymous, 0).catch(() => undefined);
    throw e;
  }
}

/** Takes the promotion off the cart once an order used it (the orders context calls this). Idempotent. */
export async function removePromoCode(
  ownerId: string,
  code: string,
  deps: Pick<CartDeps, 'carts' | 'clock'>,
): Promise<void> {
  const existing = await load(ownerId, deps);
  if (existing?.promoCode !== code) return;
  await change(
    ownerId,
    deps,
    ({ promoCode, ...cart }) => (promoCode === code ? cart : { ...cart, promoCode }),
    existing,
  );
}

/** Removes lines an order bought (the orders context calls this when an order is confirmed). Idempotent. */
export async function removeOrderedLines(
  ownerId: string,
  productIds: string[],
  deps: Pick<CartDeps, 'carts' | 'clock'>,
): Promise<void> {
  const existing = await load(ownerId, deps);
  if (!existing?.lines.some((l) => productIds.includes(l.productId))) return;
  await change(
    ownerId,
    deps,
    (cart) => ({ ...cart, lines: cart.lines.filter((l) => !productIds.includes(l.productId)) }),
    existing,
  );
}
