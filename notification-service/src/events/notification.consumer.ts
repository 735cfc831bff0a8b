import type { Kysely } from 'kysely';
import {
  EventConsumer,
  type BrokerConnection,
  type Logger,
  type Registry,
} from '@marketplace/events';
import type { EventType } from '@marketplace/contracts';
import { recordBlocked } from '../data/account-state.repository.ts';
import { insertNotifications } from '../data/notification.repository.ts';
import { recordRegistered, recordUpdated } from '../data/recipient.repository.ts';
import { queueMails } from '../mail/mail-outbox.repository.ts';
import { mailsFor } from '../mail/mails-for.ts';
import type { DB } from '../data/schema.ts';
import { toPublicNotification } from '../domain/notification.model.ts';
import { notificationsFor } from '../domain/notification.rules.ts';
import type { LiveFanout } from '../live/live-fanout.ts';

export const CONSUMED_EVENTS: EventType[] = [
  'user.registered',
  'user.updated',
  'order.created',
  'order.status_changed',
];

export interface NotificationConsumerOptions {
  broker: BrokerConnection;
  db: Kysely<DB>;
  logger: Logger;
  exchange: string;
  queue: string;
  /** Where live pushes go: every instance's streams (LiveFanout). */
  live: Pick<LiveFanout, 'push' | 'closeUser'>;
  /** Where the consumer's metrics go (the app's /metrics). */
  registry?: Registry;
  /** The SPA's public address, for links in mails. */
  appUrl: string;
  /** Told after a commit that queued mails. */
  mailer?: { nudge(): void };
}

/**
 * Turns events into stored notifications in the consumer's transaction, and pushes them to live
 * connections only after that transaction has committed; a `user.updated` that says the user is
 * blocked closes their live streams and keeps new ones from opening (and stores nothing).
 */
export function createNotificationConsumer(
  options: NotificationConsumerOptions,
): EventConsumer<DB> {
  const { live } = options;
  return new EventConsumer<DB>({
    broker: options.broker,
    db: options.db,
    logger: options.logger,
    exchange: options.exchange,
    queue: options.queue,
    ...(options.registry ? { registry: options.registry } : {}),
    bindings: CONSUMED_EVENTS,
    handler: async (event, trx) => {
      const at = new Date(event.occurredAt);
      // The copy of whom to write to, kept before any mail of this very event needs it.
      if (event.type === 'user.registered') await recordRegistered(trx, event.data, at);
      if (event.type === 'user.updated') await recordUpdated(trx, event.data, at);
      // Dated when the event happened, so a late arrival still sorts into its place.
      const stored = await insertNotifications(trx, notificationsFor(event), at);
      const mails = await mailsFor(trx, event, stored, options.appUrl);
      await queueMails(trx, mails);
      // A blocked user keeps no live stream open (their token may still be valid for a while).
      const closing =
        event.type === 'user.updated' &&
        (await recordBlocked(trx, event.data.userId, event.data.blocked, at))
          ? event.data.userId
          : null;
      return () => {
        if (mails.length > 0) options.mailer?.nudge();
        if (closing) live.closeUser(closing);
        for (const notification of stored)
          live.push(notification.userId, toPublicNotification(notification));
      };
    },
  });
}
