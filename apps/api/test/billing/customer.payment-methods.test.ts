import { describe, expect, it } from 'vitest';
import { createJourneyApp, customerIdOf, payOnHostedPage, signUpCustomer } from './journey-testing';

describe('billing.paymentMethods.list', () => {
  it('is empty before the user has a customer, without creating one', async () => {
    const { t, stripe } = await createJourneyApp();
    const { account, client } = await signUpCustomer(t);

    expect(await client.billing.paymentMethods.list.query()).toEqual([]);
    expect((await stripe.customers.list({ email: account.email })).data).toEqual([]);
  });

  it('lists the card paid with on the hosted page as the default, and a card added later beside it', async () => {
    const { t, emulator } = await createJourneyApp();
    const { account, client } = await signUpCustomer(t);
    const checkout = await client.billing.checkout.create.mutate({ plan: 'starter' });
    await payOnHostedPage(checkout.url, { card: 'mastercard' });

    const afterPaying = await client.billing.paymentMethods.list.query();
    emulator.attachCard(await customerIdOf(t, account.user.id), 'visa', false);
    const withSpare = await client.billing.paymentMethods.list.query();

    expect(afterPaying).toEqual([
      {
        id: expect.stringMatching(/^pm_/),
        brand: 'mastercard',
        last4: '4444',
        expMonth: expect.any(Number),
        expYear: expect.any(Number),
        isDefault: true,
      },
    ]);
    expect(withSpare.map((card) => [card.brand, card.last4, card.isDefault]).sort()).toEqual([
      ['mastercard', '4444', true],
      ['visa', '4242', false],
    ]);
  });
});
