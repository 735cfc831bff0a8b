import type { OrderStatus, Role } from '@marketplace/contracts';

export interface ShippingAddress {
  name: string;
  line1: string;
  line2?: string;
  city: string;
  postalCode: string;
  country: string;
}

export interface OrderItem {
  productId: string;
  title: string;
  priceMinor: number;
  quantity: number;
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

export interface HistoryEntry {
  from: OrderStatus | null;
  to: OrderStatus;
  note: string | null;
  actorId: string;
  actorRole: Role;
  at: string;
}

export interface Actor {
  userId: string;
  role: Role;
}

export interface CheckoutResult {
  checkoutId: string;
  orders: Order[];
}
