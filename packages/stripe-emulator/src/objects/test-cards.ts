// Stripe's documented test cards, by what they do. The card's last four digits identify it, so a
// stored payment method carries its behaviour in its own Stripe shape (no hidden flags).
// https://docs.stripe.com/testing#declined-payments
import type { CardDecline } from '../errors.ts';

export interface TestCard {
  number: string;
  brand: 'visa' | 'mastercard';
  last4: string;
  label: string;
  /** Declines when attached to a customer (Stripe validates the card on attach). */
  declinesOnAttach: CardDecline | null;
  /** Declines every charge. */
  declinesCharges: CardDecline | null;
}

const GENERIC_DECLINE: CardDecline = {
  code: 'card_declined',
  declineCode: 'generic_decline',
  message: 'Your card was declined.',
};

const INSUFFICIENT_FUNDS: CardDecline = {
  code: 'card_declined',
  declineCode: 'insufficient_funds',
  message: 'Your card has insufficient funds.',
};

export const TEST_CARDS = {
  visa: {
    number: '4242424242424242',
    brand: 'visa',
    last4: '4242',
    label: 'Visa ending 4242 — succeeds',
    declinesOnAttach: null,
    declinesCharges: null,
  },
  mastercard: {
    number: '5555555555554444',
    brand: 'mastercard',
    last4: '4444',
    label: 'Mastercard ending 4444 — succeeds',
    declinesOnAttach: null,
    declinesCharges: null,
  },
  declined: {
    number: '4000000000000002',
    brand: 'visa',
    last4: '0002',
    label: 'Visa ending 0002 — declined',
    declinesOnAttach: GENERIC_DECLINE,
    declinesCharges: GENERIC_DECLINE,
  },
  insufficientFunds: {
    number: '4000000000009995',
    brand: 'visa',
    last4: '9995',
    label: 'Visa ending 9995 — insufficient funds',
    declinesOnAttach: INSUFFICIENT_FUNDS,
    declinesCharges: INSUFFICIENT_FUNDS,
  },
  /** Attaches fine, then every charge fails: how a renewal starts failing. */
  chargeCustomerFail: {
    number: '4000000000000341',
    brand: 'visa',
    last4: '0341',
    label: 'Visa ending 0341 — attaches, later charges decline',
    declinesOnAttach: null,
    declinesCharges: GENERIC_DECLINE,
  },
} as const satisfies Record<string, TestCard>;

export type TestCardName = keyof typeof TEST_CARDS;

export const TEST_CARD_NAMES = Object.keys(TEST_CARDS).filter(
  (name): name is TestCardName => name in TEST_CARDS,
);

/** Stripe's magic payment method ids (`pm_card_visa`, …) and tokens (`tok_visa`, …). */
const MAGIC_IDS: Record<string, TestCardName> = {
  pm_card_visa: 'visa',
  pm_card_mastercard: 'mastercard',
  pm_card_chargeDeclined: 'declined',
  pm_card_visa_chargeDeclined: 'declined',
  pm_card_chargeDeclinedInsufficientFunds: 'insufficientFunds',
  pm_card_chargeCustomerFail: 'chargeCustomerFail',
  tok_visa: 'visa',
  tok_mastercard: 'mastercard',
  tok_chargeDeclined: 'declined',
  tok_chargeDeclinedInsufficientFunds: 'insufficientFunds',
  tok_chargeCustomerFail: 'chargeCustomerFail',
};

export function testCardForMagicId(id: string): TestCard | undefined {
  const name = MAGIC_IDS[id];
  return name ? TEST_CARDS[name] : undefined;
}

export function testCardByNumber(number: string): TestCard | undefined {
  const digits = number.replace(/\s+/g, '');
  return Object.values(TEST_CARDS).find((card) => card.number === digits);
}

export function testCardByLast4(last4: string | undefined): TestCard {
  return Object.values(TEST_CARDS).find((card) => card.last4 === last4) ?? TEST_CARDS.visa;
}
