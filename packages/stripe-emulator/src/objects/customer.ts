// Customer objects in Stripe's shape (fixture: resources.customer).
import type Stripe from 'stripe';
import { newId, randomString } from '../ids.ts';
import type { Complete } from './shapes.ts';

export type EmulatedCustomer = Complete<
  Stripe.Customer,
  | 'address'
  | 'currency'
  | 'delinquent'
  | 'discount'
  | 'invoice_prefix'
  | 'name'
  | 'next_invoice_sequence'
  | 'phone'
  | 'preferred_locales'
  | 'tax_exempt'
  | 'test_clock'
>;

export interface CustomerFields {
  email: string | null;
  name: string | null;
  description: string | null;
  phone: string | null;
  metadata: Record<string, string>;
  address: Stripe.Address | null;
}

export function buildCustomer(now: number, fields: CustomerFields): EmulatedCustomer {
  return {
    id: newId('customer'),
    object: 'customer',
    address: fields.address,
    balance: 0,
    created: now,
    currency: null,
    customer_account: null,
    default_source: null,
    delinquent: false,
    description: fields.description,
    discount: null,
    email: fields.email,
    // Stripe's prefixes are 8 uppercase alphanumerics; invoice numbers are PREFIX-0001.
    invoice_prefix: randomString(8).toUpperCase(),
    invoice_settings: {
      custom_fields: null,
      default_payment_method: null,
      footer: null,
      rendering_options: null,
    },
    livemode: false,
    metadata: fields.metadata,
    name: fields.name,
    next_invoice_sequence: 1,
    phone: fields.phone,
    preferred_locales: [],
    shipping: null,
    tax_exempt: 'none',
    test_clock: null,
  };
}
