import { area } from '../area.ts';

export const cart = area(
  {
    checkout: {
      title: 'Order this product',
      quantity: 'Quantity',
      shipping: 'Shipping address',
      name: 'Full name',
      line1: 'Address',
      line2: 'Apartment, suite, etc.',
      city: 'City',
      postalCode: 'Postal code',
      country: 'Country code',
      countryHint: 'Two letters, e.g. US or DE',
      total: 'Total',
      submit: 'Place order',
      submitting: 'Placing order…',
      loginToOrder: 'Log in to order',
      unavailable: 'This product is out of stock.',
      outOfStock: 'Not enough stock left for this quantity.',
      productUnavailable: 'This product can no longer be ordered.',
    },
  },
  // TODO(ru): translate
  {
    checkout: {
      title: 'Order this product',
      quantity: 'Quantity',
      shipping: 'Shipping address',
      name: 'Full name',
      line1: 'Address',
      line2: 'Apartment, suite, etc.',
      city: 'City',
      postalCode: 'Postal code',
      country: 'Country code',
      countryHint: 'Two letters, e.g. US or DE',
      total: 'Total',
      submit: 'Place order',
      submitting: 'Placing order…',
      loginToOrder: 'Log in to order',
      unavailable: 'This product is out of stock.',
      outOfStock: 'Not enough stock left for this quantity.',
      productUnavailable: 'This product can no longer be ordered.',
    },
  },
);
