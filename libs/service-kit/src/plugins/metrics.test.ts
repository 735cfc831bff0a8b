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

  /** The `_count` sample of the series whose labels include all of `labels`, if any. */
  const countOf = (body: string, labels: string[]): number | undefined => {
    const line = body
      .split('\n')
      .find(
        (l) =>
          l.startsWith('http_request_duration_seconds_count{') &&
          labels.every((label) => l.includes(label)),
      );
    return line === undefined ? undefined : Number(line.split(' ').pop());
  };

  it('when no route matches, then every such URL lands in one "unmatched" series, never its own', async () => {
    const app = Fastify();
    await app.register(metricsPlugin, { service: 'svc' });
    for (const url of ['/nope/1', '/nope/2?x=1', '/other/3']) await app.inject({ url });
    const res = await app.inject({ url: '/metrics' });
    expect(countOf(res.body, ['route="unmatched"', 'status="404"', 'method="GET"'])).toBe(3);
    expect(res.body).not.toMatch(/nope|other/);
    await app.close();
  });

  it('when a route answers errors, then they are counted apart by status under its pattern', async () => {
    const app = Fastify();
    await app.register(metricsPlugin, { service: 'svc' });
    await app.register(
      async (scoped) => {
        scoped.get('/items/:id', async (request, reply) => {
          const { id } = request.params as { id: string };
          return id === 'bad' ? reply.code(500).send({}) : {};
        });
      },
      { prefix: '/api' },
    );
    for (const id of ['1', '2', 'bad']) await app.inject({ url: `/api/items/${id}` });
    const res = await app.inject({ url: '/metrics' });
    expect(countOf(res.body, ['route="/api/items/:id"', 'status="200"'])).toBe(2);
    expect(countOf(res.body, ['route="/api/items/:id"', 'status="500"'])).toBe(1);
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
