import type {
  OrderPage,
  OrderStatus,
  Product,
  ProductPage,
  ProductStatus,
  SellerOrdersQuery,
  SellerProductsQuery,
} from '@marketplace/contracts';
import { request, updateProduct } from './client.ts';

/** One page of the caller's own products of `status`, newest first; `q` a part of the title. */
export const listSellerProducts = (status: ProductStatus, q: string, cursor?: string) =>
  request<ProductPage>('GET', '/api/seller/products', {
    query: {
      status,
      q: q.trim() || undefined,
      cursor,
      limit: 20,
    } satisfies Partial<SellerProductsQuery>,
  });

/** An archived product back in the catalog. */
export const restoreProduct = (id: string): Promise<Product> =>
  updateProduct(id, { status: 'active' });

/** The newest few orders of one status: the dashboard's "to do" list. */
export const listLatestSellerOrders = (status: OrderStatus, limit: number) =>
  request<OrderPage>('GET', '/api/seller/orders', {
    query: { status, limit } satisfies Partial<SellerOrdersQuery>,
  });
