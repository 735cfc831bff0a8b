import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { healthPlugin, type HealthOptions } from './health.ts';

async function register(options: unknown): Promise<void> {
  const app = Fastify();
  try {
    await app.register(healthPlugin, options as HealthOptions);
  } finally {
    await app.close();
  }
}

const ok = async () => undefined;

describe('healthPlugin', () => {
  it.each([
    [{ readiness: { ' ': ok } }, 'readiness'],
    [{ readiness: { db: 'yes' } }, 'readiness.db'],
    [{ readiness: [{ name: 'db', check: ok }] }, '"readiness"'],
    [{ readiness: ok }, '"readiness"'],
    [{ readines: {} }, '"readines"'],
  ])('when registered with %j, then it refuses naming %s', async (options, named) => {
    await expect(register(options)).rejects.toThrow(named);
  });

  it('when the checks pass, then /ready lists each as ok', async () => {
    const app = Fastify();
    await app.register(healthPlugin, { readiness: { db: ok } });
    const res = await app.inject({ url: '/ready' });
    expect(res.json()).toEqual({ status: 'ready', checks: { db: 'ok' } });
    await app.close();
  });
});
