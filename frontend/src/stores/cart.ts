import type { CheckoutItem, Product } from '@marketplace/contracts';
import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import * as api from '../api/client.ts';

export const CART_KEY = 'marketplace.cart';
/** The API takes at most 100 of one product and 50 products per checkout. */
export const MAX_QUANTITY = 100;
export const MAX_LINES = 50;

/** What the cart remembers of a product to show it before the catalog has answered. */
export type CartProduct = Pick<
  Product,
  'id' | 'title' | 'priceMinor' | 'currency' | 'sellerId' | 'sellerName' | 'stock' | 'images'
>;

export interface CartLine {
  product: CartProduct;
  quantity: number;
}

/** What the last check against the catalog found wrong with a line. */
export type LineIssue =
  | { kind: 'unavailable' }
  | { kind: 'insufficient'; stock: number }
  | { kind: 'price-changed'; fromMinor: number };

export interface SellerGroup {
  sellerId: string;
  sellerName: string;
  lines: CartLine[];
  /** Per currency: a seller may list in more than one. */
  subtotals: { currency: string; minor: number }[];
}

function storage(): Storage | null {
  try {
    return typeof localStorage === 'undefined' ? null : localStorage;
  } catch {
    return null;
  }
}

function snapshot(product: CartProduct): CartProduct {
  const { id, title, priceMinor, currency, sellerId, sellerName, stock } = product;
  return {
    id,
    title,
    priceMinor,
    currency,
    sellerId,
    sellerName,
    stock,
    images: product.images.slice(0, 1),
  };
}

function clampQuantity(quantity: number, stock: number): number {
  const whole = Math.floor(Number.isFinite(quantity) ? quantity : 1);
  return Math.max(1, Math.min(whole, MAX_QUANTITY, Math.max(stock, 1)));
}

/** Storage is not trusted to hold what we wrote (another version, a hand edit): each line is checked. */
function isLine(value: unknown): value is CartLine {
  if (!value || typeof value !== 'object') return false;
  const line = value as Partial<CartLine>;
  const p = line.product as Partial<CartProduct> | undefined;
  return (
    typeof line.quantity === 'number' &&
    line.quantity >= 1 &&
    !!p &&
    typeof p.id === 'string' &&
    typeof p.title === 'string' &&
    typeof p.priceMinor === 'number' &&
    typeof p.currency === 'string' &&
    typeof p.sellerId === 'string' &&
    typeof p.sellerName === 'string' &&
    typeof p.stock === 'number' &&
    Array.isArray(p.images)
  );
}

export function loadCart(): CartLine[] {
  try {
    const parsed: unknown = JSON.parse(storage()?.getItem(CART_KEY) ?? '[]');
    return Array.isArray(parsed) ? parsed.filter(isLine).slice(0, MAX_LINES) : [];
  } catch {
    return [];
  }
}

export function subtotals(lines: readonly CartLine[]): { currency: string; minor: number }[] {
  const by = new Map<string, number>();
  for (const { product, quantity } of lines) {
    by.set(product.currency, (by.get(product.currency) ?? 0) + product.priceMinor * quantity);
  }
  return [...by].map(([currency, minor]) => ({ currency, minor }));
}

/**
 * The cart: kept in this browser (it outlives a session, and follows the reader across tabs),
 * grouped by seller, quantities held to the stock the catalog last showed. `check()` reads the
 * current products before checkout: a changed price or too little stock is shown to the buyer,
 * never silently ordered.
 */
export const useCartStore = defineStore('cart', () => {
  const lines = ref<CartLine[]>(loadCart());
  const issues = ref<Record<string, LineIssue>>({});
  const checking = ref(false);

  function persist(): void {
    storage()?.setItem(CART_KEY, JSON.stringify(lines.value));
  }

  const count = computed(() => lines.value.reduce((n, line) => n + line.quantity, 0));
  const isEmpty = computed(() => lines.value.length === 0);
  const totals = computed(() => subtotals(lines.value));
  const groups = computed<SellerGroup[]>(() => {
    const by = new Map<string, CartLine[]>();
    for (const line of lines.value) {
      const group = by.get(line.product.sellerId) ?? [];
      group.push(line);
      by.set(line.product.sellerId, group);
    }
    return [...by].map(([sellerId, group]) => ({
      sellerId,
      sellerName: group[0]?.product.sellerName ?? '',
      lines: group,
      subtotals: subtotals(group),
    }));
  });
  /** Lines that cannot be ordered as they are: checkout waits until the buyer has seen them. */
  const blocking = computed(() =>
    Object.entries(issues.value).filter(([, issue]) => issue.kind !== 'price-changed'),
  );

  function quantityOf(productId: string): number {
    return lines.value.find((line) => line.product.id === productId)?.quantity ?? 0;
  }

  /** Adds to what is there already, up to the stock; false when nothing could be added. */
  function add(product: CartProduct, quantity = 1): boolean {
    if (product.stock <= 0) return false;
    const line = lines.value.find((l) => l.product.id === product.id);
    if (line) {
      const next = clampQuantity(line.quantity + quantity, product.stock);
      const added = next > line.quantity;
      line.quantity = next;
      line.product = snapshot(product);
      persist();
      return added;
    }
    if (lines.value.length >= MAX_LINES) return false;
    lines.value.push({
      product: snapshot(product),
      quantity: clampQuantity(quantity, product.stock),
    });
    persist();
    return true;
  }

  function setQuantity(productId: string, quantity: number): void {
    const line = lines.value.find((l) => l.product.id === productId);
    if (!line) return;
    line.quantity = clampQuantity(quantity, line.product.stock);
    const issue = issues.value[productId];
    if (issue?.kind === 'insufficient' && line.quantity <= issue.stock) forget(productId);
    persist();
  }

  function remove(productId: string): void {
    lines.value = lines.value.filter((l) => l.product.id !== productId);
    forget(productId);
    persist();
  }

  function forget(productId: string): void {
    const { [productId]: _gone, ...rest } = issues.value;
    issues.value = rest;
  }

  /** Lines of these products are gone (ordered). */
  function removeAll(productIds: readonly string[]): void {
    const gone = new Set(productIds);
    lines.value = lines.value.filter((l) => !gone.has(l.product.id));
    for (const id of gone) forget(id);
    persist();
  }

  function clear(): void {
    lines.value = [];
    issues.value = {};
    persist();
  }

  /**
   * Reads every product in the cart again: prices and stock as they are now. A price that moved
   * and stock that no longer covers a line are kept as issues for the page to show; the line's
   * price is updated (so the total shown is what checkout will charge) but its quantity is not
   * cut without the buyer seeing it.
   */
  async function check(): Promise<void> {
    if (lines.value.length === 0) return;
    checking.value = true;
    try {
      const current = await api.getProducts(lines.value.map((l) => l.product.id));
      const found: Record<string, LineIssue> = {};
      lines.value.forEach((line, i) => {
        const product = current[i];
        if (!product || product.status !== 'active' || product.stock <= 0) {
          found[line.product.id] = { kind: 'unavailable' };
          return;
        }
        if (product.priceMinor !== line.product.priceMinor) {
          found[line.product.id] = { kind: 'price-changed', fromMinor: line.product.priceMinor };
        }
        if (product.stock < line.quantity) {
          found[line.product.id] = { kind: 'insufficient', stock: product.stock };
        }
        line.product = snapshot(product);
      });
      issues.value = found;
      persist();
    } finally {
      checking.value = false;
    }
  }

  /** What checkout sends: every line, in the cart's order. */
  const items = computed<CheckoutItem[]>(() =>
    lines.value.map((l) => ({ productId: l.product.id, quantity: l.quantity })),
  );

  // Another tab changed the cart: take its version.
  if (typeof window !== 'undefined') {
    window.addEventListener('storage', (event) => {
      if (event.key === CART_KEY) lines.value = loadCart();
    });
  }

  return {
    lines,
    issues,
    checking,
    count,
    isEmpty,
    totals,
    groups,
    blocking,
    items,
    quantityOf,
    add,
    setQuantity,
    remove,
    removeAll,
    clear,
    check,
  };
});
