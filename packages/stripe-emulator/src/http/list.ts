// Stripe's cursor pagination over newest-first lists: `limit` (1–100, default 10),
// `starting_after` (the page after an id) and `ending_before` (the page before it), with
// `has_more` telling whether another page exists in that direction. Cursors are object ids, so
// a page stays stable while new objects are created at the head.
import type Stripe from 'stripe';
import { invalidRequest, resourceMissing } from '../errors.ts';
import type { Params, RangeFilter } from './params.ts';

const DEFAULT_LIMIT = 10;
const MAX_LIMIT = 100;

export interface PageRequest {
  limit: number;
  startingAfter: string | undefined;
  endingBefore: string | undefined;
  created: RangeFilter | undefined;
}

/** Reads the pagination parameters every list endpoint accepts. */
export function readPage(params: Params): PageRequest {
  const limit = params.integer('limit') ?? DEFAULT_LIMIT;
  if (limit < 1 || limit > MAX_LIMIT) {
    throw invalidRequest(
      `This value must be greater than or equal to 1 and less than or equal to ${MAX_LIMIT}.`,
      { param: 'limit' },
    );
  }
  const startingAfter = params.string('starting_after') || undefined;
  const endingBefore = params.string('ending_before') || undefined;
  if (startingAfter && endingBefore) {
    throw invalidRequest(
      'You may only specify one of these parameters: ending_before, starting_after.',
    );
  }
  return { limit, startingAfter, endingBefore, created: params.range('created') };
}

export function inRange(value: number, range: RangeFilter | undefined): boolean {
  if (!range) return true;
  if (range.gt !== undefined && !(value > range.gt)) return false;
  if (range.gte !== undefined && !(value >= range.gte)) return false;
  if (range.lt !== undefined && !(value < range.lt)) return false;
  if (range.lte !== undefined && !(value <= range.lte)) return false;
  return true;
}

/**
 * `items` must already be filtered and newest-first. `kind` names the object in the
 * resource_missing error for an unknown cursor ("No such customer: 'cus_…'").
 */
export function paginate<T extends { id: string; created?: number }>(
  items: readonly T[],
  page: PageRequest,
  url: string,
  kind: string,
): Stripe.ApiList<T> {
  const filtered = page.created
    ? items.filter((item) => item.created === undefined || inRange(item.created, page.created))
    : items;
  let data: T[];
  let hasMore: boolean;
  if (page.startingAfter) {
    const index = indexOf(filtered, page.startingAfter, 'starting_after', kind);
    data = filtered.slice(index + 1, index + 1 + page.limit);
    hasMore = index + 1 + page.limit < filtered.length;
  } else if (page.endingBefore) {
    const index = indexOf(filtered, page.endingBefore, 'ending_before', kind);
    const start = Math.max(0, index - page.limit);
    data = filtered.slice(start, index);
    hasMore = start > 0;
  } else {
    data = filtered.slice(0, page.limit);
    hasMore = filtered.length > page.limit;
  }
  return { object: 'list', data, has_more: hasMore, url };
}

function indexOf<T extends { id: string }>(
  items: readonly T[],
  id: string,
  param: string,
  kind: string,
): number {
  const index = items.findIndex((item) => item.id === id);
  if (index === -1) throw resourceMissing(kind, id, param);
  return index;
}
