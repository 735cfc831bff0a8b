import type { Role } from '@marketplace/contracts';

export type ProductStatus = 'active' | 'archived';

/** A product as every API shows it. */
export interface Product {
  id: string;
  sellerId: string;
  /** The seller's display name as of their last listing or edit; '' when not known yet. */
  sellerName: string;
  categoryId: string;
  title: string;
  description: string;
  priceMinor: number;
  currency: string;
  stock: number;
  images: string[];
  status: ProductStatus;
  createdAt: string;
  updatedAt: string;
}

export interface ProductInput {
  title: string;
  description: string;
  priceMinor: number;
  currency: string;
  stock: number;
  categoryId: string;
  images: string[];
}

export type ProductPatch = Partial<ProductInput> & { status?: ProductStatus };

/** Who is asking; the verified access-token claims fit this shape. */
export interface Actor {
  userId: string;
  role: Role;
  /** The caller's display name, absent from tokens issued before the claim existed. */
  name?: string;
}

export type ProductSort = 'relevance' | 'newest' | 'price_asc' | 'price_desc';

/** The sorts a listing is actually ordered by (relevance needs search words). */
export type ListingSort = ProductSort;

export interface Category {
  id: string;
  parentId: string | null;
  slug: string;
  name: string;
  position: number;
}

export interface CategoryNode {
  id: string;
  slug: string;
  name: string;
  children: CategoryNode[];
}
