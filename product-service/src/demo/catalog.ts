import { createHash } from 'node:crypto';
import { DEMO_SELLERS, type Attributes } from '@marketplace/contracts';
import type { GlyphName } from './glyphs.ts';
import { HOME_AND_BOOK_PRODUCTS } from './products.home-books.ts';
import { OUTDOOR_PRODUCTS } from './products.outdoor.ts';
import { TECH_PRODUCTS } from './products.tech.ts';

export interface DemoCategory {
  id: string;
  parentSlug: string | null;
  slug: string;
  name: string;
  position: number;
}

/** Parents come before their children, the order they can be inserted in. */
export const DEMO_CATEGORIES: readonly DemoCategory[] = [
  {
    id: '10000000-0000-4000-8000-000000000001',
    parentSlug: null,
    slug: 'electronics',
    name: 'Electronics',
    position: 1,
  },
  {
    id: '10000000-0000-4000-8000-000000000002',
    parentSlug: 'electronics',
    slug: 'audio',
    name: 'Audio',
    position: 1,
  },
  {
    id: '10000000-0000-4000-8000-000000000003',
    parentSlug: 'electronics',
    slug: 'computers',
    name: 'Computers & Accessories',
    position: 2,
  },
  {
    id: '10000000-0000-4000-8000-000000000004',
    parentSlug: null,
    slug: 'home-kitchen',
    name: 'Home & Kitchen',
    position: 2,
  },
  {
    id: '10000000-0000-4000-8000-000000000005',
    parentSlug: null,
    slug: 'books',
    name: 'Books',
    position: 3,
  },
  {
    id: '10000000-0000-4000-8000-000000000006',
    parentSlug: null,
    slug: 'outdoor',
    name: 'Outdoor',
    position: 4,
  },
  {
    id: '10000000-0000-4000-8000-000000000007',
    parentSlug: 'outdoor',
    slug: 'camping',
    name: 'Camping',
    position: 1,
  },
];

export type SellerIndex = 0 | 1 | 2;

/** One demo listing; `label` is the short name drawn on its image. */
export interface DemoProductData {
  slug: string;
  title: string;
  label: string;
  description: string;
  priceMinor: number;
  stock: number;
  category: string;
  seller: SellerIndex;
  glyph: GlyphName;
  /** Facet material: a few names (colour, material, connectivity, format...) shared widely. */
  attributes?: Attributes;
}

export interface DemoProduct extends DemoProductData {
  id: string;
  sellerId: string;
  sellerName: string;
  categoryId: string;
  currency: 'EUR';
  image: string;
}

/** A stable UUID (v5 layout) per slug, so a restart finds the rows it seeded before. */
export function demoProductId(slug: string): string {
  const hex = createHash('sha1').update(`marketplace-demo-product:${slug}`).digest('hex');
  const variant = ((parseInt(hex.slice(16, 18), 16) & 0x3f) | 0x80).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-${variant}${hex.slice(18, 20)}-${hex.slice(20, 32)}`;
}

function categoryId(slug: string): string {
  const category = DEMO_CATEGORIES.find((c) => c.slug === slug);
  if (!category) throw new Error(`demo product in unknown category ${slug}`);
  return category.id;
}

/**
 * A demo product's picture as the app shows it: WebP, which browsers decode off the page's main
 * thread (an SVG is a document built on it, a long task per card on a phone). The SVG it is
 * rendered from sits beside it (scripts/generate-demo-images.ts).
 */
export function demoImagePath(slug: string): string {
  return `/demo/${slug}.webp`;
}

export function demoCategoryParentId(category: DemoCategory): string | null {
  return category.parentSlug ? categoryId(category.parentSlug) : null;
}

export const DEMO_PRODUCTS: readonly DemoProduct[] = [
  ...TECH_PRODUCTS,
  ...HOME_AND_BOOK_PRODUCTS,
  ...OUTDOOR_PRODUCTS,
].map((product) => ({
  ...product,
  id: demoProductId(product.slug),
  sellerId: DEMO_SELLERS[product.seller].id,
  sellerName: DEMO_SELLERS[product.seller].name,
  categoryId: categoryId(product.category),
  currency: 'EUR',
  image: demoImagePath(product.slug),
}));
