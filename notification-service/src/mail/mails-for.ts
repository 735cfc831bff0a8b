import type { Kysely } from 'kysely';
import type { DomainEvent } from '@marketplace/contracts';
import { mailTargets } from '../data/recipient.repository.ts';
import type { DB } from '../data/schema.ts';
import { renderMail } from '../domain/mail.templates.ts';
import type { StoredNotification } from '../domain/notification.model.ts';
import type { QueuedMail } from './mail-outbox.repository.ts';

/**
 * The mails that go with notifications just stored for `event`: one per notification whose user
 * has an address on record, is not blocked and has not turned that type's mail off, written in
 * the user's language. Read in the consumer's transaction, so a preference saved before the
 * event committed is the one applied.
 */
export async function mailsFor(
  db: Kysely<DB>,
  event: DomainEvent,
  stored: StoredNotification[],
  appUrl: string,
): Promise<QueuedMail[]> {
  if (stored.length === 0) return [];
  // One read for the whole event, whatever the number of its notifications.
  const targets = await mailTargets(
    db,
    stored.map((n) => n.userId),
  );
  const mails: QueuedMail[] = [];
  for (const notification of stored) {
    const recipient = targets.get(notification.userId);
    if (!recipient || recipient.blocked || recipient.turnedOff.has(notification.type)) continue;
    const mail = renderMail({ type: notification.type, event, recipient, appUrl });
    if (!mail) continue;
    mails.push({
      notificationId: notification.id,
      userId: recipient.userId,
      to: recipient.email,
      ...mail,
    });
  }
  return mails;
}
