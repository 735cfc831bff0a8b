import { randomUUID } from 'node:crypto';
import Fastify, {
  type FastifyBaseLogger,
  type FastifyInstance,
  type RawReplyDefaultExpression,
  type RawRequestDefaultExpression,
  type RawServerDefault,
} from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { AppError } from './errors.ts';
import { LOOPBACK_PROXIES, parseAddressList } from './client-address.ts';
import { OneLinePerRequest, lazyChildLogger, logDestination, loggerOptions } from './logger.ts';
import { docsPlugin } from './plugins/docs.ts';
import { clientErrorHandler, errorsPlugin, frameworkErrors } from './plugins/errors.ts';
import { healthPlugin, type ReadinessCheck } from './plugins/health.ts';
import { metricsPlugin } from './plugins/metrics.ts';
import { activeTracing } from './tracing.ts';
import { ajvOptions, buildValidator } from './validation.ts';

export type { ReadinessCheck };

export type ServiceApp = FastifyInstance<
  RawServerDefault,
  RawRequestDefaultExpression,
  RawReplyDefaultExpression,
  FastifyBaseLogger,
  TypeBoxTypeProvider
>;

export interface ServiceAppOptions {
  /** Service name: the log `service` field, the metrics label, the OpenAPI title. */
  name: string;
  version?: string;
  description?: string;
  /** The service's configuration: its `LOG_LEVEL` and `TRUSTED_PROXIES` (see serverConfig). */
  config?: Partial<ServerSettings>;
  /** Pass `false` in tests that want silence; defaults to JSON logs on stdout. */
  logger?: boolean;
  /** Where the JSON log lines go instead of stdout (a test reading them). */
  logStream?: { write(line: string): void };
  bodyLimit?: number;
  /** What `/ready` checks, by name (the database, the broker); `/health` only says it lives. */
  readiness?: Record<string, ReadinessCheck>;
  /** Errors meaning a dependency is unreachable: 503 with Retry-After, not 500 (the db lib's). */
  unavailable?: (error: unknown) => boolean;
}

/** What every service's config has from `serverConfig` and the kit's app reads. */
export interface ServerSettings {
  LOG_LEVEL: string;
  /**
   * The proxies (addresses or CIDRs, comma-separated) whose X-Forwarded-* is believed, so
   * `request.ip` is the client they name; the socket's address otherwise. Default loopback.
   */
  TRUSTED_PROXIES: string;
  /** The share of successful requests whose line is logged (see OneLinePerRequest); default 1. */
  REQUEST_LOG_SAMPLE?: number;
}

const REQUEST_ID = /^[\w.:-]{1,128}$/;
/**
 * How many Host header lines the request has. Node keeps the first and drops the rest, so a
 * proxy in front that read another one would route by a host this service never saw: RFC 9112
 * (3.2) has a server refuse such a request with 400.
 */
function hostCount(rawHeaders: string[]): number {
  let count = 0;
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const name = rawHeaders[i]!;
    if (name.length === 4 && name.toLowerCase() === 'host') count++;
  }
  return count;
}

function twoHosts(): AppError {
  return AppError.badRequest('malformed-request', 'The request names more than one host.', {
    errors: [{ field: 'headers.host', message: 'must be given once' }],
  });
}

/**
 * A Fastify instance with everything every service shares (the kit's errors, docs, health and
 * metrics plugins); routes are registered by the caller.
 */
export async function createServiceApp(options: ServiceAppOptions): Promise<ServiceApp> {
  const proxies = parseAddressList(options.config?.TRUSTED_PROXIES ?? LOOPBACK_PROXIES);
  const app = Fastify({
    logger:
      options.logger === false
        ? false
        : {
            ...loggerOptions(options.name, options.config?.LOG_LEVEL),
            stream: options.logStream ?? logDestination(),
          },
    bodyLimit: options.bodyLimit ?? 1024 * 1024,
    // None trusted: `false`, so request.ip is the socket's without parsing X-Forwarded-For at all.
    trustProxy: proxies.length > 0 ? proxies : false,
    logController: new OneLinePerRequest({
      requestIdLogLabel: 'requestId',
      sample: options.config?.REQUEST_LOG_SAMPLE ?? 1,
    }),
    childLoggerFactory: lazyChildLogger,
    genReqId: (req) => {
      const header = req.headers['x-request-id'];
      return typeof header === 'string' && REQUEST_ID.test(header) ? header : randomUUID();
    },
    frameworkErrors,
    clientErrorHandler,
    schemaController: { compilersFactory: { buildValidator } },
    ajv: ajvOptions,
  }).withTypeProvider<TypeBoxTypeProvider>();
  // JSON only: a text/plain body is what a cross-site form can send without a preflight, and
  // no route reads one; it is refused with 415 like any other type.
  app.removeContentTypeParser('text/plain');

  // Both first: tracing wraps, and metrics times, every route registered after them.
  const tracing = activeTracing();
  if (tracing) await app.register(tracing.plugin);
  await app.register(metricsPlugin, { service: options.name });
  // A callback hook: an async one costs a promise per request, on every route.
  app.addHook('onRequest', (request, reply, done) => {
    reply.header('x-request-id', request.id);
    done();
  });
  // After every onRequest hook (a service's own, such as the gateway's security headers, are
  // added later), so the refusal carries what every other answer does; before any body is read.
  app.addHook('preParsing', (request, _reply, payload, done) => {
    done(hostCount(request.raw.rawHeaders) > 1 ? twoHosts() : null, payload);
  });
  await app.register(
    errorsPlugin,
    options.unavailable === undefined ? {} : { unavailable: options.unavailable },
  );
  await app.register(docsPlugin, {
    title: options.name,
    ...(options.version === undefined ? {} : { version: options.version }),
    ...(options.description === undefined ? {} : { description: options.description }),
  });
  await app.register(healthPlugin, { readiness: options.readiness ?? {} });
  return app;
}
