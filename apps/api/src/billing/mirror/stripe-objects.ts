/**
 * The parts of Stripe's objects the mirror reads, as zod schemas. Objects come from a fresh
 * SDK read (never only from the event body), and are still checked: a field we rely on that
 * is missing or of another type makes the event `failed` with the reason, not a crash.
 */
import { z } from 'zod';

/** An expandable field: the id, or the object carrying it. */
const ZRef = z
  .union([z.string(), z.object({ id: z.string() })])
  .transform((value) => (typeof value === 'string' ? value : value.id));

const ZUnixTime = z.number().int().nonnegative();

export const SUBSCRIPTION_STATUSES = [
  'incomplete',
  'incomplete_expired',
  'trialing',
  'active',
  'past_due',
  'canceled',
  'unpaid',
  'paused',
] as const;

/** Stripe never brings these back: a late read or event cannot revive them. */
export const ENDED_SUBSCRIPTION_STATUSES = ['canceled', 'incomplete_expired'] as const;

const ZMetadata = z.record(z.string(), z.string()).default({});

export const ZStripeSubscription = z.object({
  id: z.string().regex(/^sub_[A-Za-z0-9]+$/),
  object: z.literal('subscription'),
  customer: ZRef,
  status: z.enum(SUBSCRIPTION_STATUSES),
  items: z.object({
    data: z
      .array(
        z.object({
          price: z.object({ id: z.string().min(1) }),
          quantity: z.number().int().nonnegative().nullish(),
          // Since API 2025-03-31 the period lives on each item.
          current_period_start: ZUnixTime,
          current_period_end: ZUnixTime,
        }),
      )
      .min(1, { error: 'a subscription has at least one item' }),
  }),
  cancel_at_period_end: z.boolean(),
  cancel_at: ZUnixTime.nullable(),
  canceled_at: ZUnixTime.nullable(),
  ended_at: ZUnixTime.nullable(),
  trial_end: ZUnixTime.nullable(),
  created: ZUnixTime,
  schedule: ZRef.nullable().default(null),
  metadata: ZMetadata,
});
export type StripeSubscriptionView = z.output<typeof ZStripeSubscription>;

export const ZStripeSchedule = z.object({
  id: z.string().min(1),
  status: z.string(),
  subscription: ZRef.nullable(),
  /** Set once the schedule lets go of its subscription (subscription is null then). */
  released_subscription: ZRef.nullable().default(null),
  current_phase: z.object({ start_date: ZUnixTime, end_date: ZUnixTime }).nullable(),
  phases: z.array(
    z.object({
      start_date: ZUnixTime,
      end_date: ZUnixTime.nullable(),
      items: z.array(z.object({ price: ZRef })),
    }),
  ),
});
export type StripeScheduleView = z.output<typeof ZStripeSchedule>;

export const INVOICE_STATUSES = ['draft', 'open', 'paid', 'uncollectible', 'void'] as const;

export const ZStripeInvoice = z.object({
  id: z.string().regex(/^in_[A-Za-z0-9]+$/),
  object: z.literal('invoice'),
  customer: ZRef,
  number: z.string().nullable(),
  status: z.enum(INVOICE_STATUSES),
  currency: z.string().regex(/^[a-z]{3}$/),
  subtotal: z.number().int(),
  total: z.number().int(),
  amount_due: z.number().int(),
  amount_paid: z.number().int(),
  amount_remaining: z.number().int(),
  billing_reason: z.string().nullable(),
  period_start: ZUnixTime,
  period_end: ZUnixTime,
  hosted_invoice_url: z.string().nullable().default(null),
  invoice_pdf: z.string().nullable().default(null),
  created: ZUnixTime,
  next_payment_attempt: ZUnixTime.nullable().default(null),
  status_transitions: z.object({ paid_at: ZUnixTime.nullable() }).partial().default({}),
  // Where the subscription is named since API 2025-03-31, and before it.
  parent: z
    .object({
      subscription_details: z
        .object({ subscription: ZRef, metadata: ZMetadata.nullable().default(null) })
        .nullish(),
    })
    .nullish(),
  subscription: ZRef.nullish(),
  lines: z
    .object({
      data: z.array(z.object({ period: z.object({ start: ZUnixTime, end: ZUnixTime }) })),
    })
    .nullish(),
});
export type StripeInvoiceView = z.output<typeof ZStripeInvoice>;

export const ZStripeRefund = z.object({
  id: z.string().regex(/^re_[A-Za-z0-9]+$/),
  amount: z.number().int().nonnegative(),
  currency: z.string().regex(/^[a-z]{3}$/),
  status: z.string().nullable(),
  created: ZUnixTime,
});

export const ZStripeCharge = z.object({
  id: z.string().regex(/^(ch|py)_[A-Za-z0-9]+$/),
  object: z.literal('charge'),
  customer: ZRef.nullable(),
  // Gone from charges in newer API versions; read when present.
  invoice: ZRef.nullish(),
  // Credit pack refunds: which purchase, and how much of it is refunded so far.
  payment_intent: ZRef.nullable().default(null),
  amount_refunded: z.number().int().nonnegative().default(0),
});

export const ZStripeCheckoutSession = z.object({
  id: z.string().regex(/^cs_[A-Za-z0-9_]+$/),
  object: z.literal('checkout.session'),
  mode: z.enum(['payment', 'setup', 'subscription']),
  status: z.enum(['open', 'complete', 'expired']).nullable(),
  customer: ZRef.nullable(),
  subscription: ZRef.nullable(),
  client_reference_id: z.string().nullable(),
  metadata: ZMetadata.nullable().transform((value) => value ?? {}),
  // Read by credit pack purchases (payment mode).
  payment_status: z.string().nullable().default(null),
  payment_intent: ZRef.nullable().default(null),
  amount_total: z.number().int().nonnegative().nullable().default(null),
  currency: z
    .string()
    .regex(/^[a-z]{3}$/)
    .nullable()
    .default(null),
});

export const ZStripeCustomer = z.object({
  id: z.string().regex(/^cus_[A-Za-z0-9]+$/),
  object: z.literal('customer'),
  deleted: z.literal(true).optional(),
  metadata: ZMetadata,
});

export const ZStripePrice = z.object({
  id: z.string().min(1).max(255),
  object: z.literal('price'),
  product: ZRef,
  active: z.boolean(),
  currency: z.string().regex(/^[a-z]{3}$/),
  unit_amount: z.number().int().nonnegative().nullable(),
  recurring: z
    .object({
      interval: z.enum(['day', 'week', 'month', 'year']),
      interval_count: z.number().int().positive(),
    })
    .nullable(),
  created: ZUnixTime,
  metadata: ZMetadata,
});
export type StripePriceView = z.output<typeof ZStripePrice>;

export const ZStripeProduct = z.object({
  id: z.string().min(1).max(255),
  object: z.literal('product'),
  active: z.boolean(),
  metadata: ZMetadata,
});

/** Unix seconds → Date; null stays null. */
export function fromUnix(seconds: number): Date;
export function fromUnix(seconds: number | null | undefined): Date | null;
export function fromUnix(seconds: number | null | undefined): Date | null {
  return seconds === null || seconds === undefined ? null : new Date(seconds * 1000);
}

/**
 * The account a Stripe object was made for, from metadata our checkout writes. Several
 * spellings are read because objects made by older code or by hand may use any of them.
 */
export function userIdFromMetadata(metadata: Record<string, string>): string | null {
  const candidate = metadata.tollbooth_user_id ?? metadata.userId ?? metadata.user_id;
  return candidate && z.uuid().safeParse(candidate).success ? candidate : null;
}
