import type { EventData, OrderStatus, Role } from '@marketplace/contracts';

/** The texts users read; every wording lives here so it can be reviewed (and translated) at once. */
export interface Text {
  title: string;
  body: string;
}

type OrderItems = EventData<'order.created'>['items'];

/** Formats an amount in minor units with its ISO currency, e.g. (129900, 'EUR') → "€1,299.00". */
export function formatMoney(amountMinor: number, currency: string): string {
  try {
    const format = new Intl.NumberFormat('en', { style: 'currency', currency });
    const digits = format.resolvedOptions().maximumFractionDigits ?? 2;
    return format.format(amountMinor / 10 ** digits);
  } catch {
    // An unknown code still reads sensibly.
    return `${(amountMinor / 100).toFixed(2)} ${currency}`;
  }
}

/** Orders are referred to by the first block of their UUID, as the SPA shows them. */
export function orderRef(orderId: string): string {
  return `#${orderId.slice(0, 8)}`;
}

function itemCount(items: OrderItems): string {
  const count = items.reduce((sum, item) => sum + item.quantity, 0);
  return count === 1 ? '1 item' : `${count} items`;
}

function itemList(items: OrderItems): string {
  return items.map((item) => `${item.quantity} × ${item.title}`).join(', ');
}

function withNote(sentence: string, note: string | null): string {
  const trimmed = note?.trim();
  return trimmed ? `${sentence} Note: ${trimmed}` : sentence;
}

export function welcomeText(name: string, role: Role): Text {
  const next =
    role === 'seller'
      ? 'List your first product to start selling.'
      : 'Browse the catalog and place your first order.';
  return { title: `Welcome to the marketplace, ${name}!`, body: next };
}

export function orderPlacedText(order: EventData<'order.created'>): Text {
  return {
    title: `Order placed: ${itemCount(order.items)}, total ${formatMoney(order.totalMinor, order.currency)}`,
    body: `Order ${orderRef(order.orderId)}: ${itemList(order.items)}.`,
  };
}

export function orderReceivedText(order: EventData<'order.created'>): Text {
  return {
    title: `New order: ${itemCount(order.items)}, total ${formatMoney(order.totalMinor, order.currency)}`,
    body: `Order ${orderRef(order.orderId)}: ${itemList(order.items)}. Please confirm it.`,
  };
}

const STATUS_WORDS: Record<Exclude<OrderStatus, 'created'>, string> = {
  confirmed: 'confirmed',
  shipped: 'shipped',
  delivered: 'delivered',
  cancelled: 'cancelled',
};

export function orderStatusText(
  orderId: string,
  status: Exclude<OrderStatus, 'created'>,
  note: string | null,
): Text {
  const word = STATUS_WORDS[status];
  return {
    title: `Your order was ${word}`,
    body: withNote(`Order ${orderRef(orderId)} was ${word}.`, note),
  };
}

export function sellerOrderCancelledText(orderId: string, note: string | null): Text {
  return {
    title: 'An order was cancelled',
    body: withNote(`Order ${orderRef(orderId)} was cancelled; its stock is released.`, note),
  };
}
