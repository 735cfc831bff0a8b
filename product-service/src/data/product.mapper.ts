import type { Selectable } from 'kysely';
import type { Product } from '@marketplace/contracts';
import type { ProductsTable } from './schema.ts';

function parseImages(text: string): string[] {
  try {
    const value: unknown = JSON.parse(text);
    return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
  } catch {
    return [];
  }
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
    status: row.status,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}
