// Products and prices in Stripe's shape (fixtures: resources.product, resources.price).
import Stripe from 'stripe';
import { newId } from '../ids.ts';
import type { Complete } from './shapes.ts';

export type EmulatedProduct = Complete<
  Stripe.Product,
  'default_price' | 'statement_descriptor' | 'tax_code' | 'unit_label'
>;

export interface ProductFields {
  name: string;
  active: boolean;
  description: string | null;
  metadata: Record<string, string>;
  images: string[];
  statementDescriptor: string | null;
  unitLabel: string | null;
  url: string | null;
}

export function buildProduct(now: number, fields: ProductFields, id?: string): EmulatedProduct {
  return {
    id: id ?? newId('product'),
    object: 'product',
    active: fields.active,
    created: now,
    default_price: null,
    description: fields.description,
    images: fields.images,
    livemode: false,
    marketing_features: [],
    metadata: fields.metadata,
    name: fields.name,
    package_dimensions: null,
    shippable: null,
    statement_descriptor: fields.statementDescriptor,
    tax_code: null,
    tax_details: null,
    type: 'service',
    unit_label: fields.unitLabel,
    updated: now,
    url: fields.url,
  };
}

export interface PriceFields {
  product: string;
  currency: string;
  unitAmount: number;
  active: boolean;
  nickname: string | null;
  lookupKey: string | null;
  metadata: Record<string, string>;
  recurring: { interval: Stripe.Price.Recurring.Interval; intervalCount: number } | null;
  taxBehavior: Stripe.Price.TaxBehavior;
}

export function buildPrice(now: number, fields: PriceFields): Stripe.Price {
  return {
    id: newId('price'),
    object: 'price',
    active: fields.active,
    billing_scheme: 'per_unit',
    created: now,
    currency: fields.currency,
    custom_unit_amount: null,
    livemode: false,
    lookup_key: fields.lookupKey,
    metadata: fields.metadata,
    nickname: fields.nickname,
    product: fields.product,
    recurring: fields.recurring
      ? {
          interval: fields.recurring.interval,
          interval_count: fields.recurring.intervalCount,
          meter: null,
          trial_period_days: null,
          usage_type: 'licensed',
        }
      : null,
    tax_behavior: fields.taxBehavior,
    tiers_mode: null,
    transform_quantity: null,
    type: fields.recurring ? 'recurring' : 'one_time',
    unit_amount: fields.unitAmount,
    unit_amount_decimal: Stripe.Decimal.from(fields.unitAmount),
  };
}
