import { Type, type Static } from 'typebox';
import { PageQuerySchema } from '../pagination.ts';
import { DateTime, Nullable, Text, Uuid } from './common.schemas.ts';

/** The public catalog API of product-service: products and the category tree. */

const Title = Text(200);
const Description = Type.String({ maxLength: 5000 });
const PriceMinor = Type.Integer({ minimum: 1, maximum: 1_000_000_000 });
const Currency = Type.String({ pattern: '^[A-Z]{3}$' });
const Stock = Type.Integer({ minimum: 0, maximum: 1_000_000 });
// An absolute http(s) URL or a path on this origin (not `//host`, not `javascript:`), in printable
// ASCII as URLs are (non-ASCII is percent-encoded): ten of the longest, JSON-escaped, always fit
// the column (see IMAGES_MAX_BYTES).
export const IMAGE_URL_MAX = 2048;
export const IMAGES_MAX = 10;
/** Exported (as the limits are) so the SPA's copy of the rule is checked against it by type. */
export const IMAGE_URL_PATTERN = '^(https?://[!-~]+|/(?![/\\\\])[!-~]*)$';
const ImageUrl = Type.String({
  maxLength: IMAGE_URL_MAX,
  pattern: IMAGE_URL_PATTERN,
  description:
    'An absolute http(s) URL or a path on this site; printable ASCII (percent-encode the rest)',
});
const Images = Type.Array(ImageUrl, { maxItems: IMAGES_MAX });
/** The most the JSON of an image list can take: every character escaped (`\\"`), quotes, commas. */
export const IMAGES_MAX_BYTES = IMAGES_MAX * (2 * IMAGE_URL_MAX + 3) + 2;

/** Attribute names: short, lowercase, usable in a query string as `attr.<name>`. */
export const ATTRIBUTE_NAME_PATTERN = '^[a-z][a-z0-9_]{0,31}$';
export const ATTRIBUTE_VALUE_MAX = 64;
export const ATTRIBUTES_MAX = 20;
const AttributeValue = Text(ATTRIBUTE_VALUE_MAX);
export const AttributesSchema = Type.Record(
  Type.String({ pattern: ATTRIBUTE_NAME_PATTERN }),
  AttributeValue,
  {
    maxProperties: ATTRIBUTES_MAX,
    // A misspelt name is refused, not silently dropped as unknown fields are.
    propertyNames: { pattern: ATTRIBUTE_NAME_PATTERN },
    description:
      'Short names to values, e.g. {"colour": "black", "size": "M"}; filter with attr.<name>=<value>',
  },
);
export type Attributes = Static<typeof AttributesSchema>;

export const ProductStatusSchema = Type.Enum(['active', 'archived']);
export type ProductStatus = Static<typeof ProductStatusSchema>;

export const ProductSortSchema = Type.Enum(['relevance', 'newest', 'price_asc', 'price_desc']);
export type ProductSort = Static<typeof ProductSortSchema>;

export const ProductSchema = Type.Object(
  {
    id: Type.String(),
    sellerId: Type.String(),
    sellerName: Type.String({
      description: "The seller's shop name; empty when not known yet (show the id instead)",
    }),
    categoryId: Type.String(),
    title: Type.String(),
    description: Type.String(),
    priceMinor: Type.Integer(),
    currency: Type.String(),
    stock: Type.Integer(),
    images: Type.Array(Type.String()),
    attributes: Type.Record(Type.String(), Type.String()),
    status: ProductStatusSchema,
    version: Type.Integer({
      description: 'Grows with every change, stock moves included; the ETag and If-Match value',
    }),
    createdAt: DateTime,
    updatedAt: DateTime,
  },
  { description: 'A product listing' },
);
export type Product = Static<typeof ProductSchema>;

export const PriceBandSchema = Type.Object({
  minMinor: Type.Integer(),
  maxMinor: Nullable(Type.Integer()),
  count: Type.Integer(),
});
export type PriceBand = Static<typeof PriceBandSchema>;

/** Counts of the active products matching the whole query, by category, price band and attribute. */
export const FacetsSchema = Type.Object({
  categories: Type.Array(Type.Object({ id: Type.String(), count: Type.Integer() })),
  priceBands: Type.Array(PriceBandSchema),
  attributes: Type.Record(
    Type.String(),
    Type.Array(Type.Object({ value: Type.String(), count: Type.Integer() })),
  ),
});
export type Facets = Static<typeof FacetsSchema>;

export const ProductPageSchema = Type.Object({
  items: Type.Array(ProductSchema),
  nextCursor: Nullable(Type.String()),
  facets: Type.Optional(FacetsSchema),
});
export type ProductPage = Static<typeof ProductPageSchema>;

export const ProductBodySchema = Type.Object({
  title: Title,
  description: Description,
  priceMinor: PriceMinor,
  currency: Currency,
  stock: Stock,
  categoryId: Uuid,
  images: Images,
  attributes: Type.Optional(AttributesSchema),
});
export type ProductBody = Static<typeof ProductBodySchema>;

export const ProductPatchBodySchema = Type.Object(
  {
    title: Type.Optional(Title),
    description: Type.Optional(Description),
    priceMinor: Type.Optional(PriceMinor),
    currency: Type.Optional(Currency),
    stock: Type.Optional({
      ...Stock,
      description: 'Sets the stock outright: needs If-Match (else 428), or use POST …/stock',
    }),
    categoryId: Type.Optional(Uuid),
    images: Type.Optional(Images),
    attributes: Type.Optional(AttributesSchema),
    status: Type.Optional(ProductStatusSchema),
  },
  { minProperties: 1 },
);
export type ProductPatchBody = Static<typeof ProductPatchBodySchema>;

/** A stock adjustment: added atomically, so it never overwrites a reservation made meanwhile. */
export const StockAdjustmentBodySchema = Type.Object({
  delta: Type.Integer({ minimum: -1_000_000, maximum: 1_000_000, not: { const: 0 } }),
});
export type StockAdjustmentBody = Static<typeof StockAdjustmentBodySchema>;

/** `attr.<name>` query parameters: each names an attribute value a product must have. */
export const ATTRIBUTE_FILTER_PREFIX = 'attr.';

/**
 * The catalog's search box and filters; `category` is a slug and includes its sub-categories;
 * `attr.<name>=<value>` parameters (up to ten) must all match.
 */
export const ProductListQuerySchema = Type.Object(
  {
    q: Type.Optional(Type.String({ maxLength: 200 })),
    category: Type.Optional(Type.String({ pattern: '^[a-z0-9-]{1,100}$' })),
    sellerId: Type.Optional(Uuid),
    minPrice: Type.Optional(Type.Integer({ minimum: 0 })),
    maxPrice: Type.Optional(Type.Integer({ minimum: 0 })),
    inStock: Type.Optional(Type.Boolean()),
    sort: Type.Optional(ProductSortSchema),
    facets: Type.Optional(Type.Boolean({ description: 'Add facet counts for the whole query' })),
    limit: PageQuerySchema.properties.limit,
    cursor: PageQuerySchema.properties.cursor,
  },
  {
    // A malformed `attr.` name is refused rather than dropped (dropped, its filter would vanish).
    propertyNames: { pattern: `^(?!attr\\.)|^attr\\.${ATTRIBUTE_NAME_PATTERN.slice(1)}` },
    patternProperties: {
      [`^attr\\.${ATTRIBUTE_NAME_PATTERN.slice(1)}`]: AttributeValue,
    },
  },
);
/** The named parameters; the `attr.*` ones are read with attributeFilters. */
export type ProductListQuery = Static<typeof ProductListQuerySchema>;

/**
 * `GET /api/seller/products`: the caller's own products, newest first, `active` ones unless
 * `status=archived` asks for the archived ones; `q` is a part of the title (any case).
 */
export const SellerProductsQuerySchema = Type.Object({
  ...PageQuerySchema.properties,
  status: Type.Optional({
    ...ProductStatusSchema,
    description: 'Which of the products: `active` (the default) or `archived`',
  }),
  q: Type.Optional(Type.String({ maxLength: 200, description: 'Part of the title' })),
});
export type SellerProductsQuery = Static<typeof SellerProductsQuerySchema>;

/**
 * Shared (product-service registers it on the app, so OpenAPI shows it as a component) because
 * it refers to itself: a category holds categories.
 */
export const CategorySchema = Type.Object(
  {
    id: Type.String(),
    slug: Type.String(),
    name: Type.String(),
    productCount: Type.Integer({ description: 'Active products in it and below' }),
    children: Type.Array(Type.Ref('Category')),
  },
  { $id: 'Category' },
);
/** The context names what `Ref('Category')` stands for, so the type nests like the schema. */
type CategoryRefs = { Category: typeof CategorySchema };
export type Category = Static<typeof CategorySchema, CategoryRefs>;

export const CategoryTreeSchema = Type.Array(Type.Ref('Category'));
export type CategoryTree = Static<typeof CategoryTreeSchema, CategoryRefs>;

const Slug = Type.String({ pattern: '^[a-z0-9]+(-[a-z0-9]+)*$', maxLength: 100 });
const CategoryName = Text(100);
const Position = Type.Integer({ minimum: 0, maximum: 1_000_000 });

/** A category as stored, for admins: where it hangs and its place among its siblings. */
export const CategoryRecordSchema = Type.Object({
  id: Type.String(),
  parentId: Nullable(Type.String()),
  slug: Type.String(),
  name: Type.String(),
  position: Type.Integer(),
});
export type CategoryRecord = Static<typeof CategoryRecordSchema>;

export const CategoryBodySchema = Type.Object({
  slug: Slug,
  name: CategoryName,
  parentId: Type.Optional(Nullable(Uuid)),
  position: Type.Optional(Position),
});
export type CategoryBody = Static<typeof CategoryBodySchema>;

export const CategoryPatchBodySchema = Type.Object(
  {
    slug: Type.Optional(Slug),
    name: Type.Optional(CategoryName),
    parentId: Type.Optional(Nullable(Uuid)),
    position: Type.Optional(Position),
  },
  { minProperties: 1 },
);
export type CategoryPatchBody = Static<typeof CategoryPatchBodySchema>;

/** A seller's public page. */
export const SellerSchema = Type.Object({
  id: Type.String(),
  name: Type.String({ description: 'The shop name; empty when not known yet' }),
  productCount: Type.Integer({ description: 'Active listings' }),
  memberSince: Nullable(DateTime),
});
export type Seller = Static<typeof SellerSchema>;
