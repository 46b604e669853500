/**
 * Making Stripe match one catalog item of ours (a plan, a credit pack): one product whose id
 * is ours, and one active price with the item's terms. The rules every catalog shares
 * (ADR 0007):
 *
 * - A retried sync never duplicates. The product's id is ours, so it is found, never
 *   re-created. A price is created only when no active price of the product already has the
 *   item's terms, so a price made by an attempt whose answer was lost is found and adopted;
 *   every POST also carries an idempotency key derived from the item and its version
 *   (`<keyPrefix>:<step>`), which Stripe replays for 24 h.
 * - A price change creates a new price and deactivates every other active price of the
 *   product: what was sold on an old price keeps it (Stripe bills inactive prices).
 * - An inactive item deactivates the product; its prices stay, for what was sold on them.
 */
import Stripe from 'stripe';

export interface CatalogProduct {
  /** Ours, so a second create finds the first instead of making a twin. */
  id: string;
  name: string;
  description: string | null;
  active: boolean;
  /** Written on the product; `ownerKey`'s value proves the product is this item's. */
  metadata: Record<string, string>;
  ownerKey: string;
}

export interface CatalogPrice {
  unitAmount: number;
  currency: string;
  /** Null: a one-time price. */
  recurring: { interval: 'month' | 'year' } | null;
  nickname: string;
  metadata: Record<string, string>;
}

export interface CatalogItem {
  product: CatalogProduct;
  price: CatalogPrice;
  /** The price id recorded as current, kept when it still has the terms. */
  currentPriceId: string | null;
  /** Idempotency keys are `<keyPrefix>:<step>`: one per item version and step. */
  keyPrefix: string;
}

export interface ProductSyncOutcome {
  productId: string;
  currentPriceId: string;
  /** Every price of the product as Stripe has it after the sync, the current one first. */
  prices: Stripe.Price[];
}

export async function pushCatalogItem(
  stripe: Stripe,
  item: CatalogItem,
): Promise<ProductSyncOutcome> {
  const product = await ensureProduct(stripe, item);
  const existing = await stripe.prices.list({ product: product.id, limit: 100 }).autoPagingToArray({
    limit: 10_000,
  });
  const current = pickCurrentPrice(item, existing) ?? (await createPrice(stripe, item, product.id));
  const prices = [current, ...existing.filter((price) => price.id !== current.id)];
  const after: Stripe.Price[] = [];
  for (const price of prices) {
    after.push(
      price.active && price.id !== current.id
        ? await stripe.prices.update(
            price.id,
            { active: false },
            { idempotencyKey: `${item.keyPrefix}:deactivate:${price.id}` },
          )
        : price,
    );
  }
  return { productId: product.id, currentPriceId: current.id, prices: after };
}

async function ensureProduct(stripe: Stripe, item: CatalogItem): Promise<Stripe.Product> {
  const wanted = item.product;
  const product = (await retrieveProduct(stripe, wanted.id)) ?? (await createProduct(stripe, item));
  if (product.metadata[wanted.ownerKey] !== wanted.metadata[wanted.ownerKey]) {
    throw new Error(`Stripe product ${wanted.id} belongs to another ${wanted.ownerKey}`);
  }
  const unchanged =
    product.name === wanted.name &&
    (product.description ?? null) === wanted.description &&
    product.active === wanted.active &&
    Object.entries(wanted.metadata).every(([key, value]) => product.metadata[key] === value);
  if (unchanged) return product;
  return stripe.products.update(
    wanted.id,
    {
      name: wanted.name,
      // '' unsets it at Stripe.
      description: wanted.description ?? '',
      active: wanted.active,
      metadata: wanted.metadata,
    },
    { idempotencyKey: `${item.keyPrefix}:product.update` },
  );
}

async function retrieveProduct(stripe: Stripe, id: string): Promise<Stripe.Product | null> {
  try {
    return await stripe.products.retrieve(id);
  } catch (error) {
    if (error instanceof Stripe.errors.StripeError && error.statusCode === 404) return null;
    throw error;
  }
}

async function createProduct(stripe: Stripe, item: CatalogItem): Promise<Stripe.Product> {
  const wanted = item.product;
  try {
    return await stripe.products.create(
      {
        id: wanted.id,
        name: wanted.name,
        ...(wanted.description && { description: wanted.description }),
        active: wanted.active,
        metadata: wanted.metadata,
      },
      { idempotencyKey: `${item.keyPrefix}:product.create` },
    );
  } catch (error) {
    // Created since we looked: take that one.
    if (error instanceof Stripe.errors.StripeError && error.code === 'resource_already_exists') {
      return stripe.products.retrieve(wanted.id);
    }
    throw error;
  }
}

function hasTerms(wanted: CatalogPrice, price: Stripe.Price): boolean {
  const termsMatch =
    price.active && price.unit_amount === wanted.unitAmount && price.currency === wanted.currency;
  if (!termsMatch) return false;
  if (!wanted.recurring) return price.type === 'one_time';
  return (
    price.type === 'recurring' &&
    price.recurring?.interval === wanted.recurring.interval &&
    price.recurring.interval_count === 1
  );
}

/** The recorded current price if it still fits, else the newest fitting one (lists are newest first). */
function pickCurrentPrice(item: CatalogItem, prices: Stripe.Price[]): Stripe.Price | undefined {
  const fitting = prices.filter((price) => hasTerms(item.price, price));
  return fitting.find((price) => price.id === item.currentPriceId) ?? fitting[0];
}

function createPrice(stripe: Stripe, item: CatalogItem, productId: string): Promise<Stripe.Price> {
  const wanted = item.price;
  return stripe.prices.create(
    {
      product: productId,
      currency: wanted.currency,
      unit_amount: wanted.unitAmount,
      ...(wanted.recurring && { recurring: { interval: wanted.recurring.interval } }),
      nickname: wanted.nickname,
      metadata: wanted.metadata,
    },
    { idempotencyKey: `${item.keyPrefix}:price.create` },
  );
}

/** What an admin reads in an item's sync state: the kind of failure and Stripe's message. */
export function describeSyncError(error: unknown): string {
  if (error instanceof Stripe.errors.StripeError) {
    return `Stripe ${error.type}${error.code ? ` (${error.code})` : ''}: ${error.message}`;
  }
  return error instanceof Error ? error.message : String(error);
}

/** graphile-worker waits e^min(attempt, 10) s between tries: 25 tries span about four days. */
export const CATALOG_SYNC_MAX_ATTEMPTS = 25;
