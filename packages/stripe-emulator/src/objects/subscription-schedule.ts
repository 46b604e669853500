// Subscription schedules in Stripe's shape (fixture: resources.subscription_schedule). A schedule
// holds phases — each a time range with the items the subscription has during it — and points at
// the subscription it drives; `current_phase` repeats the dates of the phase running now. Phase
// items name their price (and its legacy plan twin) by id, as Stripe's responses do.
import type Stripe from 'stripe';
import { newId } from '../ids.ts';

export type EmulatedSubscriptionSchedule = Stripe.SubscriptionSchedule;
export type SchedulePhase = Stripe.SubscriptionSchedule.Phase;

/** What the emulator models of a phase; everything else is Stripe's default. */
export interface PhaseFields {
  items: Array<{ price: string; quantity: number }>;
  currency: string;
  startDate: number;
  endDate: number;
  prorationBehavior: Stripe.SubscriptionSchedule.Phase.ProrationBehavior;
  metadata: Record<string, string>;
}

export function buildPhase(fields: PhaseFields): SchedulePhase {
  return {
    add_invoice_items: [],
    application_fee_percent: null,
    billing_cycle_anchor: null,
    billing_thresholds: null,
    collection_method: null,
    currency: fields.currency,
    default_payment_method: null,
    default_tax_rates: [],
    description: null,
    discounts: [],
    end_date: fields.endDate,
    invoice_settings: null,
    items: fields.items.map((item) => ({
      billing_thresholds: null,
      discounts: [],
      metadata: {},
      plan: item.price,
      price: item.price,
      quantity: item.quantity,
      tax_rates: [],
    })),
    metadata: fields.metadata,
    on_behalf_of: null,
    proration_behavior: fields.prorationBehavior,
    start_date: fields.startDate,
    transfer_data: null,
    trial_end: null,
  };
}

export interface ScheduleFields {
  customer: string;
  endBehavior: Stripe.SubscriptionSchedule.EndBehavior;
  metadata: Record<string, string>;
  phases: SchedulePhase[];
}

/** A schedule that has not started; starting it (or attaching a subscription) makes it active. */
export function buildSchedule(now: number, fields: ScheduleFields): EmulatedSubscriptionSchedule {
  return {
    id: newId('subscriptionSchedule'),
    object: 'subscription_schedule',
    application: null,
    billing_mode: { flexible: null, type: 'classic' },
    canceled_at: null,
    completed_at: null,
    created: now,
    current_phase: null,
    customer: fields.customer,
    customer_account: null,
    default_settings: {
      application_fee_percent: null,
      automatic_tax: { disabled_reason: null, enabled: false, liability: null },
      billing_cycle_anchor: 'automatic',
      billing_thresholds: null,
      collection_method: 'charge_automatically',
      default_payment_method: null,
      description: null,
      invoice_settings: {
        account_tax_ids: null,
        custom_fields: null,
        days_until_due: null,
        description: null,
        footer: null,
        issuer: { type: 'self' },
      },
      on_behalf_of: null,
      transfer_data: null,
    },
    end_behavior: fields.endBehavior,
    livemode: false,
    metadata: fields.metadata,
    pause_schedules: [],
    phases: fields.phases,
    released_at: null,
    released_subscription: null,
    status: 'not_started',
    subscription: null,
    test_clock: null,
  };
}

/** The phase running at `at`, if any: phases are contiguous, each [start_date, end_date). */
export function phaseAt(
  schedule: Stripe.SubscriptionSchedule,
  at: number,
): { phase: SchedulePhase; index: number } | undefined {
  const index = schedule.phases.findIndex((phase) => phase.start_date <= at && at < phase.end_date);
  const phase = schedule.phases[index];
  return phase ? { phase, index } : undefined;
}
