import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Notification } from '@marketplace/contracts';
import { waitFor } from '@marketplace/testing';
import { feedAfter, insertNotifications } from '../src/data/notification.repository.ts';
import { toPublicNotification, type NotificationDraft } from '../src/domain/notification.model.ts';
import { startHarness, type Harness } from './harness.ts';
import { StreamReader } from './sse.ts';

/**
 * A user's feed in commit order: what lets a live stream resume after its last id with nothing
 * missed and nothing twice, whichever order the pushes of several instances arrive in.
 */
describe('notification-service: the feed a stream follows', () => {
  let h: Harness;
  let base: string;
  const aborts: AbortController[] = [];

  beforeAll(async () => {
    h = await startHarness('feed');
    base = await h.app.listen({ port: 0, host: '127.0.0.1' });
  });

  afterAll(async () => {
    for (const abort of aborts) abort.abort();
    await h?.close();
  });

  const draft = (userId: string, title: string): NotificationDraft => ({
    userId,
    type: 'order.shipped',
    title,
    body: title,
    data: {},
  });

  /** Stores one notification for `userId` in a transaction of its own, committed. */
  async function stored(userId: string, title: string) {
    const [notification] = await h.db
      .transaction()
      .execute((trx) => insertNotifications(trx, [draft(userId, title)], new Date()));
    return notification!;
  }

  async function connect(userId: string, lastEventId?: string) {
    const abort = new AbortController();
    aborts.push(abort);
    const response = await fetch(`${base}/api/notifications/stream`, {
      headers: {
        authorization: await h.tokens.bearer(userId, 'buyer'),
        ...(lastEventId ? { 'last-event-id': lastEventId } : {}),
      },
      signal: abort.signal,
    });
    expect(response.status).toBe(200);
    const reader = new StreamReader(response.body!);
    await reader.until(': connected');
    return { reader, abort };
  }

  const titles = (reader: StreamReader) => (reader.events() as Notification[]).map((n) => n.title);

  it('when a second transaction stores a notification for a user while a first one has not committed, then it waits: nothing becomes visible below what a reader has seen', async () => {
    const userId = randomUUID();
    const first = await h.db.startTransaction().execute();
    try {
      const [earlier] = await insertNotifications(first, [draft(userId, 'earlier')], new Date());
      let secondThread = 0;
      const second = h.db.transaction().execute(async (trx) => {
        const { rows } = await sql<{ id: number }>`SELECT CONNECTION_ID() AS id`.execute(trx);
        secondThread = Number(rows[0]!.id);
        return insertNotifications(trx, [draft(userId, 'later')], new Date());
      });
      // Either the second commits at once (no lock: the defect) or it waits for the first's lock.
      const waiting = waitFor(async () => {
        if (secondThread === 0) return undefined;
        const { rows } = await sql<{ n: number }>`
          SELECT COUNT(*) AS n FROM information_schema.INNODB_TRX
          WHERE trx_state = 'LOCK WAIT' AND trx_mysql_thread_id = ${secondThread}`.execute(h.db);
        return Number(rows[0]!.n) > 0 ? ('waiting' as const) : undefined;
      });
      const outcome = await Promise.race([waiting, second.then(() => 'committed' as const)]);
      expect(outcome).toBe('waiting');
      // A stream reading the feed now sees nothing, rather than 'later' with 'earlier' to come.
      expect(await feedAfter(h.db, userId, '0', 10)).toEqual([]);

      await first.commit().execute();
      const [later] = await second;
      const feed = await feedAfter(h.db, userId, '0', 10);
      expect(feed.map((entry) => entry.notification.id)).toEqual([earlier!.id, later!.id]);
    } finally {
      await first
        .rollback()
        .execute()
        .catch(() => undefined);
    }
  });

  it('when pushes arrive out of commit order, then the stream still sends in commit order, each once, and a reconnect after the last id gets nothing twice', async () => {
    const userId = randomUUID();
    const stream = await connect(userId);
    const a = await stored(userId, 'a');
    const b = await stored(userId, 'b');
    // b's push arrives first (another instance's), a's after it: as the broker may deliver them.
    h.hub.publish(userId, toPublicNotification(b));
    await waitFor(() => (titles(stream.reader).length === 2 ? true : undefined), {
      what: 'both notifications on the stream',
    });
    h.hub.publish(userId, toPublicNotification(a));
    const c = await stored(userId, 'c');
    h.hub.publish(userId, toPublicNotification(c));
    await waitFor(() => (titles(stream.reader).length >= 3 ? true : undefined), {
      what: 'the third notification',
    });
    expect(titles(stream.reader)).toEqual(['a', 'b', 'c']);
    stream.abort.abort();

    // The client resumes from the last id it got; a later one arrives while it is away.
    const lastId = (stream.reader.events() as Notification[]).at(-1)!.id;
    await stored(userId, 'd');
    const again = await connect(userId, lastId);
    await waitFor(() => (titles(again.reader).length >= 1 ? true : undefined), {
      what: 'the missed notification',
    });
    const e = await stored(userId, 'e');
    h.hub.publish(userId, toPublicNotification(e));
    await waitFor(() => (titles(again.reader).length >= 2 ? true : undefined), {
      what: 'the live one after the replay',
    });
    expect(titles(again.reader)).toEqual(['d', 'e']);
  });

  it('when a stream opens without Last-Event-ID, then it sends only what is stored after it opened', async () => {
    const userId = randomUUID();
    await stored(userId, 'before');
    const stream = await connect(userId);
    const after = await stored(userId, 'after');
    h.hub.publish(userId, toPublicNotification(after));
    await waitFor(() => (titles(stream.reader).length >= 1 ? true : undefined), {
      what: 'the new notification',
    });
    expect(titles(stream.reader)).toEqual(['after']);
  });
});
