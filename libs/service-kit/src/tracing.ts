import { createRequire } from 'node:module';
import type { FastifyPluginAsync, FastifyRequest, preHandlerHookHandler } from 'fastify';
import fp from 'fastify-plugin';
import type { Logger } from 'pino';
import type * as FastifyOtel from '@fastify/otel';
import type * as Api from '@opentelemetry/api';
import type * as Exporter from '@opentelemetry/exporter-trace-otlp-http';
import type * as Undici from '@opentelemetry/instrumentation-undici';
import type * as Resources from '@opentelemetry/resources';
import type * as Sdk from '@opentelemetry/sdk-trace-node';

/** The variable that turns tracing on (serverConfig); the OTel SDK reads the other OTEL_* ones. */
export interface TracingConfig {
  /** OTLP/HTTP base URL (spans go to `<it>/v1/traces`); empty or unset: no tracing at all. */
  OTEL_EXPORTER_OTLP_ENDPOINT?: string | undefined;
}

export interface Tracing {
  /** `@fastify/otel`: a server span per request, named by its route; register before any route. */
  readonly plugin: FastifyPluginAsync;
  /** Exports the spans still buffered and stops (after the app closed). */
  shutdown(): Promise<void>;
}

/** The kit's own endpoints, polled by probes and Prometheus: not worth a trace each. */
const UNTRACED = new Set(['/health', '/ready', '/metrics', '/openapi.json']);

let active: Tracing | undefined;

/** The tracing this process started, if any: createServiceApp registers its plugin. */
export function activeTracing(): Tracing | undefined {
  return active;
}

/**
 * The SDK's packages, loaded from service-kit's own folder: a service runs as a bundle whose
 * npm imports resolve from the service's folder, and npm may nest service-kit's versions of
 * these under libs/service-kit (another package holds older ones at the root). Loaded only when
 * tracing is on, so a process without it never reads them.
 */
function sdkRequire(): NodeJS.Require {
  const here = createRequire(import.meta.url);
  return createRequire(here.resolve('@marketplace/service-kit/package.json'));
}

function pathOf(url: string): string {
  const query = url.indexOf('?');
  return query === -1 ? url : url.slice(0, query);
}

/** The headers that carry a trace between processes (W3C Trace Context and Baggage). */
const PROPAGATION_HEADERS = new Set(['traceparent', 'tracestate', 'baggage']);

/**
 * Removes the trace headers an outgoing request already has: a proxied request (the gateway's)
 * carries its client's, and this hop's, added next, must be the only ones (two `traceparent`s
 * are read as none). `headers` is undici's flat [name, value, ...] array (v6+).
 */
export function dropPropagationHeaders(request: { headers: unknown }): void {
  const { headers } = request;
  if (!Array.isArray(headers)) return;
  for (let index = headers.length - 2; index >= 0; index -= 2) {
    const name: unknown = headers[index];
    if (typeof name === 'string' && PROPAGATION_HEADERS.has(name.toLowerCase())) {
      headers.splice(index, 2);
    }
  }
}

/** `GET /api/orders/:id`: the route's pattern, never the raw URL (ids, tokens in queries). */
export function spanName(request: Pick<FastifyRequest, 'method' | 'routeOptions'>): string {
  const route = request.routeOptions.url;
  return route === undefined ? request.method : `${request.method} ${route}`;
}

/**
 * Starts OpenTelemetry tracing for this process when `OTEL_EXPORTER_OTLP_ENDPOINT` is set:
 * spans are batched and exported over OTLP/HTTP (JSON) with W3C trace context propagation;
 * outgoing fetch/undici requests get client spans and carry `traceparent` (diagnostics
 * channels, so it works in the bundles). Unset: returns undefined, loads nothing.
 */
export function startTracing(
  service: string,
  config: TracingConfig,
  logger?: Pick<Logger, 'info' | 'warn'>,
): Tracing | undefined {
  if (!config.OTEL_EXPORTER_OTLP_ENDPOINT) return undefined;
  if (active) return active;
  const load = sdkRequire();
  const api = load('@opentelemetry/api') as typeof Api;
  const sdk = load('@opentelemetry/sdk-trace-node') as typeof Sdk;
  const { resourceFromAttributes } = load('@opentelemetry/resources') as typeof Resources;
  const { OTLPTraceExporter } = load('@opentelemetry/exporter-trace-otlp-http') as typeof Exporter;
  const { UndiciInstrumentation } = load('@opentelemetry/instrumentation-undici') as typeof Undici;
  const { FastifyOtelInstrumentation } = load('@fastify/otel') as typeof FastifyOtel;

  if (logger) {
    // Export failures (the collector down) are the SDK's errors: one warning each, not silence.
    api.diag.setLogger(
      {
        error: (message) => logger.warn({ component: 'opentelemetry' }, message),
        warn: () => undefined,
        info: () => undefined,
        debug: () => undefined,
        verbose: () => undefined,
      },
      api.DiagLogLevel.ERROR,
    );
  }
  const provider = new sdk.NodeTracerProvider({
    resource: resourceFromAttributes({ 'service.name': service }),
    // The exporter reads the endpoint (and OTEL_EXPORTER_OTLP_HEADERS, ...) as the spec says.
    spanProcessors: [new sdk.BatchSpanProcessor(new OTLPTraceExporter())],
  });
  provider.register();
  const undici = new UndiciInstrumentation({
    requireParentforSpans: true,
    requestHook: (_span, request) => dropPropagationHeaders(request),
  });
  undici.setTracerProvider(provider);
  const fastify = new FastifyOtelInstrumentation({
    // One span per request: hooks and handlers as spans of their own would triple them.
    instrumentHooks: false,
    instrumentHandler: false,
    ignorePaths: ({ url }) => UNTRACED.has(pathOf(url)),
    requestHook: (span, request) => span.updateName(spanName(request)),
  });
  fastify.setTracerProvider(provider);
  const serverSpans = fastify.plugin();
  /**
   * The request's span, active again for the handler: a body is read in the socket's async
   * context, which knows no span. A synchronous `done` runs the rest of the lifecycle (the
   * handler included) inside `context.with`, and all it awaits inherits it.
   */
  const activate: preHandlerHookHandler = (request, _reply, done) => {
    const { context: requestContext } = request.opentelemetry();
    if (requestContext) api.context.with(requestContext, done);
    else done();
  };
  const plugin = fp(
    async (app) => {
      await app.register(serverSpans);
      app.addHook('preHandler', activate);
    },
    { name: 'service-kit-tracing' },
  );
  // The origin only: a URL may carry credentials.
  const collector = new URL(config.OTEL_EXPORTER_OTLP_ENDPOINT).origin;
  logger?.info({ collector }, 'tracing on: spans exported over OTLP/HTTP');
  active = {
    plugin,
    async shutdown() {
      undici.disable();
      fastify.disable();
      await provider.shutdown();
      active = undefined;
    },
  };
  return active;
}
