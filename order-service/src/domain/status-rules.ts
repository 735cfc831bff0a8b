import type { OrderStatus } from '@marketplace/contracts';
import type { Actor } from './order.model.ts';

export type Party = 'buyer' | 'seller' | 'admin';

/** Who may move an order from one status to the next; anything not listed is invalid. */
const TRANSITIONS: Record<OrderStatus, Partial<Record<OrderStatus, readonly Party[]>>> = {
  created: { confirmed: ['seller', 'admin'], cancelled: ['buyer', 'seller', 'admin'] },
  confirmed: { shipped: ['seller', 'admin'], cancelled: ['buyer', 'seller', 'admin'] },
  shipped: { delivered: ['seller', 'admin'] },
  delivered: {},
  cancelled: {},
};

/** The parts the actor plays for this order (a seller may buy from themselves). */
export function partiesOf(actor: Actor, order: { buyerId: string; sellerId: string }): Set<Party> {
  const parties = new Set<Party>();
  if (actor.role === 'admin') parties.add('admin');
  if (actor.userId === order.buyerId) parties.add('buyer');
  if (actor.userId === order.sellerId) parties.add('seller');
  return parties;
}

export type TransitionCheck = 'allowed' | 'invalid' | 'forbidden';

export function checkTransition(
  from: OrderStatus,
  to: OrderStatus,
  parties: ReadonlySet<Party>,
): TransitionCheck {
  const allowed = TRANSITIONS[from][to];
  if (!allowed) return 'invalid';
  return allowed.some((p) => parties.has(p)) ? 'allowed' : 'forbidden';
}
