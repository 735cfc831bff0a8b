/**
 * Identities shared by the demo seeds of user-service (accounts) and product-service (listings):
 * the one place both read, so the seeded catalog's sellers are real accounts.
 */
export const DEMO_PASSWORD = 'marketplace-demo';

export const DEMO_BUYER = {
  id: '00000000-0000-4000-8000-000000000001',
  email: 'buyer@demo.marketplace.test',
  name: 'Demo Buyer',
} as const;

export const DEMO_ADMIN = {
  id: '00000000-0000-4000-8000-000000000002',
  email: 'admin@demo.marketplace.test',
  name: 'Demo Admin',
} as const;

export const DEMO_SELLERS = [
  {
    id: '00000000-0000-4000-8000-000000000101',
    email: 'northwind@demo.marketplace.test',
    name: 'Northwind Goods',
  },
  {
    id: '00000000-0000-4000-8000-000000000102',
    email: 'bluebird@demo.marketplace.test',
    name: 'Bluebird Books',
  },
  {
    id: '00000000-0000-4000-8000-000000000103',
    email: 'atlas@demo.marketplace.test',
    name: 'Atlas Outdoor',
  },
] as const;
