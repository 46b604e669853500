// /v1/products and /v1/prices: create, retrieve, update, list. Prices are one-time or recurring
// (day/week/month/year, `interval_count`); a `lookup_key` is unique across prices and moves only
// with `transfer_lookup_key=true`, which is how plans are re-priced without code changes.
import type Stripe from 'stripe';
import { requirePrice, requireProduct } from '../billing/lookup.ts';
import type { EmulatorContext } from '../context.ts';
import { invalidRequest, parameterMissing } from '../errors.ts';
import { paginate, readPage } from '../http/list.ts';
import { applyMetadata, type Params } from '../http/params.ts';
import { pathParam, type Router } from '../http/router.ts';
import { previousAttributes, toJson } from '../json.ts';
import { buildPrice, buildProduct } from '../objects/catalog.ts';
import { newestFirst } from '../store.ts';
import { readCurrency } from './fields.ts';

const INTERVALS = ['day', 'week', 'month', 'year'] as const;
const TAX_BEHAVIORS = ['exclusive', 'inclusive', 'unspecified'] as const;

export function readRecurring(p: Params) {
  const recurring = p.object('recurring');
  if (!recurring) return null;
  const interval = recurring.enum('interval', INTERVALS);
  if (!interval) throw parameterMissing('recurring[interval]');
  const intervalCount = recurring.integer('interval_count') ?? 1;
  recurring.raw('usage_type');
  return { interval, intervalCount };
}

/** Moves or refuses a lookup key already held by another price. */
function claimLookupKey(ctx: EmulatorContext, key: string, transfer: boolean, exceptId?: string) {
  const holder = [...ctx.store.prices.values()].find(
    (price) => price.lookup_key === key && price.id !== exceptId,
  );
  if (!holder) return () => {};
  if (!transfer) {
    throw invalidRequest(
      `A price (\`${holder.id}\`) already uses that lookup key. Set \`transfer_lookup_key\` to true to transfer it to this price.`,
      { param: 'lookup_key' },
    );
  }
  return () => {
    const before = toJson(holder);
    holder.lookup_key = null;
    ctx.events.emit('price.updated', holder, previousAttributes(before, toJson(holder)));
  };
}

function registerProductRoutes(router: Router, ctx: EmulatorContext): void {
  router.post('/v1/products', (p) => {
    const fields = {
      name: p.requiredString('name'),
      active: p.boolean('active') ?? true,
      description: p.nullableString('description') ?? null,
      metadata: applyMetadata({}, p.metadata()),
      images: p.stringArray('images') ?? [],
      statementDescriptor: p.nullableString('statement_descriptor') ?? null,
      unitLabel: p.nullableString('unit_label') ?? null,
      url: p.nullableString('url') ?? null,
    };
    const id = p.string('id') || undefined;
    return () => {
      if (id && ctx.store.products.has(id)) {
        throw invalidRequest(`Product already exists.`, {
          code: 'resource_already_exists',
          param: 'id',
        });
      }
      const product = buildProduct(ctx.clock.now(), fields, id);
      ctx.store.products.set(product.id, product);
      ctx.events.emit('product.created', product);
      return product;
    };
  });

  router.get('/v1/products/:id', (_p, path) => () => requireProduct(ctx, pathParam(path)));

  router.post('/v1/products/:id', (p, path) => {
    const name = p.string('name');
    const active = p.boolean('active');
    const description = p.nullableString('description');
    const defaultPrice = p.nullableString('default_price');
    const metadata = p.metadata();
    return () => {
      const product = requireProduct(ctx, pathParam(path));
      if (defaultPrice) {
        const price = requirePrice(ctx, defaultPrice, 'default_price');
        if (price.product !== product.id) {
          throw invalidRequest('The default price must belong to this product.', {
            param: 'default_price',
          });
        }
      }
      const before = toJson(product);
      if (name) product.name = name;
      if (active !== undefined) product.active = active;
      if (description !== undefined) product.description = description;
      if (defaultPrice !== undefined) product.default_price = defaultPrice;
      product.metadata = applyMetadata(product.metadata, metadata);
      product.updated = ctx.clock.now();
      ctx.events.emit('product.updated', product, previousAttributes(before, toJson(product)));
      return product;
    };
  });

  router.get('/v1/products', (p) => {
    const active = p.boolean('active');
    const ids = p.stringArray('ids');
    const page = readPage(p);
    return () => {
      const products = newestFirst(ctx.store.products).filter(
        (product) =>
          (active === undefined || product.active === active) && (!ids || ids.includes(product.id)),
      );
      return paginate(products, page, '/v1/products', 'product');
    };
  });
}

function registerPriceRoutes(router: Router, ctx: EmulatorContext): void {
  router.post('/v1/prices', (p) => {
    const currency = readCurrency(p);
    const product = p.string('product');
    const productData = p.object('product_data');
    const productName = productData?.requiredString('name');
    if (!product && !productName) throw parameterMissing('product');
    const unitAmount = p.integer('unit_amount');
    if (unitAmount === undefined) throw parameterMissing('unit_amount');
    if (unitAmount < 0)
      throw invalidRequest('This value must be greater than or equal to 0.', {
        param: 'unit_amount',
      });
    const recurring = readRecurring(p);
    const lookupKey = p.nullableString('lookup_key') ?? null;
    const transfer = p.boolean('transfer_lookup_key') ?? false;
    const nickname = p.nullableString('nickname') ?? null;
    const active = p.boolean('active') ?? true;
    const taxBehavior = p.enum('tax_behavior', TAX_BEHAVIORS) ?? 'unspecified';
    const metadata = applyMetadata({}, p.metadata());
    return () => {
      const now = ctx.clock.now();
      let productId = product;
      if (product) requireProduct(ctx, product, 'product');
      const releaseKey = lookupKey ? claimLookupKey(ctx, lookupKey, transfer) : () => {};
      if (!productId) {
        const created = buildProduct(now, {
          name: productName ?? 'Product',
          active: true,
          description: null,
          metadata: {},
          images: [],
          statementDescriptor: null,
          unitLabel: null,
          url: null,
        });
        ctx.store.products.set(created.id, created);
        ctx.events.emit('product.created', created);
        productId = created.id;
      }
      releaseKey();
      const price = buildPrice(now, {
        product: productId,
        currency,
        unitAmount,
        active,
        nickname,
        lookupKey,
        metadata,
        recurring,
        taxBehavior,
      });
      ctx.store.prices.set(price.id, price);
      ctx.events.emit('price.created', price);
      return price;
    };
  });

  router.get('/v1/prices/:id', (_p, path) => () => requirePrice(ctx, pathParam(path)));

  router.post('/v1/prices/:id', (p, path) => {
    const active = p.boolean('active');
    const nickname = p.nullableString('nickname');
    const lookupKey = p.nullableString('lookup_key');
    const transfer = p.boolean('transfer_lookup_key') ?? false;
    const taxBehavior = p.enum('tax_behavior', TAX_BEHAVIORS);
    const metadata = p.metadata();
    return () => {
      const price = requirePrice(ctx, pathParam(path));
      const releaseKey = lookupKey ? claimLookupKey(ctx, lookupKey, transfer, price.id) : () => {};
      releaseKey();
      const before = toJson(price);
      if (active !== undefined) price.active = active;
      if (nickname !== undefined) price.nickname = nickname;
      if (lookupKey !== undefined) price.lookup_key = lookupKey;
      if (taxBehavior !== undefined) price.tax_behavior = taxBehavior;
      price.metadata = applyMetadata(price.metadata, metadata);
      ctx.events.emit('price.updated', price, previousAttributes(before, toJson(price)));
      return price;
    };
  });

  router.get('/v1/prices', (p) => {
    const active = p.boolean('active');
    const currency = p.string('currency')?.toLowerCase();
    const product = p.string('product');
    const type = p.enum('type', ['one_time', 'recurring'] as const);
    const lookupKeys = p.stringArray('lookup_keys');
    const interval = p.object('recurring')?.enum('interval', INTERVALS);
    const page = readPage(p);
    return () => {
      const matches = (price: Stripe.Price) =>
        (active === undefined || price.active === active) &&
        (currency === undefined || price.currency === currency) &&
        (product === undefined || price.product === product) &&
        (type === undefined || price.type === type) &&
        (lookupKeys === undefined ||
          (price.lookup_key !== null && lookupKeys.includes(price.lookup_key))) &&
        (interval === undefined || price.recurring?.interval === interval);
      return paginate(newestFirst(ctx.store.prices).filter(matches), page, '/v1/prices', 'price');
    };
  });
}

export function registerCatalogRoutes(router: Router, ctx: EmulatorContext): void {
  registerProductRoutes(router, ctx);
  registerPriceRoutes(router, ctx);
}
