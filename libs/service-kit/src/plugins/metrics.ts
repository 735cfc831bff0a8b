import type { FastifyPluginAsync } from 'fastify';
import fp from 'fastify-plugin';
import { Registry, collectDefaultMetrics } from 'prom-client';
import { checkKnownOptions, checkName } from './options.ts';
import { RequestDurations, UNMATCHED } from './request-durations.ts';

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

/** A route's onResponse hooks with `hook` added last. */
function withHook<H>(existing: H | H[] | undefined, hook: H): H[] {
  if (existing === undefined) return [hook];
  return Array.isArray(existing) ? [...existing, hook] : [existing, hook];
}

/**
 * Prometheus metrics at `/metrics`: process defaults (event-loop lag, heap, GC, CPU) plus
 * `http_request_duration_seconds{method, route, status}`. Register it before any route: each
 * route gets its own timing hook when it is added.
 */
const metrics: FastifyPluginAsync<MetricsOptions> = async (app, options) => {
  checkName(PLUGIN, 'service', checkKnownOptions(PLUGIN, options, ['service']).service);
  const registry = new Registry();
  registry.setDefaultLabels({ service: options.service });
  collectDefaultMetrics({ register: registry });
  const durations = new RequestDurations(
    'http_request_duration_seconds',
    'HTTP request duration by method, route (its pattern, or "unmatched") and status',
    registry,
  );
  app.decorate('metrics', registry);
  app.addHook('onRoute', (route) => {
    route.onResponse = withHook(route.onResponse, durations.hookFor(route.url));
  });
  // Requests no route matched have no route hooks; one series for all of them, whatever the URL.
  const unmatched = durations.route(UNMATCHED);
  app.addHook('onResponse', function timeUnmatched(request, reply, done) {
    if (request.is404) {
      unmatched.observe(request.method, reply.statusCode, reply.elapsedTime / 1000);
    }
    done();
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
