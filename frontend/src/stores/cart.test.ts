import type { Product } from '@marketplace/contracts';
import { createPinia, setActivePinia } from 'pinia';
import { beforeEach, describe, expect, it, vi } from 'vitest';

const getProducts = vi.fn<(ids: readonly string[]) => Promise<(Product | null)[]>>();
vi.mock('../api/client.ts', () => ({ getProducts: (ids: string[]) => getProducts(ids) }));

const { CART_KEY, useCartStore } = await import('./cart.ts');
const { aProduct } = await import('../test/fixtures.ts');

const product = aProduct;

describe('the cart', () => {
  beforeEach(() => {
    localStorage.clear();
    getProducts.mockReset();
    setActivePinia(createPinia());
  });

  it('when products of two sellers are added, then they are grouped by seller with subtotals', () => {
    const cart = useCartStore();
    cart.add(product({ id: 'a', sellerId: 's1', priceMinor: 1000 }), 2);
    cart.add(product({ id: 'b', sellerId: 's2', sellerName: 'Bluebird', priceMinor: 250 }));
    cart.add(product({ id: 'c', sellerId: 's1', priceMinor: 500 }));
    expect(cart.groups.map((g) => [g.sellerId, g.lines.map((l) => l.product.id)])).toEqual([
      ['s1', ['a', 'c']],
      ['s2', ['b']],
    ]);
    expect(cart.groups[0]!.subtotals).toEqual([{ currency: 'EUR', minor: 2500 }]);
    expect(cart.totals).toEqual([{ currency: 'EUR', minor: 2750 }]);
    expect(cart.count).toBe(4);
    expect(cart.items).toEqual([
      { productId: 'a', quantity: 2 },
      { productId: 'b', quantity: 1 },
      { productId: 'c', quantity: 1 },
    ]);
  });

  it('when more is added than the stock, then the quantity stops at the stock', () => {
    const cart = useCartStore();
    expect(cart.add(product({ stock: 3 }), 2)).toBe(true);
    expect(cart.add(product({ stock: 3 }), 5)).toBe(true);
    expect(cart.quantityOf('p1')).toBe(3);
    expect(cart.add(product({ stock: 3 }))).toBe(false);
    cart.setQuantity('p1', 99);
    expect(cart.quantityOf('p1')).toBe(3);
    cart.setQuantity('p1', 0);
    expect(cart.quantityOf('p1')).toBe(1);
    expect(cart.add(product({ id: 'gone', stock: 0 }))).toBe(false);
  });

  it('when the page is loaded again, then the cart is still there, and a hand-edited entry is dropped', () => {
    useCartStore().add(product(), 2);
    const stored = JSON.parse(localStorage.getItem(CART_KEY)!) as unknown[];
    localStorage.setItem(
      CART_KEY,
      JSON.stringify([...stored, { product: { id: 1 }, quantity: 'x' }]),
    );
    setActivePinia(createPinia());
    const again = useCartStore();
    expect(again.lines.map((l) => [l.product.id, l.quantity])).toEqual([['p1', 2]]);
    // Only what is shown is kept: one image, no description.
    expect(again.lines[0]!.product.images).toEqual(['/a.svg']);
  });

  it('when the catalog has changed, then check() shows a new price, too little stock and a listing gone', async () => {
    const cart = useCartStore();
    cart.add(product({ id: 'price', priceMinor: 1000 }));
    cart.add(product({ id: 'stock', stock: 9 }), 4);
    cart.add(product({ id: 'gone' }));
    cart.add(product({ id: 'same' }));
    getProducts.mockResolvedValue([
      product({ id: 'price', priceMinor: 1200 }),
      product({ id: 'stock', stock: 2 }),
      null,
      product({ id: 'same' }),
    ]);
    await cart.check();
    expect(cart.issues).toEqual({
      price: { kind: 'price-changed', fromMinor: 1000 },
      stock: { kind: 'insufficient', stock: 2 },
      gone: { kind: 'unavailable' },
    });
    // The total shows what checkout will charge; quantities are not cut behind the buyer's back.
    expect(cart.lines.find((l) => l.product.id === 'price')!.product.priceMinor).toBe(1200);
    expect(cart.quantityOf('stock')).toBe(4);
    expect(cart.blocking.map(([id]) => id).sort()).toEqual(['gone', 'stock']);

    cart.setQuantity('stock', 2);
    cart.remove('gone');
    expect(cart.blocking).toEqual([]);
  });
});
