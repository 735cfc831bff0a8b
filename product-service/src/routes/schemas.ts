import { Type } from 'typebox';
import { Page, PageQuerySchema } from '@marketplace/contracts';

export const UUID_PATTERN =
  '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$';

export const Uuid = Type.String({ pattern: UUID_PATTERN });

/** A reference to the shared problem+json schema registered on the app. */
export const ProblemRef = Type.Ref('Problem');

export const IdParams = Type.Object({ id: Uuid });

const Title = Type.String({ minLength: 1, maxLength: 200, pattern: '\\S' });
const Description = Type.String({ maxLength: 5000 });
const PriceMinor = Type.Integer({ minimum: 1, maximum: 1_000_000_000 });
const Currency = Type.String({ pattern: '^[A-Z]{3}$' });
const Stock = Type.Integer({ minimum: 0, maximum: 1_000_000 });
// An absolute http(s) URL or a path on this origin (not `//host`, not `javascript:`).
const ImageUrl = Type.String({ maxLength: 2048, pattern: '^(https?://[^\\s]+|/(?!/)[^\\s]*)$' });
const Images = Type.Array(ImageUrl, { maxItems: 10 });
const Status = Type.Enum(['active', 'archived']);

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
    status: Status,
    createdAt: Type.String({ format: 'date-time' }),
    updatedAt: Type.String({ format: 'date-time' }),
  },
  { description: 'A product listing' },
);

export const ProductPageSchema = Page(ProductSchema);

export const ProductBody = Type.Object({
  title: Title,
  description: Description,
  priceMinor: PriceMinor,
  currency: Currency,
  stock: Stock,
  categoryId: Uuid,
  images: Images,
});

export const ProductPatchBody = Type.Object(
  {
    title: Type.Optional(Title),
    description: Type.Optional(Description),
    priceMinor: Type.Optional(PriceMinor),
    currency: Type.Optional(Currency),
    stock: Type.Optional(Stock),
    categoryId: Type.Optional(Uuid),
    images: Type.Optional(Images),
    status: Type.Optional(Status),
  },
  { minProperties: 1 },
);

export const ProductListQuery = Type.Object({
  q: Type.Optional(Type.String({ maxLength: 200 })),
  category: Type.Optional(Type.String({ pattern: '^[a-z0-9-]{1,100}$' })),
  sellerId: Type.Optional(Uuid),
  minPrice: Type.Optional(Type.Integer({ minimum: 0 })),
  maxPrice: Type.Optional(Type.Integer({ minimum: 0 })),
  inStock: Type.Optional(Type.Boolean()),
  sort: Type.Optional(Type.Enum(['relevance', 'newest', 'price_asc', 'price_desc'])),
  limit: PageQuerySchema.properties.limit,
  cursor: PageQuerySchema.properties.cursor,
});

/** Shared (registered on the app) because it refers to itself: a category holds categories. */
export const CategorySchema = Type.Object(
  {
    id: Type.String(),
    slug: Type.String(),
    name: Type.String(),
    children: Type.Array(Type.Ref('Category')),
  },
  { $id: 'Category' },
);

export const CategoryTreeSchema = Type.Array(Type.Ref('Category'));
