// Turning requested phases into a schedule's phases, validated as Stripe validates them: every
// phase has items with recurring prices of one interval and one currency; phases are contiguous
// (a phase starts where the previous one ends); each phase but the last ends by `end_date` or
// `duration` (never both), and the last defaults to one billing interval of its price. `duration`
// replaced `iterations`, which Stripe removed from the API in 2025-09-30.clover.
import type Stripe from 'stripe';
import type { EmulatorContext } from '../context.ts';
import { invalidRequest, parameterMissing } from '../errors.ts';
import { buildPhase, type SchedulePhase } from '../objects/subscription-schedule.ts';
import { requirePrice } from './lookup.ts';
import { boundary } from './periods.ts';
import { assertSameInterval, recurringOf } from './subscriptions.ts';

export const MAX_PHASES = 10;

export type PhaseProration = 'always_invoice' | 'create_prorations' | 'none';
export type DurationInterval = 'day' | 'week' | 'month' | 'year';

export interface PhaseInput {
  items: Array<{ price: string | undefined; quantity: number | undefined }> | undefined;
  startDate: number | 'now' | undefined;
  endDate: number | 'now' | undefined;
  duration: { interval: DurationInterval; intervalCount: number } | undefined;
  prorationBehavior: PhaseProration | undefined;
  metadata: Record<string, string>;
}

export interface ResolveOptions {
  /** When the first phase starts (already checked by the caller). */
  start: number;
  /** Prices the subscription has now: they may stay on the current phase while archived. */
  currentPrices: ReadonlySet<string>;
}

function resolveItems(
  ctx: EmulatorContext,
  input: PhaseInput,
  param: string,
  options: ResolveOptions,
) {
  if (!input.items || input.items.length === 0) throw parameterMissing(`${param}[items]`);
  const seen = new Set<string>();
  return input.items.map((item, index) => {
    const itemParam = `${param}[items][${index}][price]`;
    if (!item.price) throw parameterMissing(itemParam);
    const price = requirePrice(ctx, item.price, itemParam);
    if (!price.recurring) {
      throw invalidRequest(
        'The price specified is set to `type=one_time` but this field only accepts prices with `type=recurring`.',
        { param: itemParam },
      );
    }
    if (!price.active && !options.currentPrices.has(price.id)) {
      throw invalidRequest(
        'The price specified is inactive. This field only accepts active prices.',
        { param: itemParam },
      );
    }
    if (seen.has(price.id)) {
      throw invalidRequest(
        'Cannot add multiple subscription items with the same price in one phase.',
        { param: itemParam },
      );
    }
    seen.add(price.id);
    return { price, quantity: item.quantity ?? 1 };
  });
}

export function resolvePhases(
  ctx: EmulatorContext,
  inputs: PhaseInput[],
  options: ResolveOptions,
): SchedulePhase[] {
  if (inputs.length === 0) throw parameterMissing('phases');
  if (inputs.length > MAX_PHASES) {
    throw invalidRequest(`A subscription schedule can have at most ${MAX_PHASES} phases.`, {
      param: 'phases',
    });
  }
  const now = ctx.clock.now();
  let start = options.start;
  let currency: string | undefined;
  return inputs.map((input, index) => {
    const param = `phases[${index}]`;
    if (index > 0 && input.startDate !== undefined) {
      const given = input.startDate === 'now' ? now : input.startDate;
      if (given !== start) {
        throw invalidRequest(
          `The start_date of phase ${index} must equal the end_date of the phase before it (${start}); phases must be contiguous.`,
          { param: `${param}[start_date]` },
        );
      }
    }
    const items = resolveItems(ctx, input, param, options);
    assertSameInterval(
      items.map((item) => item.price),
      `${param}[items]`,
    );
    for (const [itemIndex, item] of items.entries()) {
      currency ??= item.price.currency;
      if (item.price.currency !== currency) {
        throw invalidRequest(
          `All prices on a subscription schedule must have the same currency (${currency}).`,
          { param: `${param}[items][${itemIndex}][price]` },
        );
      }
    }
    const end = phaseEnd(input, index === inputs.length - 1, start, now, param, items);
    const phase = buildPhase({
      items: items.map((item) => ({ price: item.price.id, quantity: item.quantity })),
      currency: currency ?? 'usd',
      startDate: start,
      endDate: end,
      prorationBehavior: input.prorationBehavior ?? 'create_prorations',
      metadata: input.metadata,
    });
    start = end;
    return phase;
  });
}

function phaseEnd(
  input: PhaseInput,
  last: boolean,
  start: number,
  now: number,
  param: string,
  items: Array<{ price: Stripe.Price }>,
): number {
  if (input.endDate !== undefined && input.duration !== undefined) {
    throw invalidRequest('You may only specify one of these parameters: duration, end_date.', {
      param: `${param}[end_date]`,
    });
  }
  let end: number;
  if (input.endDate !== undefined) {
    end = input.endDate === 'now' ? now : input.endDate;
  } else if (input.duration) {
    const { interval, intervalCount } = input.duration;
    end = boundary(start, { interval, interval_count: intervalCount }, 1);
  } else if (last) {
    const [first] = items;
    if (!first) throw parameterMissing(`${param}[items]`);
    end = boundary(start, recurringOf(first.price), 1);
  } else {
    throw invalidRequest('Every phase but the last must end: set its end_date or duration.', {
      param: `${param}[end_date]`,
    });
  }
  if (end <= start) {
    throw invalidRequest(`The end_date of a phase must be after its start_date (${start}).`, {
      param: `${param}[end_date]`,
    });
  }
  if (end < now) {
    throw invalidRequest('A phase cannot end in the past.', { param: `${param}[end_date]` });
  }
  return end;
}
