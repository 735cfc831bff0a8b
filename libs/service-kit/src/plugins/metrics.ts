import type { FastifyPluginAsync } from 'fastify';
import fp from 'fastify-plugin';
import { Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { checkKnownOptions, checkName } from './options.ts';

declare module 'fastify' {
  interface FastifyInstance {
    /** The service's Prometheus registry, served at /metrics: register your own metrics here. */
    metrics: Registry;
  }
}

export interface MetricsOptions {
  /** The `service` label on every metric. */
  service: string;
}

const PLUGIN = 'service-kit-metrics';

/** Prometheus metrics at `/metrics`: process defaults plus a request-duration histogram by route. */
const metrics: FastifyPluginAsync<MetricsOptions> = async (app, options) => {
  checkName(PLUGIN, 'service', checkKnownOptions(PLUGIN, options, ['service']).service);
  const registry = new Registry();
  registry.setDefaultLabels({ service: options.service });
  collectDefaultMetrics({ register: registry });
  const duration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request duration by method, route and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  app.decorate('metrics', registry);
  app.addHook('onResponse', async (request, reply) => {
    duration.observe(
      {
        method: request.method,
        route: request.routeOptions.url ?? 'unmatched',
        status: String(reply.statusCode),
      },
      reply.elapsedTime / 1000,
    );
  });
  app.addHook('onClose', async () => {
    registry.clear();
  });
  app.get('/metrics', { schema: { hide: true } }, async (_request, reply) => {
    reply.type(registry.contentType);
    return registry.metrics();
  });
};

export const metricsPlugin = fp(metrics, { name: PLUGIN, fastify: '5.x' });
