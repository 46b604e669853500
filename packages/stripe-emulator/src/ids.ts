// Ids carry Stripe's prefixes because integrations branch on them (`cus_` vs `gcus_`, `cs_test_`
// vs `cs_live_`) and logs are read by people who know them. The random part is base62 from
// the CSPRNG: hosted-page URLs embed session ids, and like Stripe's they must be unguessable
// (14 chars ≈ 83 bits, 24 chars ≈ 143 bits).
import { randomInt } from 'node:crypto';

const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** Prefix → length of the random part, as in Stripe's own ids. */
const ID_SHAPES = {
  customer: ['cus_', 14],
  product: ['prod_', 14],
  price: ['price_', 24],
  checkoutSession: ['cs_test_', 58],
  lineItem: ['li_', 24],
  subscription: ['sub_', 24],
  subscriptionItem: ['si_', 14],
  subscriptionSchedule: ['sub_sched_', 24],
  invoice: ['in_', 24],
  invoiceLine: ['il_', 24],
  invoiceItem: ['ii_', 24],
  paymentMethod: ['pm_', 24],
  paymentIntent: ['pi_', 24],
  charge: ['ch_', 24],
  refund: ['re_', 24],
  event: ['evt_', 24],
  portalSession: ['bps_', 24],
  portalConfiguration: ['bpc_', 24],
  request: ['req_', 14],
  fingerprint: ['', 16],
} as const satisfies Record<string, readonly [string, number]>;

export type IdKind = keyof typeof ID_SHAPES;

export function randomString(length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) out += ALPHABET[randomInt(ALPHABET.length)];
  return out;
}

export function newId(kind: IdKind): string {
  const [prefix, length] = ID_SHAPES[kind];
  return prefix + randomString(length);
}
