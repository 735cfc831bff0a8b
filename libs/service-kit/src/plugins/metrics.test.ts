import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { metricsPlugin, type MetricsOptions } from './metrics.ts';

async function register(options: unknown): Promise<void> {
  const app = Fastify();
  try {
    await app.register(metricsPlugin, options as MetricsOptions);
  } finally {
    await app.close();
  }
}

describe('metricsPlugin', () => {
  it.each([
    [{}, '"service"'],
    [{ service: '' }, '"service"'],
    [{ service: 'svc', buckets: [1] }, '"buckets"'],
  ])('when registered with %j, then it refuses naming %s', async (options, named) => {
    await expect(register(options)).rejects.toThrow(named);
  });

  it('when a request was answered, then its route shows in the histogram', async () => {
    const app = Fastify();
    await app.register(metricsPlugin, { service: 'svc' });
    app.get('/things/:id', async () => ({}));
    await app.inject({ url: '/things/1' });
    const res = await app.inject({ url: '/metrics' });
    expect(res.body).toMatch(/http_request_duration_seconds_count\{[^}]*route="\/things\/:id"/);
    await app.close();
  });

  it('when the app closes, then its registry is emptied', async () => {
    const app = Fastify();
    await app.register(metricsPlugin, { service: 'svc' });
    await app.ready();
    const registry = app.metrics;
    expect(registry.getMetricsAsArray().length).toBeGreaterThan(0);
    await app.close();
    expect(registry.getMetricsAsArray()).toEqual([]);
  });
});
