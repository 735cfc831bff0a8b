import type { Product } from '@marketplace/contracts';
import { currentLanguage } from '../i18n/index.ts';

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

/** In the current language: `1 234,50 €` in Russian, `€1,234.50` in English. */
export function formatMoney(minor: number, currency: string, locale = currentLanguage()): string {
  try {
    return moneyFormat(currency, locale).format(minor / 10 ** minorDigits(currency));
  } catch {
    // An unknown currency code still shows the amount.
    return `${(minor / 100).toFixed(2)} ${currency}`;
  }
}

const dateFormats = new Map<string, Intl.DateTimeFormat>();

/** A date and time in the current language (read from i18n, so a template re-renders on a switch). */
export function formatDate(iso: string | undefined | null, locale = currentLanguage()): string {
  if (!iso) return '';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  let format = dateFormats.get(locale);
  if (!format) {
    format = new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short' });
    dateFormats.set(locale, format);
  }
  return format.format(date);
}

/** A plain number in the current language (`12 345` in Russian). */
const numberFormats = new Map<string, Intl.NumberFormat>();

export function formatNumber(n: number, locale = currentLanguage()): string {
  let format = numberFormats.get(locale);
  if (!format) {
    // Made once per language: building a formatter costs far more than using one.
    format = new Intl.NumberFormat(locale);
    numberFormats.set(locale, format);
  }
  return format.format(n);
}

/** Builds the current language's formatters ahead of their first use (see main.ts). */
export function warmFormatters(): void {
  formatNumber(0);
  formatMoney(0, 'EUR');
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
