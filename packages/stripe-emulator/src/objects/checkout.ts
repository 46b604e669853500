// Checkout sessions and their line items in Stripe's shape (fixtures: resources.checkout.session,
// resources.item), and billing portal sessions (resources.billing_portal.session).
import type Stripe from 'stripe';
import { newId } from '../ids.ts';
import type { Complete } from './shapes.ts';

export type EmulatedCheckoutSession = Complete<Stripe.Checkout.Session, 'phone_number_collection'>;

export function buildLineItem(
  price: Stripe.Price,
  product: Stripe.Product,
  quantity: number,
): Stripe.LineItem {
  const subtotal = (price.unit_amount ?? 0) * quantity;
  return {
    id: newId('lineItem'),
    object: 'item',
    adjustable_quantity: null,
    amount_discount: 0,
    amount_subtotal: subtotal,
    amount_tax: 0,
    amount_total: subtotal,
    currency: price.currency,
    description: product.name,
    metadata: {},
    price,
    quantity,
  };
}

export interface CheckoutSessionFields {
  id: string;
  mode: Stripe.Checkout.Session.Mode;
  url: string;
  lineItems: Stripe.LineItem[];
  customer: string | null;
  customerEmail: string | null;
  customerCreation: Stripe.Checkout.Session.CustomerCreation | null;
  clientReferenceId: string | null;
  metadata: Record<string, string>;
  successUrl: string | null;
  cancelUrl: string | null;
  expiresAt: number;
}

export function newCheckoutSessionId(): string {
  return newId('checkoutSession');
}

export function buildCheckoutSession(
  now: number,
  fields: CheckoutSessionFields,
): EmulatedCheckoutSession {
  const subtotal = fields.lineItems.reduce((sum, item) => sum + item.amount_subtotal, 0);
  const currency = fields.lineItems[0]?.currency ?? null;
  return {
    id: fields.id,
    object: 'checkout.session',
    adaptive_pricing: { enabled: false },
    after_expiration: null,
    allow_promotion_codes: null,
    allowed_payment_method_types: null,
    amount_subtotal: subtotal,
    amount_total: subtotal,
    automatic_tax: { enabled: false, liability: null, provider: null, status: null },
    billing_address_collection: null,
    cancel_url: fields.cancelUrl,
    client_reference_id: fields.clientReferenceId,
    client_secret: null,
    collected_information: null,
    consent: null,
    consent_collection: null,
    created: now,
    currency,
    currency_conversion: null,
    custom_fields: [],
    custom_text: {
      after_submit: null,
      shipping_address: null,
      submit: null,
      terms_of_service_acceptance: null,
    },
    customer: fields.customer,
    customer_account: null,
    customer_creation: fields.customerCreation,
    customer_details: null,
    customer_email: fields.customerEmail,
    discounts: [],
    expires_at: fields.expiresAt,
    integration_identifier: null,
    invoice: null,
    invoice_creation:
      fields.mode === 'payment'
        ? {
            enabled: false,
            invoice_data: {
              account_tax_ids: null,
              custom_fields: null,
              description: null,
              footer: null,
              issuer: null,
              metadata: null,
              rendering_options: null,
            },
          }
        : null,
    livemode: false,
    locale: null,
    managed_payments: null,
    metadata: fields.metadata,
    mode: fields.mode,
    origin_context: null,
    payment_intent: null,
    payment_link: null,
    payment_method_collection: fields.mode === 'subscription' ? 'always' : null,
    payment_method_configuration_details: null,
    payment_method_options: {},
    payment_method_types: ['card'],
    payment_status: 'unpaid',
    permissions: null,
    phone_number_collection: { enabled: false },
    recovered_from: null,
    saved_payment_method_options: null,
    setup_intent: null,
    shipping_address_collection: null,
    shipping_cost: null,
    shipping_options: [],
    status: 'open',
    submit_type: null,
    subscription: null,
    success_url: fields.successUrl,
    total_details: { amount_discount: 0, amount_shipping: 0, amount_tax: 0 },
    ui_mode: 'hosted',
    url: fields.url,
    wallet_options: null,
  };
}

export interface PortalSessionFields {
  id: string;
  customer: string;
  returnUrl: string | null;
  url: string;
  configuration: string;
}

export function newPortalSessionId(): string {
  return newId('portalSession');
}

export function buildPortalSession(
  now: number,
  fields: PortalSessionFields,
): Stripe.BillingPortal.Session {
  return {
    id: fields.id,
    object: 'billing_portal.session',
    configuration: fields.configuration,
    created: now,
    customer: fields.customer,
    customer_account: null,
    flow: null,
    livemode: false,
    locale: null,
    on_behalf_of: null,
    return_url: fields.returnUrl,
    url: fields.url,
  };
}
