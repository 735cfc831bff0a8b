import type { Order, Product, User } from '@marketplace/contracts';

/** Data for component tests, shaped by the contracts (a changed schema fails vue-tsc here). */
export function aProduct(overrides: Partial<Product> = {}): Product {
  return {
    id: 'p1',
    sellerId: 's1',
    sellerName: 'Northwind Goods',
    categoryId: 'c1',
    title: 'Lamp',
    description: '',
    priceMinor: 1000,
    currency: 'EUR',
    stock: 5,
    images: ['/a.svg'],
    attributes: {},
    status: 'active',
    version: 1,
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
    ...overrides,
  };
}

export function aUser(overrides: Partial<User> = {}): User {
  return {
    id: 'u1',
    email: 'ana@example.test',
    name: 'Ana Buyer',
    role: 'buyer',
    phone: null,
    address: null,
    language: 'en',
    blocked: false,
    createdAt: '2026-01-01T00:00:00.000Z',
    ...overrides,
  };
}

export function anOrder(overrides: Partial<Order> = {}): Order {
  return {
    id: 'o1',
    checkoutId: 'k1',
    buyerId: 'u1',
    sellerId: 's1',
    status: 'created',
    items: [],
    totalMinor: 1000,
    currency: 'EUR',
    shippingAddress: {
      name: 'Ana',
      line1: '1 Main St',
      city: 'Town',
      postalCode: '1',
      country: 'US',
    },
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
    ...overrides,
  };
}
