// Checkout `line_items`: each a `price` id or inline `price_data` (currency, unit_amount,
// product or product_data[name], optional recurring). Inline prices become real, inactive
// price objects — as with Stripe, they can be read back but not reused in a new session.
import type Stripe from 'stripe';
import type { EmulatorContext } from '../context.ts';
import { invalidRequest, parameterMissing } from '../errors.ts';
import type { Params } from '../http/params.ts';
import { buildPrice, buildProduct } from '../objects/catalog.ts';
import { readRecurring } from './catalog.ts';
import { readCurrency } from './fields.ts';

export type InlinePrice = ReturnType<typeof readInlinePrice>;
export type LineInput = { quantity: number; param: string } & (
  | { kind: 'price'; price: string }
  | { kind: 'inline'; inline: InlinePrice }
);

export function readLineItems(p: Params): LineInput[] {
  const items = p.array('line_items');
  if (!items || items.length === 0) throw parameterMissing('line_items');
  return items.map((item, index) => {
    const param = `line_items[${index}]`;
    const quantity = item.integer('quantity');
    if (quantity === undefined) throw parameterMissing(`${param}[quantity]`);
    if (quantity < 1)
      throw invalidRequest('Quantity must be at least 1.', { param: `${param}[quantity]` });
    const price = item.string('price');
    if (price) return { kind: 'price', price, quantity, param: `${param}[price]` };
    const data = item.object('price_data');
    if (!data) throw parameterMissing(`${param}[price]`);
    return {
      kind: 'inline',
      inline: readInlinePrice(data),
      quantity,
      param: `${param}[price_data]`,
    };
  });
}

/** `price_data` creates an inactive one-off price, as Stripe does for inline prices. */
function readInlinePrice(data: Params) {
  const currency = readCurrency(data);
  const unitAmount = data.integer('unit_amount');
  if (unitAmount === undefined) throw parameterMissing(`${data.name('unit_amount')}`);
  const product = data.string('product');
  const productName = data.object('product_data')?.requiredString('name');
  if (!product && !productName) throw parameterMissing(data.name('product'));
  return { currency, unitAmount, product, productName, recurring: readRecurring(data) };
}

/** Stores an inline price (and its product, if given only by name) the way Stripe does. */
export function createInlinePrice(
  ctx: EmulatorContext,
  now: number,
  data: InlinePrice,
): Stripe.Price {
  let productId = data.product;
  if (!productId) {
    const product = buildProduct(now, {
      name: data.productName ?? 'Product',
      active: false,
      description: null,
      metadata: {},
      images: [],
      statementDescriptor: null,
      unitLabel: null,
      url: null,
    });
    ctx.store.products.set(product.id, product);
    productId = product.id;
  }
  const price = buildPrice(now, {
    product: productId,
    currency: data.currency,
    unitAmount: data.unitAmount,
    active: false,
    nickname: null,
    lookupKey: null,
    metadata: {},
    recurring: data.recurring,
    taxBehavior: 'unspecified',
  });
  ctx.store.prices.set(price.id, price);
  return price;
}
