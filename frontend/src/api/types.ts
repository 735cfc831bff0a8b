/**
 * Shapes of the public API (design.md, "Public API"), as the SPA reads them.
 * Money is always integer minor units plus an ISO 4217 currency code.
 */

export type Role = 'buyer' | 'seller' | 'admin';

export type OrderStatus = 'created' | 'confirmed' | 'shipped' | 'delivered' | 'cancelled';

export type ProductSort = 'relevance' | 'newest' | 'price_asc' | 'price_desc';

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export interface ProblemFieldError {
  field: string;
  message: string;
}

/** RFC 9457 problem details, the one error shape of every service. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail?: string;
  requestId?: string;
  errors?: ProblemFieldError[];
}

export interface User {
  id: string;
  email: string;
  name: string;
  role: Role;
}

export interface AuthResult {
  user: User;
  accessToken: string;
  refreshToken: string;
  expiresIn?: number;
}

export interface TokenPair {
  accessToken: string;
  refreshToken: string;
  expiresIn?: number;
  user?: User;
}

export interface RegisterInput {
  email: string;
  password: string;
  name: string;
  role: 'buyer' | 'seller';
}

export interface LoginInput {
  email: string;
  password: string;
}

export interface Product {
  id: string;
  sellerId: string;
  /** The seller's shop name; empty while the catalog does not know it (the id is shown then). */
  sellerName: string;
  title: string;
  description: string;
  priceMinor: number;
  currency: string;
  stock: number;
  categoryId: string;
  images: string[];
  status: 'active' | 'archived';
  createdAt: string;
  updatedAt: string;
}

/** A node of the category tree; products are filtered by its slug. */
export interface Category {
  id: string;
  slug: string;
  name: string;
  children: Category[];
}

export interface ProductFilters {
  q?: string;
  category?: string;
  sellerId?: string;
  minPrice?: number;
  maxPrice?: number;
  inStock?: boolean;
  sort?: ProductSort;
}

export interface ShippingAddress {
  name: string;
  line1: string;
  line2?: string;
  city: string;
  postalCode: string;
  country: string;
  phone?: string;
}

export interface OrderItem {
  productId: string;
  title: string;
  quantity: number;
  priceMinor: number;
}

export interface Order {
  id: string;
  checkoutId: string;
  buyerId: string;
  sellerId: string;
  status: OrderStatus;
  items: OrderItem[];
  totalMinor: number;
  currency: string;
  shippingAddress: ShippingAddress;
  createdAt: string;
  updatedAt: string;
}

export interface CheckoutInput {
  items: { productId: string; quantity: number }[];
  shippingAddress: ShippingAddress;
}

export interface CheckoutResult {
  checkoutId: string;
  orders: Order[];
}

export interface OrderHistoryEntry {
  from: OrderStatus | null;
  to: OrderStatus;
  note: string | null;
  actorId: string;
  actorRole: Role;
  at: string;
}

export interface AppNotification {
  id: string;
  type: string;
  title: string;
  body: string;
  data: Record<string, unknown>;
  readAt: string | null;
  createdAt: string;
}
