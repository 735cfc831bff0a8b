import type { Insertable, Selectable } from 'kysely';
import type { Product } from '@marketplace/contracts';
import type { NewProduct } from '../domain/product.model.ts';
import type { ProductsTable } from './schema.ts';

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function parseImages(text: string): string[] {
  const value = parseJson(text);
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

export function parseAttributes(text: string): Record<string, string> {
  const value = parseJson(text);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return {};
  return Object.fromEntries(
    Object.entries(value).filter(
      (entry): entry is [string, string] => typeof entry[1] === 'string',
    ),
  );
}

export function toProduct(row: Selectable<ProductsTable>): Product {
  return {
    id: row.id,
    sellerId: row.seller_id,
    sellerName: row.seller_name,
    categoryId: row.category_id,
    title: row.title,
    description: row.description,
    priceMinor: row.price_minor,
    currency: row.currency,
    stock: row.stock,
    images: parseImages(row.images),
    attributes: parseAttributes(row.attributes),
    status: row.status,
    version: row.version,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

/** The row of a product just listed: active, created and updated `now`. */
export function toProductRow(product: NewProduct): Insertable<ProductsTable> {
  return {
    id: product.id,
    seller_id: product.sellerId,
    seller_name: product.sellerName,
    category_id: product.categoryId,
    title: product.title,
    description: product.description,
    price_minor: product.priceMinor,
    currency: product.currency,
    stock: product.stock,
    images: JSON.stringify(product.images),
    attributes: JSON.stringify(product.attributes ?? {}),
    status: 'active',
    created_at: product.now,
    updated_at: product.now,
  };
}
