import type { Kysely } from 'kysely';
import type { EventType } from '@marketplace/contracts';
import { EventConsumer, type BrokerConnection, type Logger } from '@marketplace/events';
import { renameSeller } from '../data/product.repository.ts';
import type { DB } from '../data/schema.ts';
import { sellerNameOf } from '../domain/product.model.ts';

export const CONSUMED_EVENTS: EventType[] = ['user.updated'];

export interface UserConsumerOptions {
  broker: BrokerConnection;
  db: Kysely<DB>;
  logger: Logger;
  exchange: string;
  queue: string;
}

/**
 * Keeps the seller names on products true: a `user.updated` renames the user's listings (any
 * status) in the consumer's transaction, deduplicated by event id. Other changes it carries
 * (language, role, blocked) are not the catalog's concern.
 */
export function createUserConsumer(options: UserConsumerOptions): EventConsumer<DB> {
  return new EventConsumer<DB>({
    ...options,
    bindings: CONSUMED_EVENTS,
    handler: async (event, trx) => {
      if (event.type !== 'user.updated') return;
      const name = sellerNameOf(event.data.name);
      if (name) await renameSeller(trx, event.data.userId, name);
    },
  });
}
