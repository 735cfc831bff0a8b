import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { TcpProxy, TEST_MYSQL_URL, waitFor } from '@marketplace/testing';
import { startHarness, type Harness } from './harness.ts';

const OUTAGE_MS = 30_000;

// The fault: the notification database unreachable for 30 s under a steady flow of
// events. Through a proxy the test cuts, so MariaDB itself (shared by every suite) stays up.
describe('notification-service: its database unreachable for 30 s under a steady event flow', () => {
  let proxy: TcpProxy;
  let h: Harness;

  beforeAll(async () => {
    const front = await TcpProxy.inFrontOf(TEST_MYSQL_URL, 3306);
    proxy = front.proxy;
    h = await startHarness('dboutage', { mysqlUrl: front.url });
  }, 60_000);

  afterAll(async () => {
    // Whatever happened, the database is reachable again before the harness cleans up.
    await proxy.open().catch(() => undefined);
    await h?.close();
    await proxy.cut();
  }, 60_000);

  const deliveryOutcomes = async (): Promise<Record<string, number>> => {
    const metric = h.app.metrics.getSingleMetric('events_consumed_total');
    const { values } = (await metric?.get()) ?? { values: [] };
    return Object.fromEntries(values.map((v) => [String(v.labels.outcome), v.value]));
  };

  const counts = async () => {
    const { rows } = await sql<{ user_id: string; n: number | string }>`
      SELECT user_id, COUNT(*) AS n FROM notifications GROUP BY user_id`.execute(h.db);
    return new Map(rows.map((r) => [r.user_id, Number(r.n)]));
  };

  it('when the database comes back, then every event is delivered exactly once and none is parked', async () => {
    const users: string[] = [];
    let flowing = true;
    // Ten registrations a second, before, during and after the outage: each one due at its own
    // time, so a busy machine (a slow publish) does not thin the flow out.
    const flowStarted = Date.now();
    const flow = (async () => {
      while (flowing) {
        const userId = randomUUID();
        users.push(userId);
        await h.publish('user.registered', {
          userId,
          email: `${userId}@example.com`,
          name: 'Outage',
          role: 'buyer',
        });
        const due = flowStarted + users.length * 100;
        await new Promise((r) => setTimeout(r, Math.max(0, due - Date.now())));
      }
    })();
    await waitFor(async () => ((await counts()).size >= 10 ? true : undefined), {
      what: 'the flow to start',
    });
    await proxy.cut();
    await new Promise((r) => setTimeout(r, OUTAGE_MS));
    await proxy.open();
    await new Promise((r) => setTimeout(r, 2_000));
    flowing = false;
    await flow;

    // The longest back-off is 30 s, so the last retries land within about that after the return.
    const delivered = await waitFor(
      async () => {
        const seen = await counts();
        return users.every((u) => seen.has(u)) ? seen : undefined;
      },
      { what: 'every event delivered', timeoutMs: 60_000, intervalMs: 500 },
    );
    expect(users.length).toBeGreaterThan(300);
    for (const user of users) expect(delivered.get(user)).toBe(1);
    const { rows } = await sql<{ n: number | string }>`
      SELECT COUNT(*) AS n FROM dead_letters`.execute(h.db);
    expect(Number(rows[0]?.n)).toBe(0);
    // Every failure was taken for what it was, a transient one: none was ever a parking
    // candidate (parking would itself have failed while the database was down, hiding it).
    const outcomes = await deliveryOutcomes();
    expect(outcomes.retry_transient).toBeGreaterThan(0);
    expect(outcomes.retry_failed ?? 0).toBe(0);
    expect(outcomes.park_failed ?? 0).toBe(0);
  }, 150_000);
});
