import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import type { EventData, NotificationPreferences } from '@marketplace/contracts';
import { freePort, silentLogger, waitFor } from '@marketplace/testing';
import { MailSender } from '../src/mail/mail-sender.ts';
import { startHarness, type Harness } from './harness.ts';
import { TestSmtpServer } from './smtp-server.ts';

describe('notification-service: e-mail through a real SMTP server', () => {
  let h: Harness;
  let smtp: TestSmtpServer;

  beforeAll(async () => {
    smtp = new TestSmtpServer(await freePort());
    await smtp.start();
    h = await startHarness('mail', { smtpUrl: smtp.url });
  });

  afterAll(async () => {
    await h?.close();
    await smtp?.stop();
  });

  /** A user notification-service knows: registered, and in `language`. */
  async function user(language: 'en' | 'ru', name: string) {
    const userId = randomUUID();
    const email = `${userId}@example.test`;
    await h.publish('user.registered', { userId, email, name, role: 'buyer' });
    await h.publish('user.updated', { userId, name, language, blocked: false, role: 'buyer' });
    await waitFor(async () => {
      const row = await h.db
        .selectFrom('recipients')
        .select('language')
        .where('user_id', '=', userId)
        .executeTakeFirst();
      return row?.language === language ? true : undefined;
    });
    return { userId, email, name };
  }

  const order = (buyerId: string, sellerId: string): EventData<'order.created'> => ({
    orderId: randomUUID(),
    checkoutId: randomUUID(),
    buyerId,
    sellerId,
    items: [
      { productId: randomUUID(), title: 'Настольная лампа', quantity: 2, priceMinor: 1500 },
      { productId: randomUUID(), title: 'Chair', quantity: 1, priceMinor: 1250 },
    ],
    totalMinor: 4250,
    currency: 'EUR',
  });

  const inApp = async (userId: string) => {
    const { rows } = await sql<{ type: string }>`
      SELECT type FROM notifications WHERE user_id = ${userId} ORDER BY created_at`.execute(h.db);
    return rows.map((r) => r.type);
  };

  it('when a Russian-speaking buyer orders, then the mail reaches them in Russian with the order, and the seller gets theirs in English', async () => {
    const buyer = await user('ru', 'Анна');
    const seller = await user('en', 'Northwind');
    const data = order(buyer.userId, seller.userId);
    await h.publish('order.created', data);

    const [mail] = await waitFor(
      () =>
        smtp.to(buyer.email).some((m) => m.subject?.includes('оформлен'))
          ? smtp.to(buyer.email)
          : undefined,
      { what: 'the buyer’s mail' },
    ).then((mails) => mails.filter((m) => m.subject?.includes('оформлен')));
    expect(mail?.subject).toBe(`Заказ #${data.orderId.slice(0, 8)} оформлен`);
    expect(mail?.text).toContain('Здравствуйте, Анна!');
    expect(mail?.text).toContain('2 × Настольная лампа');
    expect(mail?.text).toContain('Итого: 42,50');
    expect(mail?.text).toContain(`http://localhost:8080/orders/${data.orderId}`);
    expect(mail?.html).toContain('<html lang="ru">');
    expect(mail?.html).toContain(`href="http://localhost:8080/orders/${data.orderId}"`);
    expect(mail?.messageId).toMatch(/@marketplace>?$/);

    const toSeller = await waitFor(
      () => smtp.to(seller.email).find((m) => m.subject?.startsWith('New order')),
      { what: 'the seller’s mail' },
    );
    expect(toSeller.text).toContain('Total: €42.50');
    expect(toSeller.text).toContain('Hello Northwind,');
    // The welcome mails went out too, each in its reader's language at the time.
    expect(await inApp(buyer.userId)).toEqual(['welcome', 'order.placed']);
  });

  it('when a buyer turns a type of mail off, then that mail is not sent but the in-app notification is kept', async () => {
    const buyer = await user('en', 'Quiet');
    const put = await h.app.inject({
      method: 'PUT',
      url: '/api/notifications/preferences',
      headers: { authorization: await h.tokens.bearer(buyer.userId, 'buyer') },
      payload: { email: { 'order.placed': false } },
    });
    expect(put.statusCode).toBe(200);
    const prefs = put.json<NotificationPreferences>();
    expect(prefs.email['order.placed']).toBe(false);
    expect(prefs.email['order.shipped']).toBe(true);

    const data = order(buyer.userId, randomUUID());
    await h.publish('order.created', data);
    // A mail that is still on, after it: once it has arrived, the other one would have too.
    await h.publish('order.status_changed', {
      orderId: data.orderId,
      buyerId: buyer.userId,
      sellerId: data.sellerId,
      from: 'confirmed',
      to: 'shipped',
      note: null,
    });
    await waitFor(() => smtp.to(buyer.email).find((m) => m.subject?.includes('shipped')), {
      what: 'the shipped mail',
    });
    expect(smtp.to(buyer.email).map((m) => m.subject)).not.toContainEqual(
      expect.stringContaining('is placed'),
    );
    expect(await inApp(buyer.userId)).toEqual(['welcome', 'order.placed', 'order.shipped']);
  });

  it('when a user is blocked, then they are mailed nothing more (the in-app notification is still kept)', async () => {
    const blocked = await user('en', 'Blocked');
    await h.publish('user.updated', {
      userId: blocked.userId,
      name: 'Blocked',
      language: 'en',
      blocked: true,
      role: 'buyer',
    });
    await waitFor(async () => {
      const row = await h.db
        .selectFrom('account_states')
        .select('blocked')
        .where('user_id', '=', blocked.userId)
        .executeTakeFirst();
      return row?.blocked === 1 ? true : undefined;
    });
    await h.publish('order.created', order(blocked.userId, randomUUID()));
    // Another user's mail after it: once that has arrived, the blocked one's would have too.
    const other = await user('en', 'Other');
    const marker = order(other.userId, randomUUID());
    await h.publish('order.created', marker);
    await waitFor(() => smtp.to(other.email).find((m) => m.subject?.includes('is placed')), {
      what: 'the other user’s mail',
    });
    expect(smtp.to(blocked.email).map((m) => m.subject)).not.toContainEqual(
      expect.stringContaining('is placed'),
    );
    expect(await inApp(blocked.userId)).toContain('order.placed');
  });

  it('when preferences are sent wrongly, then a bad value is a 400 naming the field, an unknown type is dropped, and without a token 401', async () => {
    const auth = await h.tokens.bearer(randomUUID(), 'buyer');
    const unknown = await h.app.inject({
      method: 'PUT',
      url: '/api/notifications/preferences',
      headers: { authorization: auth },
      payload: { email: { 'order.lost': false } },
    });
    // As everywhere in the API, a property the schema does not know is dropped, not stored.
    expect(unknown.statusCode).toBe(200);
    expect(Object.keys(unknown.json<NotificationPreferences>().email)).not.toContain('order.lost');
    const notBoolean = await h.app.inject({
      method: 'PUT',
      url: '/api/notifications/preferences',
      headers: { authorization: auth },
      payload: { email: { welcome: 'no' } },
    });
    expect(notBoolean.statusCode).toBe(400);
    expect(notBoolean.body).toContain('"field":"email.welcome"');
    const get = await h.app.inject({ method: 'GET', url: '/api/notifications/preferences' });
    expect(get.statusCode).toBe(401);
  });

  it('when the SMTP server is down for a while, then the in-app notifications are there at once and the mails arrive after it returns, none twice', async () => {
    const buyer = await user('en', 'Patient');
    await waitFor(() => smtp.to(buyer.email).find((m) => m.subject?.includes('Welcome')), {
      what: 'the welcome mail',
    });
    await smtp.stop();
    const orders = [order(buyer.userId, randomUUID()), order(buyer.userId, randomUUID())];
    for (const o of orders) await h.publish('order.created', o);
    await waitFor(async () => ((await inApp(buyer.userId)).length === 3 ? true : undefined), {
      what: 'the in-app notifications during the outage',
    });
    // The sender has tried, failed, and holds the mails.
    await waitFor(
      async () => {
        const { rows } = await sql<{ n: number | string }>`
        SELECT COUNT(*) AS n FROM mail_outbox
        WHERE user_id = ${buyer.userId} AND sent_at IS NULL AND attempts > 0`.execute(h.db);
        return Number(rows[0]?.n) >= 1 ? true : undefined;
      },
      { what: 'a failed send' },
    );
    await new Promise((r) => setTimeout(r, 2_000));
    await smtp.start();

    const placed = await waitFor(
      () => {
        const mails = smtp.to(buyer.email).filter((m) => m.subject?.includes('is placed'));
        return mails.length >= 2 ? mails : undefined;
      },
      { what: 'the held mails', timeoutMs: 30_000 },
    );
    await new Promise((r) => setTimeout(r, 1_000));
    const ids = smtp.to(buyer.email).map((m) => m.messageId);
    expect(new Set(ids).size).toBe(ids.length);
    expect(placed.map((m) => m.subject).sort()).toEqual(
      orders.map((o) => `Your order #${o.orderId.slice(0, 8)} is placed`).sort(),
    );
  }, 60_000);

  it('when sent mails are older than 30 days, then pruning deletes them and keeps the rest', async () => {
    const userId = randomUUID();
    const row = (id: string, sentDaysAgo: number | null) => ({
      notification_id: id,
      user_id: userId,
      to_address: 'old@example.test',
      subject: 's',
      text_body: 't',
      html_body: 'h',
      claimed_by: null,
      claimed_until: null,
      last_error: null,
      sent_at: sentDaysAgo === null ? null : new Date(Date.now() - sentDaysAgo * 86_400_000),
      failed_at: null,
      // Not due for a long while, so the running sender leaves the unsent one alone.
      next_attempt_at: new Date(Date.now() + 86_400_000),
    });
    const [old, recent, pending] = [randomUUID(), randomUUID(), randomUUID()];
    await h.db
      .insertInto('mail_outbox')
      .values([row(old, 31), row(recent, 29), row(pending, null)])
      .execute();
    const sender = new MailSender({
      db: h.db,
      smtpUrl: smtp.url,
      from: 'x <x@x.x>',
      logger: silentLogger,
    });
    expect(await sender.pruneOnce()).toBe(1);
    const left = await h.db
      .selectFrom('mail_outbox')
      .select('notification_id')
      .where('user_id', '=', userId)
      .execute();
    expect(left.map((r) => r.notification_id).sort()).toEqual([recent, pending].sort());
    await sender.stop();
  });
});
