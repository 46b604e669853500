// Contract: every top-level field of Stripe's official sample objects (fixtures3.json from
// stripe/openapi, the subset we emulate copied to test/fixtures/) is present on the emulator's
// object of the same kind, with the same JSON type.
//
// The rule for null: a sample shows one value, so a field that is null in one and set in the
// other is accepted only when Stripe's own type declares it nullable (`| null` in the `stripe`
// package's .d.ts, read here with the TypeScript parser). `customer.address` may be null while
// the sample shows an address; `customer.balance` may not be null. The one field we serve that
// the SDK's types dropped, `invoice.subscription`, is declared nullable by src/objects/invoice.ts.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPlan, startTestEmulator, subscribe, type TestEnv } from './helpers.ts';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

const fixtures: { resources: Record<string, Record<string, Json>> } = JSON.parse(
  readFileSync(new URL('./fixtures/stripe-fixtures3.json', import.meta.url), 'utf8'),
);

const TYPES_DIR = fileURLToPath(new URL('../node_modules/stripe/esm/resources/', import.meta.url));

/** Fixture name → where Stripe's type for it is declared. */
const DECLARATIONS: Record<string, [file: string, interfaceName: string]> = {
  'billing_portal.session': ['BillingPortal/Sessions.d.ts', 'Session'],
  charge: ['Charges.d.ts', 'Charge'],
  'checkout.session': ['Checkout/Sessions.d.ts', 'Session'],
  customer: ['Customers.d.ts', 'Customer'],
  event: ['Events.d.ts', 'EventBase'],
  invoice: ['Invoices.d.ts', 'Invoice'],
  invoiceitem: ['InvoiceItems.d.ts', 'InvoiceItem'],
  item: ['LineItems.d.ts', 'LineItem'],
  line_item: ['InvoiceLineItems.d.ts', 'InvoiceLineItem'],
  payment_intent: ['PaymentIntents.d.ts', 'PaymentIntent'],
  payment_method: ['PaymentMethods.d.ts', 'PaymentMethod'],
  plan: ['Plans.d.ts', 'Plan'],
  price: ['Prices.d.ts', 'Price'],
  product: ['Products.d.ts', 'Product'],
  refund: ['Refunds.d.ts', 'Refund'],
  subscription: ['Subscriptions.d.ts', 'Subscription'],
  subscription_item: ['SubscriptionItems.d.ts', 'SubscriptionItem'],
  subscription_schedule: ['SubscriptionSchedules.d.ts', 'SubscriptionSchedule'],
};

/** Fields the emulator adds beyond the SDK's types, with their declared nullability. */
const EXTENSIONS: Record<string, Record<string, boolean>> = { invoice: { subscription: true } };

function nullableFields(resource: string): Map<string, boolean> {
  const [file, name] = DECLARATIONS[resource] ?? [];
  if (!file || !name) throw new Error(`no declaration mapped for ${resource}`);
  const source = ts.createSourceFile(
    file,
    readFileSync(TYPES_DIR + file, 'utf8'),
    ts.ScriptTarget.Latest,
  );
  const declaration = source.statements.find(
    (statement): statement is ts.InterfaceDeclaration =>
      ts.isInterfaceDeclaration(statement) && statement.name.text === name,
  );
  if (!declaration) throw new Error(`interface ${name} not found in ${file}`);
  const isNull = (node: ts.TypeNode) =>
    ts.isLiteralTypeNode(node) && node.literal.kind === ts.SyntaxKind.NullKeyword;
  const fields = new Map<string, boolean>(Object.entries(EXTENSIONS[resource] ?? {}));
  for (const member of declaration.members) {
    if (!ts.isPropertySignature(member) || !member.type || !ts.isIdentifier(member.name)) continue;
    const type = member.type;
    fields.set(
      member.name.text,
      isNull(type) || (ts.isUnionTypeNode(type) && type.types.some(isNull)),
    );
  }
  return fields;
}

function jsonType(value: Json | undefined): string {
  if (value === undefined) return 'missing';
  if (value === null) return 'null';
  return Array.isArray(value) ? 'array' : typeof value;
}

/** Differences from the fixture, as readable strings (an empty list means the contract holds). */
function contractViolations(resource: string, ours: Record<string, Json>): string[] {
  const fixture = fixtures.resources[resource] ?? {};
  const nullable = nullableFields(resource);
  const violations: string[] = [];
  for (const [field, sample] of Object.entries(fixture)) {
    const expected = jsonType(sample);
    const actual = jsonType(ours[field]);
    if (actual === 'missing') violations.push(`${field}: missing`);
    else if (actual === expected) continue;
    else if ((actual === 'null' || expected === 'null') && nullable.get(field)) continue;
    else violations.push(`${field}: ${actual}, Stripe's sample has ${expected}`);
  }
  return violations;
}

/** The wire JSON of an SDK result (the SDK turns decimal strings into Decimal objects). */
function wire(value: object): Record<string, Json> {
  return JSON.parse(JSON.stringify(value));
}

let env: TestEnv;
const objects: Record<string, Record<string, Json>> = {};

beforeAll(async () => {
  env = await startTestEmulator();
  const { stripe } = env;
  const { price, product } = await createPlan(stripe, { amount: 2000 });
  const { session, subscription, customerId } = await subscribe(env, price);
  const completed = await stripe.checkout.sessions.retrieve(session.id);
  const [item] = (await stripe.checkout.sessions.listLineItems(session.id)).data;
  const invoice = await stripe.invoices.retrieve(String(subscription.latest_invoice));
  const [method] = (await stripe.paymentMethods.list({ customer: customerId })).data;

  const credits = await stripe.prices.create({
    currency: 'usd',
    unit_amount: 900,
    product_data: { name: 'Credits' },
  });
  const oneTime = await stripe.checkout.sessions.create({
    mode: 'payment',
    customer: customerId,
    line_items: [{ price: credits.id, quantity: 1 }],
  });
  const { paymentIntent } = env.emulator.completeCheckout(oneTime.id);
  const intent = await stripe.paymentIntents.retrieve(String(paymentIntent));
  const charge = await stripe.charges.retrieve(String(intent.latest_charge));
  const refund = await stripe.refunds.create({ charge: charge.id, amount: 100 });
  const portal = await stripe.billingPortal.sessions.create({
    customer: customerId,
    return_url: 'https://a.example',
  });
  const schedule = await stripe.subscriptionSchedules.create({
    from_subscription: subscription.id,
  });
  const invoiceItem = await stripe.invoiceItems.create({
    customer: customerId,
    subscription: subscription.id,
    currency: 'usd',
    amount: 1000,
  });
  const [event] = (await stripe.events.list({ limit: 1 })).data;
  const customer = await stripe.customers.retrieve(customerId);

  const found: Record<string, object | undefined> = {
    'billing_portal.session': portal,
    charge,
    'checkout.session': completed,
    customer,
    event,
    invoice,
    invoiceitem: invoiceItem,
    item,
    line_item: invoice.lines.data[0],
    payment_intent: intent,
    payment_method: method,
    plan: subscription.items.data[0]?.plan,
    price,
    product,
    refund,
    subscription,
    subscription_item: subscription.items.data[0],
    subscription_schedule: schedule,
  };
  for (const [name, value] of Object.entries(found)) {
    if (!value) throw new Error(`no ${name} to compare`);
    objects[name] = wire(value);
  }
});
afterAll(() => env.stop());

describe('objects match Stripe’s fixtures', () => {
  it.each(Object.keys(DECLARATIONS))(
    '%s has every fixture field with the same JSON type',
    (resource) => {
      const ours = objects[resource] ?? {};
      expect(ours.object).toBe(fixtures.resources[resource]?.object);
      expect(contractViolations(resource, ours)).toEqual([]);
    },
  );

  it('would catch a missing field or a changed type', () => {
    const customer = { ...objects.customer };
    delete customer.email;
    customer.balance = '0';
    customer.address = null;
    expect(contractViolations('customer', customer)).toEqual([
      "balance: string, Stripe's sample has number",
      'email: missing',
    ]);
  });

  it('allows null only where Stripe declares the field nullable', () => {
    expect(contractViolations('customer', { ...objects.customer, balance: null })).toEqual([
      "balance: null, Stripe's sample has number",
    ]);
  });
});
