import { demoImagePath } from '../demo/catalog.ts';
import { ATTRIBUTE_VALUES, type AttributeName } from './categories.ts';
import { samplerOf, type GeneratedCatalog, type GeneratedLeaf } from './catalog.ts';
import { Rng, seedOf } from './random.ts';
import { CITIES, COMMON_QUALITIES, OCCASIONS, TESTS, modelCode, rareName } from './vocabulary.ts';

export interface GeneratedProduct {
  id: string;
  sellerId: string;
  sellerName: string;
  categoryId: string;
  title: string;
  description: string;
  priceMinor: number;
  currency: 'EUR';
  stock: number;
  images: string[];
  attributes: Record<string, string>;
  status: 'active' | 'archived';
  version: 1;
  createdAt: Date;
}

/** The largest index a product id can encode (its first field is the index in hex). */
export const MAX_PRODUCT_INDEX = 0xffffffff;

/**
 * Product i's id: a UUID in the v5 layout whose first field is i in hex, the rest from i's hash.
 * Ordered ids make a bulk load append to the primary key instead of splitting pages all over a
 * table larger than the buffer pool, and tell which indexes a database already holds.
 */
export function generatedProductId(index: number): string {
  if (!Number.isInteger(index) || index < 0 || index > MAX_PRODUCT_INDEX) {
    throw new RangeError(`product index must be an integer in 0..${MAX_PRODUCT_INDEX}`);
  }
  const rng = new Rng(seedOf(index, 1));
  const a = rng.hex8();
  const b = rng.hex8();
  const c = rng.hex8();
  const variant = ((parseInt(b.slice(0, 2), 16) & 0x3f) | 0x80).toString(16);
  return `${index.toString(16).padStart(8, '0')}-${a.slice(0, 4)}-5${a.slice(4, 7)}-${variant}${b.slice(2, 4)}-${b.slice(4, 8)}${c}`;
}

const FIRST_NAMES = [
  'Anna',
  'Lucas',
  'Marta',
  'Jonas',
  'Sofia',
  'Elias',
  'Clara',
  'Mateo',
  'Ines',
  'Henrik',
  'Lea',
  'Tomas',
  'Maya',
  'Oskar',
  'Nora',
  'Felix',
];

interface Draft {
  rng: Rng;
  leaf: GeneratedLeaf;
  brand: string;
  noun: string;
  adjective: string;
  line: string;
  code: string;
  attributes: Record<string, string>;
}

function attributeValue(draft: Draft, name: AttributeName): string {
  return name === 'brand' ? draft.brand : draft.rng.pick(ATTRIBUTE_VALUES[name]);
}

function title(d: Draft): string {
  const { rng } = d;
  if (d.leaf.spec.titled) {
    const place = rng.pick(CITIES);
    switch (rng.int(4)) {
      case 0:
        return `The ${d.line} ${d.noun}`;
      case 1:
        return `${d.adjective} ${d.noun} of ${place}`;
      case 2:
        return `${d.line}: ${d.adjective} ${d.noun}`;
      default:
        return `The ${d.adjective} ${d.line} ${d.noun} of ${place}`;
    }
  }
  const parts = [d.brand];
  if (rng.chance(0.35)) parts.push(d.line);
  parts.push(d.adjective, d.noun);
  // At least four words: a bare "Kiri Classic Wok" reads like a category, not a listing.
  if (parts.length < 4 || rng.chance(0.5)) parts.push(d.code);
  const colour = d.attributes.colour;
  if (colour && rng.chance(0.4)) parts.push(colour[0]!.toUpperCase() + colour.slice(1));
  return parts.join(' ');
}

type Sentence = (d: Draft) => string;

const SINGULAR_IN_S = new Set(['Atlas', 'Lens']);

/** "is" or "are": the nouns are title-case English, plural when they end in a lone s. */
function verb(noun: string): 'is' | 'are' {
  const plural = noun.endsWith('s') && !noun.endsWith('ss') && !SINGULAR_IN_S.has(noun);
  return plural ? 'are' : 'is';
}

/** Two different items of `items` (at least two long). */
function twoOf<T>(rng: Rng, items: readonly T[]): [T, T] {
  const first = rng.int(items.length);
  const second = (first + 1 + rng.int(items.length - 1)) % items.length;
  return [items[first]!, items[second]!];
}

/** Sentences for goods, not books: care and warranty. */
const GOODS_ONLY: readonly Sentence[] = [
  () => 'Easy to use, simple to clean and built to last for years.',
  (d) =>
    `Model ${d.code} with a ${d.rng.pick(ATTRIBUTE_VALUES.warranty)} warranty from the ${d.brand} team.`,
];

const SHARED: readonly Sentence[] = [
  (d) =>
    `The ${d.adjective.toLowerCase()} ${d.brand} ${d.noun.toLowerCase()} ${verb(d.noun)} made for ${d.rng.pick(d.leaf.root.uses)}.`,
  (d) => `It comes with ${twoOf(d.rng, d.leaf.root.features).join(' and ')}.`,
  (d) => `Part of the ${d.line} collection, designed in ${d.rng.pick(CITIES)}.`,
  (d) =>
    `Ideal for ${twoOf(d.rng, d.leaf.root.uses).join(', ')} or as a gift for ${d.rng.pick(OCCASIONS)}.`,
  (d) =>
    `Customers love the ${twoOf(d.rng, COMMON_QUALITIES).join(' and the ')} of this ${d.noun.toLowerCase()}.`,
  (d) => `Ships within ${d.rng.between(2, 5)} days from our warehouse in ${d.rng.pick(CITIES)}.`,
  (d) =>
    `Tested for ${d.rng.pick(TESTS)} by the ${rareName(d.rng)} workshop with ${d.rng.pick(d.leaf.root.features)}.`,
  (d) =>
    `A great choice for anyone who wants ${d.rng.pick(COMMON_QUALITIES)} with ${d.rng.pick(d.leaf.root.features)}.`,
  (d) =>
    `Finished in ${d.attributes.colour ?? d.attributes.material ?? 'a timeless style'} and inspired by ${rareName(d.rng)}.`,
];

const BOOK_SENTENCES: readonly Sentence[] = [
  (d) =>
    `A ${d.adjective.toLowerCase()} ${d.noun.toLowerCase()} by ${d.rng.pick(FIRST_NAMES)} ${rareName(d.rng)}, with ${d.rng.pick(d.leaf.root.features)}.`,
  (d) =>
    `Published by ${d.brand} and loved by readers from ${d.rng.pick(CITIES)} to ${d.rng.pick(CITIES)}.`,
];

const GOODS_POOL: readonly Sentence[] = [...GOODS_ONLY, ...SHARED];
const BOOK_POOL: readonly Sentence[] = [...BOOK_SENTENCES, ...SHARED];

function wordCount(text: string): number {
  let count = 1;
  for (let at = text.indexOf(' '); at !== -1; at = text.indexOf(' ', at + 1)) count++;
  return count;
}

function description(d: Draft): string {
  const { rng } = d;
  const pool = d.leaf.spec.titled ? BOOK_POOL : GOODS_POOL;
  // Sentences run 7 to 15 words: stopping at the first total >= target keeps it within 30..60.
  const target = rng.between(30, 45);
  let used = 0;
  let text = '';
  let words = 0;
  while (words < target) {
    let pick = rng.int(pool.length);
    while (used & (1 << pick)) pick = (pick + 1) % pool.length;
    used |= 1 << pick;
    const sentence = pool[pick]!(d);
    text = text === '' ? sentence : `${text} ${sentence}`;
    words += wordCount(sentence);
  }
  return text;
}

/** Log-normal around the leaf's median, ending in 9 as shop prices do; 1..1e9 minor units. */
function price(rng: Rng, leaf: GeneratedLeaf): number {
  const eur = leaf.spec.medianEur * Math.exp(leaf.spec.sigma * rng.normal());
  const minor =
    eur < 10
      ? Math.round(eur * 10) * 10 - 1
      : eur < 1000
        ? Math.round(eur) * 100 - 1
        : Math.round(eur / 10) * 1000 - 100;
  return Math.min(1_000_000_000, Math.max(1, minor));
}

function images(rng: Rng, leaf: GeneratedLeaf): string[] {
  const available = leaf.spec.images;
  const count = Math.min(available.length, rng.chance(0.5) ? 1 : rng.chance(0.6) ? 2 : 3);
  const start = rng.int(available.length);
  return Array.from({ length: count }, (_, i) =>
    demoImagePath(available[(start + i) % available.length]!),
  );
}

/**
 * Product `index` of the catalog, the same on every call: everything is drawn from a stream
 * seeded by the index alone (and the catalog's fixed shape). Pure and fast (no I/O, no hashing).
 */
export function generateProduct(index: number, catalog: GeneratedCatalog): GeneratedProduct {
  const id = generatedProductId(index);
  const rng = new Rng(seedOf(index, 2));
  const sampler = samplerOf(catalog);
  const leaf = catalog.leaves[sampler.leafPicker.draw(rng.next())]!;
  const seller = catalog.sellers[sampler.sellerPicker.draw(rng.next())]!;
  const draft: Draft = {
    rng,
    leaf,
    brand: rng.pick(leaf.root.brands),
    noun: rng.pick(leaf.spec.nouns),
    adjective: rng.pick(leaf.root.adjectives),
    line: rareName(rng),
    code: modelCode(rng),
    attributes: {},
  };
  for (const name of leaf.spec.attributes) draft.attributes[name] = attributeValue(draft, name);
  const span = catalog.endsAt.getTime() - catalog.startsAt.getTime();
  return {
    id,
    sellerId: seller.id,
    sellerName: seller.name,
    categoryId: leaf.id,
    title: title(draft),
    description: description(draft),
    priceMinor: price(rng, leaf),
    currency: 'EUR',
    stock: rng.chance(0.08) ? 0 : 1 + Math.floor(500 * rng.next() ** 2),
    images: images(rng, leaf),
    attributes: draft.attributes,
    status: rng.chance(0.03) ? 'archived' : 'active',
    version: 1,
    // sqrt skews towards recent listings: a growing marketplace.
    createdAt: new Date(catalog.startsAt.getTime() + Math.floor(Math.sqrt(rng.next()) * span)),
  };
}
