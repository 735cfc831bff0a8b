import type { Kysely } from 'kysely';
import type { EventType } from '@marketplace/contracts';
import {
  EventConsumer,
  type BrokerConnection,
  type Logger,
  type Registry,
} from '@marketplace/events';
import { renameSeller } from '../data/product.repository.ts';
import { recordRegistration, recordSellerName } from '../data/seller.repository.ts';
import type { DB } from '../data/schema.ts';
import { sellerNameOf } from '../domain/product.model.ts';

export const CONSUMED_EVENTS: EventType[] = ['user.registered', 'user.updated'];

export interface UserConsumerOptions {
  broker: BrokerConnection;
  db: Kysely<DB>;
  logger: Logger;
  exchange: string;
  queue: string;
  /** Run after a rename committed: what listings show changed. */
  renamed?: () => void;
  /** Where the consumer's metrics go (the app's /metrics). */
  registry?: Registry;
}

/**
 * Records when sellers registered (their public page), and keeps the seller names on products true: a `user.updated` records the name (unless a newer
 * event's is on record) and renames the user's listings (any status) to it, in the consumer's
 * transaction, deduplicated by event id. Its other fields (language, role, blocked) are not the
 * catalog's concern.
 */
export function createUserConsumer(options: UserConsumerOptions): EventConsumer<DB> {
  return new EventConsumer<DB>({
    ...options,
    bindings: CONSUMED_EVENTS,
    handler: async (event, trx) => {
      if (event.type === 'user.registered') {
        // A seller's page says since when they sell; buyers never get one.
        if (event.data.role !== 'seller') return;
        const name = sellerNameOf(event.data.name) ?? '';
        await recordRegistration(trx, event.data.userId, name, new Date(event.occurredAt));
        return;
      }
      if (event.type !== 'user.updated') return;
      const { userId } = event.data;
      const name = sellerNameOf(event.data.name);
      if (!name) return;
      const current = await recordSellerName(trx, userId, name, new Date(event.occurredAt));
      await renameSeller(trx, userId, current);
      return options.renamed;
    },
  });
}
