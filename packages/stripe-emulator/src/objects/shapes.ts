// Stripe's types mark some fields optional because they depend on the API version or on
// `include[]`; Stripe's fixtures (and real responses for our version) always carry them.
// `Complete<T, K>` makes those fields required in our builders, so the compiler — not only the
// fixture contract test — insists we fill them.
export type Complete<T, K extends keyof T> = T & { [P in K]-?: T[P] };
