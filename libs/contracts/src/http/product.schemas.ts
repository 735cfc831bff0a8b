import { Type, type Static } from 'typebox';
import { Page, PageQuerySchema } from '../pagination.ts';
import { DateTime, Text, Uuid } from './common.schemas.ts';

/** The public catalog API of product-service: products and the category tree. */

const Title = Text(200);
const Description = Type.String({ maxLength: 5000 });
const PriceMinor = Type.Integer({ minimum: 1, maximum: 1_000_000_000 });
const Currency = Type.String({ pattern: '^[A-Z]{3}$' });
const Stock = Type.Integer({ minimum: 0, maximum: 1_000_000 });
// An absolute http(s) URL or a path on this origin (not `//host`, not `javascript:`).
const ImageUrl = Type.String({ maxLength: 2048, pattern: '^(https?://[^\\s]+|/(?!/)[^\\s]*)$' });
const Images = Type.Array(ImageUrl, { maxItems: 10 });

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
    status: ProductStatusSchema,
    createdAt: DateTime,
    updatedAt: DateTime,
  },
  { description: 'A product listing' },
);
export type Product = Static<typeof ProductSchema>;

export const ProductPageSchema = Page(ProductSchema);
export type ProductPage = Static<typeof ProductPageSchema>;

export const ProductBodySchema = Type.Object({
  title: Title,
  description: Description,
  priceMinor: PriceMinor,
  currency: Currency,
  stock: Stock,
  categoryId: Uuid,
  images: Images,
});
export type ProductBody = Static<typeof ProductBodySchema>;

export const ProductPatchBodySchema = Type.Object(
  {
    title: Type.Optional(Title),
    description: Type.Optional(Description),
    priceMinor: Type.Optional(PriceMinor),
    currency: Type.Optional(Currency),
    stock: Type.Optional(Stock),
    categoryId: Type.Optional(Uuid),
    images: Type.Optional(Images),
    status: Type.Optional(ProductStatusSchema),
  },
  { minProperties: 1 },
);
export type ProductPatchBody = Static<typeof ProductPatchBodySchema>;

/** The catalog's search box and filters; `category` is a slug and includes its sub-categories. */
export const ProductListQuerySchema = Type.Object({
  q: Type.Optional(Type.String({ maxLength: 200 })),
  category: Type.Optional(Type.String({ pattern: '^[a-z0-9-]{1,100}$' })),
  sellerId: Type.Optional(Uuid),
  minPrice: Type.Optional(Type.Integer({ minimum: 0 })),
  maxPrice: Type.Optional(Type.Integer({ minimum: 0 })),
  inStock: Type.Optional(Type.Boolean()),
  sort: Type.Optional(ProductSortSchema),
  limit: PageQuerySchema.properties.limit,
  cursor: PageQuerySchema.properties.cursor,
});
export type ProductListQuery = Static<typeof ProductListQuerySchema>;

/**
 * Shared (product-service registers it on the app, so OpenAPI shows it as a component) because
 * it refers to itself: a category holds categories.
 */
export const CategorySchema = Type.Object(
  {
    id: Type.String(),
    slug: Type.String(),
    name: Type.String(),
    children: Type.Array(Type.Ref('Category')),
  },
  { $id: 'Category' },
);
/** The context names what `Ref('Category')` stands for, so the type nests like the schema. */
type CategoryRefs = { Category: typeof CategorySchema };
export type Category = Static<typeof CategorySchema, CategoryRefs>;

export const CategoryTreeSchema = Type.Array(Type.Ref('Category'));
export type CategoryTree = Static<typeof CategoryTreeSchema, CategoryRefs>;
