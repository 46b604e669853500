/**
 * Inputs of billing.plans.*. The limits mirror the table's CHECKs (migration 0007) so bad
 * input is a VALIDATION_FAILED with field messages, never a constraint error.
 */
import { z } from 'zod';

/** The free tier's code: price 0, never in Stripe, never archived (see the migration). */
export const FREE_PLAN_CODE = 'free';

/** Stripe's unit_amount holds at most 8 digits: $999,999.99. */
export const MAX_PRICE_CENTS = 99_999_999;
const MAX_COUNT = 1_000_000_000;

export const intIn = (min: number, max: number) =>
  z
    .number({ error: 'must be a number' })
    .int({ error: 'must be a whole number' })
    .min(min, { error: `must be at least ${min}` })
    .max(max, { error: `must be at most ${max}` });

export const ZPlanCode = z
  .string({ error: 'must be a string' })
  .regex(/^[a-z0-9][a-z0-9_-]{0,47}$/, {
    error: 'must be 1-48 lowercase letters, digits, _ or -, starting with a letter or digit',
  });

/** Feature keys servers check: `api_access`, `priority_support`, `registry:pull`. */
const ZEntitlementKey = z.string().regex(/^[a-z0-9][a-z0-9_.:-]{0,63}$/, {
  error: 'must be 1-64 lowercase letters, digits, _ . : or -',
});

/** Free text that is stored: PostgreSQL text cannot hold NUL. */
export const ZText = (max: number) =>
  z
    .string({ error: 'must be a string' })
    .trim()
    .max(max, { error: `must be at most ${max} characters` })
    .refine((value) => !value.includes('\u0000'), { error: 'must not contain NUL characters' });

export const ZCurrency = z
  .string({ error: 'must be a string' })
  .transform((value) => value.toLowerCase())
  .pipe(z.string().regex(/^[a-z]{3}$/, { error: 'must be a three-letter ISO currency code' }));

const planFields = {
  name: ZText(100).pipe(z.string().min(1, { error: 'must not be empty' })),
  /** Empty or null clears it. */
  description: ZText(1000)
    .nullable()
    .transform((value) => value || null),
  priceCents: intIn(1, MAX_PRICE_CENTS),
  currency: ZCurrency,
  interval: z.enum(['month', 'year'], { error: 'must be month or year' }),
  includedOperations: intIn(0, MAX_COUNT),
  /** Null: no overage, usage stops at the allowance. */
  overagePriceCents: intIn(0, 100_000).nullable(),
  /** Beyond the allowance: pay with credits, refuse, or bill overagePriceCents on the invoice. */
  overageMode: z.enum(['credits', 'refuse', 'invoice'], {
    error: 'must be credits, refuse or invoice',
  }),
  monthlyCredits: intIn(0, MAX_COUNT),
  entitlements: z
    .array(ZEntitlementKey, { error: 'must be a list of feature keys' })
    .max(50, { error: 'must list at most 50 feature keys' })
    .transform((keys) => [...new Set(keys)]),
  sortOrder: intIn(-1_000_000, 1_000_000),
};

export const ZCreatePlanInput = z
  .object({
    code: ZPlanCode,
    ...planFields,
    description: planFields.description.default(null),
    currency: planFields.currency.default('usd'),
    interval: planFields.interval.default('month'),
    overagePriceCents: planFields.overagePriceCents.default(null),
    overageMode: planFields.overageMode.default('credits'),
    monthlyCredits: planFields.monthlyCredits.default(0),
    entitlements: planFields.entitlements.default([]),
    /** Default: after every existing plan. */
    sortOrder: planFields.sortOrder.optional(),
  })
  .refine((input) => input.code !== FREE_PLAN_CODE, {
    path: ['code'],
    error: 'is the free tier, which exists already (edit it with billing.plans.update)',
  });

/** Fields left out stay as they are. */
export const ZUpdatePlanInput = z
  .object({
    code: ZPlanCode,
    name: planFields.name.optional(),
    description: planFields.description.optional(),
    priceCents: planFields.priceCents.optional(),
    currency: planFields.currency.optional(),
    interval: planFields.interval.optional(),
    includedOperations: planFields.includedOperations.optional(),
    overagePriceCents: planFields.overagePriceCents.optional(),
    overageMode: planFields.overageMode.optional(),
    monthlyCredits: planFields.monthlyCredits.optional(),
    entitlements: planFields.entitlements.optional(),
    sortOrder: planFields.sortOrder.optional(),
  })
  .superRefine((input, ctx) => {
    if (input.code !== FREE_PLAN_CODE) return;
    // The free tier has no subscription, so nothing it could be charged.
    for (const field of ['priceCents', 'currency', 'interval'] as const) {
      if (input[field] !== undefined) {
        ctx.addIssue({ code: 'custom', path: [field], message: 'the free plan has no price' });
      }
    }
    if (input.overagePriceCents !== undefined && input.overagePriceCents !== null) {
      ctx.addIssue({
        code: 'custom',
        path: ['overagePriceCents'],
        message: 'the free plan has no subscription to bill overage to',
      });
    }
    if (input.overageMode === 'invoice') {
      ctx.addIssue({
        code: 'custom',
        path: ['overageMode'],
        message: 'the free plan has no subscription to bill overage to',
      });
    }
  });

export const ZPlanCodeInput = z.object({ code: ZPlanCode });

export const ZArchivePlanInput = ZPlanCodeInput.refine((input) => input.code !== FREE_PLAN_CODE, {
  path: ['code'],
  error: 'the free plan is what users without a subscription get; it cannot be archived',
});

export type TCreatePlanInput = z.output<typeof ZCreatePlanInput>;
export type TUpdatePlanInput = z.output<typeof ZUpdatePlanInput>;
