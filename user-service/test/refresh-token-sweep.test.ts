import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql, type Kysely } from 'kysely';
import { createDb } from '@marketplace/db';
import { waitFor } from '@marketplace/testing';
import type { DB } from '../src/data/schema.ts';
import { RefreshTokenSweep } from '../src/domain/refresh-token-sweep.service.ts';
import { hashRefreshToken } from '../src/domain/session.ts';
import { code, post, register, startUserService } from './harness.ts';
import type { Harness, ProblemBody, Session } from './harness.ts';

/** Direct access to the suite's database, to age tokens and to look at what is left. */
function tokenTable(h: Harness) {
  const db: Kysely<DB> = createDb<DB>({ url: h.config.MYSQL_URL, database: h.config.DB_NAME });
  const familyOf = async (token: string) =>
    (
      await db
        .selectFrom('refresh_tokens')
        .select('family_id')
        .where('token_hash', '=', hashRefreshToken(token))
        .executeTakeFirstOrThrow()
    ).family_id;
  return {
    db,
    /** Moves every timestamp of the token's family `days` into the past, as if time had passed. */
    async ageFamily(token: string, days: number): Promise<void> {
      const shift = (column: string) => sql<Date>`${sql.ref(column)} - INTERVAL ${days} DAY`;
      await db
        .updateTable('refresh_tokens')
        .set({
          created_at: shift('created_at'),
          expires_at: shift('expires_at'),
          spent_at: shift('spent_at'),
          revoked_at: shift('revoked_at'),
        })
        .where('family_id', '=', await familyOf(token))
        .execute();
    },
    async setRevokedDaysAgo(token: string, days: number): Promise<void> {
      await db
        .updateTable('refresh_tokens')
        .set({ revoked_at: new Date(Date.now() - days * 86_400_000) })
        .where('token_hash', '=', hashRefreshToken(token))
        .execute();
    },
    async exists(token: string): Promise<boolean> {
      const row = await db
        .selectFrom('refresh_tokens')
        .select('token_hash')
        .where('token_hash', '=', hashRefreshToken(token))
        .executeTakeFirst();
      return row !== undefined;
    },
  };
}

describe('user-service: sweeping refresh tokens', () => {
  let h: Harness;
  let table: ReturnType<typeof tokenTable>;

  beforeAll(async () => {
    h = await startUserService();
    table = tokenTable(h);
  });
  afterAll(async () => {
    await table?.db.destroy();
    await h?.close();
  });

  const refresh = (refreshToken: string) => post(h.app, '/api/auth/refresh', { refreshToken });
  const rotate = async (session: Session) => (await refresh(session.refreshToken)).json<Session>();

  it('when sessions ended longer ago than the retention, then all their tokens are deleted', async () => {
    const expired = await register(h.app);
    await table.ageFamily(expired.refreshToken, 30 + 8);

    const loggedOut = await register(h.app);
    await post(h.app, '/api/auth/logout', { refreshToken: loggedOut.refreshToken });
    await table.ageFamily(loggedOut.refreshToken, 8);

    const rotatedThenExpired = await register(h.app);
    const next = await rotate(rotatedThenExpired);
    await table.ageFamily(next.refreshToken, 30 + 8);

    expect(await h.tokenSweep.sweepOnce()).toBeGreaterThanOrEqual(4);

    for (const token of [expired, loggedOut, rotatedThenExpired, next]) {
      expect(await table.exists(token.refreshToken)).toBe(false);
    }
  });

  it('when a session is live or ended within the retention, then its tokens are kept', async () => {
    const live = await register(h.app);
    const justRotated = await register(h.app);
    const head = await rotate(justRotated);

    const loggedOutRecently = await register(h.app);
    await post(h.app, '/api/auth/logout', { refreshToken: loggedOutRecently.refreshToken });
    await table.ageFamily(loggedOutRecently.refreshToken, 6);

    const expiredRecently = await register(h.app);
    await table.ageFamily(expiredRecently.refreshToken, 30 + 3);

    // Its first token was spent long ago, but the family ended only two days ago.
    const endedRecently = await register(h.app);
    const last = await rotate(endedRecently);
    await table.ageFamily(last.refreshToken, 20);
    await table.setRevokedDaysAgo(last.refreshToken, 2);

    await h.tokenSweep.sweepOnce();

    const kept = [live, justRotated, head, loggedOutRecently, expiredRecently, endedRecently, last];
    for (const token of kept) expect(await table.exists(token.refreshToken)).toBe(true);
  });

  it('when an old spent token belongs to a live session, then it survives and a replay still revokes the session', async () => {
    const victim = await register(h.app);
    const thief = await rotate(victim);
    // Spent ten days ago; the thief's token, issued then, is usable for twenty more days.
    await table.ageFamily(thief.refreshToken, 10);

    await h.tokenSweep.sweepOnce();

    expect(await table.exists(victim.refreshToken)).toBe(true);
    const replay = await refresh(victim.refreshToken);
    expect(replay.statusCode).toBe(401);
    expect(replay.json<ProblemBody>().type).toContain('refresh-token-reused');
    expect(code(replay)).toBe('refresh-token-reused');
    const revoked = await refresh(thief.refreshToken);
    expect(revoked.statusCode).toBe(401);
    expect(code(revoked)).toBe('invalid-refresh-token');
  });

  it('when more tokens are due than a batch holds, then batches repeat and the count is logged', async () => {
    // Five sessions of three tokens each: families larger than a batch, batches across families.
    const sessions: Session[] = [];
    for (let i = 0; i < 5; i++) {
      const first = await register(h.app);
      const second = await rotate(first);
      sessions.push(first, second, await rotate(second));
    }
    for (const session of sessions) await table.ageFamily(session.refreshToken, 30 + 8);
    const logged: object[] = [];
    const log = (obj: object) => void logged.push(obj);
    const sweep = new RefreshTokenSweep({
      db: table.db,
      logger: { info: log, warn: log, error: log, debug: log },
      intervalMs: 3_600_000,
      retentionDays: 7,
      batchSize: 2,
    });

    expect(await sweep.sweepOnce()).toBe(15);
    expect(await sweep.sweepOnce()).toBe(0);

    for (const session of sessions) expect(await table.exists(session.refreshToken)).toBe(false);
    expect(logged).toEqual([{ deleted: 15, retentionDays: 7 }]);
  });
});

describe('user-service: the refresh token sweep timer', () => {
  let h: Harness;
  let table: ReturnType<typeof tokenTable>;

  beforeAll(async () => {
    h = await startUserService({}, { TOKEN_SWEEP_INTERVAL_MS: '100' });
    table = tokenTable(h);
  });
  afterAll(async () => {
    await table?.db.destroy();
    await h?.close();
  });

  it('when the sweep interval passes, then dead tokens are deleted without being asked', async () => {
    const live = await register(h.app);
    const old = await register(h.app);
    await table.ageFamily(old.refreshToken, 30 + 8);

    await waitFor(async () => ((await table.exists(old.refreshToken)) ? undefined : true), {
      what: 'the old token to be swept',
    });
    expect(await table.exists(live.refreshToken)).toBe(true);
  });

  it('when the background tasks have run, then /metrics counts their runs by task', async () => {
    const runs = (text: string, task: string) =>
      new RegExp(`^periodic_task_runs_total\\{[^}]*task="${task}"[^}]*\\} [1-9]`, 'm').test(text);
    const text = await waitFor(async () => {
      const body = (await h.app.inject({ method: 'GET', url: '/metrics' })).body;
      return runs(body, 'refresh-token-sweep') && runs(body, 'outbox-relay') ? body : undefined;
    });
    expect(text).toContain('# TYPE periodic_task_failures_total counter');
  });
});
