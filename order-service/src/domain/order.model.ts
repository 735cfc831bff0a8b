import type { Role } from '@marketplace/contracts';

// Orders, their items, addresses and history are the contract's types (@marketplace/contracts).

/** Who is acting: the verified caller of a request. */
export interface Actor {
  userId: string;
  role: Role;
}
