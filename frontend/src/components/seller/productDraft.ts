import type {
  ATTRIBUTE_NAME_PATTERN,
  ATTRIBUTE_VALUE_MAX,
  ATTRIBUTES_MAX,
  IMAGE_URL_MAX,
  IMAGE_URL_PATTERN,
  IMAGES_MAX,
  Product,
  ProductBody,
} from '@marketplace/contracts';
import { minorDigits } from '../../utils/format.ts';

// The contract's rules, copied as values (no TypeBox in the bundle) and checked against its
// literal types: a changed rule fails vue-tsc here.
export const IMAGE_URL_RULE =
  '^(https?://[!-~]+|/(?![/\\\\])[!-~]*)$' satisfies typeof IMAGE_URL_PATTERN;
export const IMAGE_URL_LENGTH = 2048 satisfies typeof IMAGE_URL_MAX;
export const IMAGE_COUNT = 10 satisfies typeof IMAGES_MAX;
export const ATTRIBUTE_NAME_RULE = '^[a-z][a-z0-9_]{0,31}$' satisfies typeof ATTRIBUTE_NAME_PATTERN;
export const ATTRIBUTE_VALUE_LENGTH = 64 satisfies typeof ATTRIBUTE_VALUE_MAX;
export const ATTRIBUTE_COUNT = 20 satisfies typeof ATTRIBUTES_MAX;
/** The contract's `Title`, `Description`, `PriceMinor` and `Stock` bounds. */
export const TITLE_MAX = 200;
export const DESCRIPTION_MAX = 5000;
export const PRICE_MINOR_MAX = 1_000_000_000;
export const STOCK_MAX = 1_000_000;

const imageUrl = new RegExp(IMAGE_URL_RULE);
const attributeName = new RegExp(ATTRIBUTE_NAME_RULE);

/** The currencies a seller picks from; a product in another keeps its own in the list. */
export const CURRENCIES = ['EUR', 'USD', 'GBP', 'RUB', 'CHF', 'PLN', 'SEK'] as const;

/** A row of a list the seller edits: `key` keeps Vue's row identity while rows come and go. */
export interface ImageRow {
  key: number;
  url: string;
}

export interface AttributeRow {
  key: number;
  name: string;
  value: string;
}

/** What the form holds: text as typed (the price in major units), converted on submit. */
export interface ProductDraft {
  title: string;
  description: string;
  price: string;
  currency: string;
  categoryId: string;
  /** `''` while the box is empty (Vue's v-model on a number input). */
  stock: number | string;
  images: ImageRow[];
  attributes: AttributeRow[];
}

let nextKey = 0;
export const rowKey = (): number => ++nextKey;

export function emptyDraft(): ProductDraft {
  return {
    title: '',
    description: '',
    price: '',
    currency: 'EUR',
    categoryId: '',
    stock: 1,
    images: [{ key: rowKey(), url: '' }],
    attributes: [],
  };
}

/** Minor units as a decimal in major units, as a person types it (`1250` EUR → `12.50`). */
export function majorUnits(minor: number, currency: string): string {
  const digits = minorDigits(currency);
  return digits === 0 ? String(minor) : (minor / 10 ** digits).toFixed(digits);
}

export function draftOf(product: Product): ProductDraft {
  const attributes = Object.entries(product.attributes).map(([name, value]) => ({
    key: rowKey(),
    name,
    value,
  }));
  return {
    title: product.title,
    description: product.description,
    price: majorUnits(product.priceMinor, product.currency),
    currency: product.currency,
    categoryId: product.categoryId,
    stock: product.stock,
    images: product.images.map((url) => ({ key: rowKey(), url })),
    attributes,
  };
}

/**
 * A price typed in major units as minor units: `12.5`, `12,50` (a decimal comma, as Russian
 * writes it) and `1 250` all read; null for anything else or more decimals than the currency has.
 */
export function parsePrice(text: string, currency: string): number | null {
  const compact = text.replace(/[\s\u00a0\u202f]/g, '').replace(',', '.');
  const digits = minorDigits(currency);
  const match = /^(\d{1,10})(?:\.(\d*))?$/.exec(compact);
  if (!match) return null;
  const fraction = match[2] ?? '';
  if (fraction.length > digits) return null;
  return Number(match[1]) * 10 ** digits + Number(fraction.padEnd(digits, '0') || '0');
}

export function isImageUrl(url: string): boolean {
  return url.length <= IMAGE_URL_LENGTH && imageUrl.test(url);
}

/** What is wrong with the draft, by the message key of each problem. */
export type DraftProblem =
  | 'required'
  | 'tooLong'
  | 'price'
  | 'priceRange'
  | 'stock'
  | 'imageUrl'
  | 'attrName'
  | 'attrDuplicate'
  | 'attrValue';

/**
 * The problems of a draft, keyed like the server's field errors (`title`, `priceMinor`,
 * `images.0`), attribute rows as `attributes.<row key>.name|value` (a row may have no name yet).
 * Empty image rows are left out, not refused.
 */
export function checkDraft(draft: ProductDraft, creating: boolean): Record<string, DraftProblem> {
  const problems: Record<string, DraftProblem> = {};
  if (!draft.title.trim()) problems.title = 'required';
  else if (draft.title.trim().length > TITLE_MAX) problems.title = 'tooLong';
  if (draft.description.length > DESCRIPTION_MAX) problems.description = 'tooLong';
  if (!draft.price.trim()) problems.priceMinor = 'required';
  else {
    const minor = parsePrice(draft.price, draft.currency);
    if (minor === null) problems.priceMinor = 'price';
    else if (minor < 1 || minor > PRICE_MINOR_MAX) problems.priceMinor = 'priceRange';
  }
  if (!draft.categoryId) problems.categoryId = 'required';
  if (creating) {
    const stock = draft.stock;
    if (typeof stock !== 'number' || !Number.isInteger(stock) || stock < 0 || stock > STOCK_MAX) {
      problems.stock = 'stock';
    }
  }
  draft.images.forEach((row, i) => {
    if (row.url.trim() && !isImageUrl(row.url.trim())) problems[`images.${i}`] = 'imageUrl';
  });
  const seen = new Set<string>();
  for (const row of draft.attributes) {
    const name = row.name.trim();
    if (!name && !row.value.trim()) continue;
    if (!attributeName.test(name)) problems[`attributes.${row.key}.name`] = 'attrName';
    else if (seen.has(name)) problems[`attributes.${row.key}.name`] = 'attrDuplicate';
    seen.add(name);
    const value = row.value.trim();
    if (!value || value.length > ATTRIBUTE_VALUE_LENGTH) {
      problems[`attributes.${row.key}.value`] = 'attrValue';
    }
  }
  return problems;
}

/** The image URLs the draft sends: the filled rows, in order. */
export function imagesOf(draft: ProductDraft): string[] {
  return draft.images.map((row) => row.url.trim()).filter(Boolean);
}

/** The body of a valid draft (checkDraft found nothing). */
export function bodyOf(draft: ProductDraft): ProductBody {
  const attributes = Object.fromEntries(
    draft.attributes
      .filter((row) => row.name.trim())
      .map((row) => [row.name.trim(), row.value.trim()]),
  );
  return {
    title: draft.title.trim(),
    description: draft.description.trim(),
    priceMinor: parsePrice(draft.price, draft.currency) ?? 0,
    currency: draft.currency,
    stock: typeof draft.stock === 'number' ? draft.stock : 0,
    categoryId: draft.categoryId,
    images: imagesOf(draft),
    attributes,
  };
}
