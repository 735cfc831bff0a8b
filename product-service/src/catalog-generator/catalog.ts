import { createHash } from 'node:crypto';
import { DEMO_CATEGORIES } from '../demo/catalog.ts';
import { LEAVES, type LeafSpec } from './categories.ts';
import { ROOTS, type RootSpec } from './roots.ts';
import { Rng, WeightedPicker, zipfWeights } from './random.ts';

export interface GeneratedCategory {
  id: string;
  parentId: string | null;
  slug: string;
  name: string;
  position: number;
}

export interface GeneratedLeaf extends GeneratedCategory {
  spec: LeafSpec;
  root: RootSpec;
}

export interface GeneratedSeller {
  id: string;
  name: string;
  /** Before the catalog's first listing, so before each of their products. */
  registeredAt: Date;
}

export interface CatalogOptions {
  /** How many sellers share the products (Zipf: a few big shops, a long tail). Default 300. */
  sellers?: number;
}

export interface GeneratedCatalog {
  /** Every category, parents before children (insertable in this order); the demo ones included. */
  categories: readonly GeneratedCategory[];
  /** The categories products are listed in. */
  leaves: readonly GeneratedLeaf[];
  /** Biggest first. */
  sellers: readonly GeneratedSeller[];
  /** Products are created in [startsAt, endsAt). */
  startsAt: Date;
  endsAt: Date;
}

export const DEFAULT_SELLERS = 300;
// A fixed window, not "now": product i must come out the same on every run and every day.
const ENDS_AT = Date.parse('2026-11-30T00:00:00.000Z');
const WINDOW_MS = 2 * 365 * 24 * 3600 * 1000;
const DAY_MS = 24 * 3600 * 1000;

/** A stable UUID (v5 layout) from a name, as demoProductId makes them. */
export function nameBasedId(namespace: string, name: string): string {
  const hex = createHash('sha1').update(`${namespace}:${name}`).digest('hex');
  const variant = ((parseInt(hex.slice(16, 18), 16) & 0x3f) | 0x80).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-${variant}${hex.slice(18, 20)}-${hex.slice(20, 32)}`;
}

const demoIds = new Map(DEMO_CATEGORIES.map((category) => [category.slug, category.id]));

/** The demo categories keep their ids; the new ones get one from their slug. */
export function generatedCategoryId(slug: string): string {
  return demoIds.get(slug) ?? nameBasedId('marketplace-catalog-category', slug);
}

function categoryTree(): { categories: GeneratedCategory[]; leaves: GeneratedLeaf[] } {
  const demoPosition = new Map(
    DEMO_CATEGORIES.map((category) => [category.slug, category.position]),
  );
  const categories: GeneratedCategory[] = ROOTS.map((root, i) => ({
    id: generatedCategoryId(root.slug),
    parentId: null,
    slug: root.slug,
    name: root.name,
    position: demoPosition.get(root.slug) ?? i + 1,
  }));
  const leaves: GeneratedLeaf[] = [];
  for (const root of ROOTS) {
    LEAVES.filter((leaf) => leaf.parent === root.slug).forEach((spec, i) => {
      leaves.push({
        id: generatedCategoryId(spec.slug),
        parentId: generatedCategoryId(root.slug),
        slug: spec.slug,
        name: spec.name,
        position: demoPosition.get(spec.slug) ?? i + 1,
        spec,
        root,
      });
    });
  }
  return {
    categories: [...categories, ...leaves.map(({ spec: _s, root: _r, ...c }) => c)],
    leaves,
  };
}

const SHOP_FIRST = [
  'Northwind',
  'Bluebird',
  'Juniper',
  'Harbour',
  'Oak & Ash',
  'Fox Hollow',
  'Silverline',
  'Amber',
  'Copper Kettle',
  'Evergreen',
  'Lighthouse',
  'Maple',
  'Riverside',
  'Hilltop',
  'Saffron',
  'Cobalt',
  'Willow',
  'Granite',
  'Meadow',
  'Kingfisher',
  'Little Owl',
  'Blackbird',
  'Orchard',
  'Driftwood',
  'Sunrise',
  'Atlas',
  'Nordic',
  'Alpine',
  'Coastal',
  'Urban',
  'Heritage',
  'Wildflower',
  'Stonebridge',
  'Redwood',
  'Highland',
  'Seaside',
  'Golden Gate',
  'Moonlight',
  'Ironwood',
  'Bramble',
];
const SHOP_LAST = [
  'Goods',
  'Supply',
  'Trading',
  '& Co',
  'Store',
  'Outfitters',
  'Emporium',
  'Market',
  'House',
  'Collective',
  'Studio',
  'Workshop',
  'Depot',
  'Bazaar',
  'Mercantile',
];

function sellers(count: number, startsAt: number): GeneratedSeller[] {
  const rng = new Rng(0x5e11e7);
  const names = new Set<string>();
  while (names.size < count) {
    const base = `${rng.pick(SHOP_FIRST)} ${rng.pick(SHOP_LAST)}`;
    // Past the 600 distinct pairs a town tells two shops apart, as it does for real ones.
    names.add(
      names.has(base)
        ? `${base} ${rng.pick(['Lisbon', 'Ghent', 'Leeds', 'Graz', 'Turku', 'Lyon', 'Bergen', 'Cork'])}`
        : base,
    );
  }
  return [...names].map((name, rank) => ({
    id: nameBasedId('marketplace-catalog-seller', String(rank)),
    name,
    registeredAt: new Date(startsAt - rng.between(7, 1500) * DAY_MS - rng.int(DAY_MS)),
  }));
}

/** Internals generateProduct needs, kept off the public shape. */
export interface CatalogSampler {
  leafPicker: WeightedPicker;
  sellerPicker: WeightedPicker;
}

const samplers = new WeakMap<GeneratedCatalog, CatalogSampler>();

export function samplerOf(catalog: GeneratedCatalog): CatalogSampler {
  let sampler = samplers.get(catalog);
  if (!sampler) {
    sampler = {
      leafPicker: new WeightedPicker(catalog.leaves.map((leaf) => leaf.spec.weight)),
      sellerPicker: new WeightedPicker(zipfWeights(catalog.sellers.length, 0.9)),
    };
    samplers.set(catalog, sampler);
  }
  return sampler;
}

/** The fixed part of the catalog: categories, sellers and the time window. Pure. */
export function generateCatalog(options: CatalogOptions = {}): GeneratedCatalog {
  const count = options.sellers ?? DEFAULT_SELLERS;
  if (!Number.isInteger(count) || count < 1 || count > 2000) {
    throw new RangeError(`sellers must be an integer in 1..2000, got ${count}`);
  }
  const startsAt = ENDS_AT - WINDOW_MS;
  return {
    ...categoryTree(),
    sellers: sellers(count, startsAt),
    startsAt: new Date(startsAt),
    endsAt: new Date(ENDS_AT),
  };
}
