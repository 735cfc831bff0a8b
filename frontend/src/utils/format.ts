import type { Product } from '@marketplace/contracts';

const moneyFormats = new Map<string, Intl.NumberFormat>();

function moneyFormat(currency: string, locale: string): Intl.NumberFormat {
  const key = `${locale}:${currency}`;
  let format = moneyFormats.get(key);
  if (!format) {
    format = new Intl.NumberFormat(locale, { style: 'currency', currency });
    moneyFormats.set(key, format);
  }
  return format;
}

/** Digits after the decimal point of a currency's minor unit (2 for EUR, 0 for JPY). */
export function minorDigits(currency: string): number {
  try {
    return moneyFormat(currency, 'en').resolvedOptions().maximumFractionDigits ?? 2;
  } catch {
    return 2;
  }
}

export function formatMoney(minor: number, currency: string, locale = 'en'): string {
  try {
    return moneyFormat(currency, locale).format(minor / 10 ** minorDigits(currency));
  } catch {
    // An unknown currency code still shows the amount.
    return `${(minor / 100).toFixed(2)} ${currency}`;
  }
}

const dateFormat = new Intl.DateTimeFormat('en', { dateStyle: 'medium', timeStyle: 'short' });

export function formatDate(iso: string | undefined | null): string {
  if (!iso) return '';
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : dateFormat.format(date);
}

/** An order's short number, as the notifications write it (`#` + the first 8 characters). */
export function shortId(id: string): string {
  return id.slice(0, 8);
}

/** A seller's short tag: the tail, since the seeded sellers' ids share their head. */
export function sellerTag(id: string): string {
  return id.replace(/-/g, '').slice(-6);
}

/** The seller's shop name, or `fallback(tag)` while the catalog has none (an empty name). */
export function sellerLabel(
  product: Pick<Product, 'sellerId' | 'sellerName'>,
  fallback: (tag: string) => string,
): string {
  return product.sellerName || fallback(sellerTag(product.sellerId));
}
