// A Stripe Checkout test double: written next.
