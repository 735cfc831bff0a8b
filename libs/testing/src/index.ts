import { randomBytes } from 'node:crypto';
import { dropDatabase, ensureDatabase } from '@marketplace/db';

export const TEST_MYSQL_URL = process.env.MYSQL_URL ?? 'mysql://root@127.0.0.1:3306';
export const TEST_RABBITMQ_URL = process.env.RABBITMQ_URL ?? 'amqp://guest:guest@127.0.0.1:5672';

/** A name no other suite or run uses: `<prefix>_<random>`, safe for databases and queues. */
export function uniqueName(prefix: string): string {
  return `${prefix}_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
}

/** Creates a database of its own for one suite; call the returned drop() in afterAll. */
export async function createTestDatabase(
  prefix: string,
): Promise<{ name: string; drop: () => Promise<void> }> {
  const name = uniqueName(`t_${prefix}`).slice(0, 64);
  await ensureDatabase(TEST_MYSQL_URL, name);
  return { name, drop: () => dropDatabase(TEST_MYSQL_URL, name) };
}

/** Polls `probe` until it returns a value other than undefined, or fails after `timeoutMs`. */
export async function waitFor<T>(
  probe: () => Promise<T | undefined> | T | undefined,
  { timeoutMs = 10_000, intervalMs = 50, what = 'condition' } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      const cause = lastError instanceof Error ? `: ${lastError.message}` : '';
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${cause}`);
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/** A logger that swallows everything, for components under test that want one. */
export const silentLogger = {
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  debug: () => undefined,
};
export * from './tokens.ts';
export { TcpProxy } from './tcp-proxy.ts';
export { PrivateBroker } from './private-broker.ts';
export { freePort } from './ports.ts';
