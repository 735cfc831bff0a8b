import { randomUUID } from 'node:crypto';
import Fastify, {
  LogController,
  type FastifyBaseLogger,
  type FastifyInstance,
  type FastifyError,
  type FastifyRequest,
} from 'fastify';
import swagger from '@fastify/swagger';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type {
  RawReplyDefaultExpression,
  RawRequestDefaultExpression,
  RawServerDefault,
} from 'fastify';
import ajvFormats from 'ajv-formats';
import { AjvCompiler, type ValidatorFactory } from '@fastify/ajv-compiler';
import { ProblemSchema } from '@marketplace/contracts';
import { AppError, toProblem, type FieldError } from './errors.ts';
import { registerMetrics } from './metrics.ts';

export type ServiceApp = FastifyInstance<
  RawServerDefault,
  RawRequestDefaultExpression,
  RawReplyDefaultExpression,
  FastifyBaseLogger,
  TypeBoxTypeProvider
>;

export interface ReadinessCheck {
  name: string;
  check: () => Promise<unknown>;
}

export interface ServiceAppOptions {
  /** Service name: the log `service` field, the metrics label, the OpenAPI title. */
  name: string;
  version?: string;
  description?: string;
  logLevel?: string;
  /** Pass `false` in tests that want silence; defaults to JSON logs on stdout. */
  logger?: boolean;
  bodyLimit?: number;
  /** What `/ready` checks (the database, the broker); `/health` only says the process lives. */
  readiness?: ReadinessCheck[];
  /** Trust X-Forwarded-* from the gateway in front. */
  trustProxy?: boolean;
}

const REQUEST_ID = /^[\w.:-]{1,128}$/;

type RouteValidatorCompiler = (route: { httpPart?: string }) => unknown;
const ajvPool = AjvCompiler();

/**
 * Unknown properties are dropped from bodies, queries and params (never stored), but never from
 * headers: there it would strip `authorization` and every header a route did not list.
 * The package's types describe the compiler as schema => validator; at run time Fastify passes
 * the route definition, hence the casts.
 */
const buildValidator = ((...[externalSchemas, options]: Parameters<typeof ajvPool>) => {
  const stripping = ajvPool(externalSchemas, options) as unknown as RouteValidatorCompiler;
  const keeping = ajvPool(externalSchemas, {
    ...options,
    customOptions: { ...options?.customOptions, removeAdditional: false },
  } as typeof options) as unknown as RouteValidatorCompiler;
  const compile: RouteValidatorCompiler = (route) =>
    route.httpPart === 'headers' ? keeping(route) : stripping(route);
  return compile;
}) as ValidatorFactory;
// Browsers' EventSource cannot set headers, so SSE tokens may travel in the query string.
const SECRET_QUERY = /([?&](?:access_token|token)=)[^&#]*/gi;

/** Fastify's request log fields, with secrets in the query string redacted. */
function serializeRequest(request: FastifyRequest): Record<string, unknown> {
  return {
    method: request.method,
    url: request.url.replace(SECRET_QUERY, '$1[redacted]'),
    host: request.host,
    remoteAddress: request.ip,
    remotePort: request.socket?.remotePort,
  };
}

/** A Fastify instance with everything every service shares; routes are registered by the caller. */
export async function createServiceApp(options: ServiceAppOptions): Promise<ServiceApp> {
  const app = Fastify({
    logger:
      options.logger === false
        ? false
        : {
            level: options.logLevel ?? 'info',
            base: { service: options.name },
            redact: {
              paths: [
                'req.headers.authorization',
                'req.headers.cookie',
                'req.headers["x-internal-token"]',
                '*.password',
                '*.refreshToken',
                '*.accessToken',
              ],
              censor: '[redacted]',
            },
            serializers: { req: serializeRequest },
          },
    bodyLimit: options.bodyLimit ?? 1024 * 1024,
    trustProxy: options.trustProxy ?? true,
    logController: new LogController({ requestIdLogLabel: 'requestId' }),
    genReqId: (req) => {
      const header = req.headers['x-request-id'];
      return typeof header === 'string' && REQUEST_ID.test(header) ? header : randomUUID();
    },
    schemaController: { compilersFactory: { buildValidator } },
    ajv: {
      customOptions: {
        removeAdditional: 'all',
        coerceTypes: 'array',
        useDefaults: true,
        allErrors: true,
      },
      plugins: [ajvFormats.default ?? ajvFormats],
    },
  }).withTypeProvider<TypeBoxTypeProvider>();

  // Routes refer to it as { $ref: 'Problem' } for their error responses.
  app.addSchema(ProblemSchema);

  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });

  installErrorHandling(app);

  await app.register(swagger, {
    // Shared schemas appear in the document under their $id (Problem, Category), not def-N.
    refResolver: {
      buildLocalReference: (json, _baseUri, _fragment, i) =>
        typeof json.$id === 'string' ? json.$id : `def-${i}`,
    },
    openapi: {
      openapi: '3.1.0',
      info: {
        title: options.name,
        version: options.version ?? '0.1.0',
        description: options.description ?? '',
      },
      components: {
        securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
      },
    },
  });

  const hidden = { schema: { hide: true } };
  app.get('/openapi.json', hidden, async () => app.swagger());
  app.get('/health', hidden, async () => ({ status: 'ok' }));
  app.get('/ready', hidden, async (request, reply) => {
    const checks: Record<string, string> = {};
    let ready = true;
    for (const { name, check } of options.readiness ?? []) {
      try {
        await check();
        checks[name] = 'ok';
      } catch (error) {
        ready = false;
        checks[name] = 'unavailable';
        request.log.warn({ err: error, check: name }, 'readiness check failed');
      }
    }
    return reply.code(ready ? 200 : 503).send({ status: ready ? 'ready' : 'unavailable', checks });
  });
  registerMetrics(app, options.name);
  return app;
}

function validationErrors(error: FastifyError): FieldError[] {
  return (error.validation ?? []).map((v) => {
    const params = v.params;
    const missing = typeof params.missingProperty === 'string' ? params.missingProperty : null;
    const path = v.instancePath
      .split('/')
      .filter(Boolean)
      .concat(missing ? [missing] : [])
      .join('.');
    const where = error.validationContext === 'body' ? '' : `${error.validationContext ?? ''}.`;
    return {
      field: `${where}${path}`.replace(/\.$/, '') || String(error.validationContext),
      message: v.message ?? 'is invalid',
    };
  });
}

function installErrorHandling(app: ServiceApp): void {
  app.setErrorHandler((error: FastifyError | AppError | Error, request, reply) => {
    if (error instanceof AppError) {
      if (error.headers) reply.headers(error.headers);
      return reply
        .code(error.status)
        .type('application/problem+json')
        .send(toProblem(error.status, error.code, error.message, request.id, error.errors));
    }
    const fastifyError = error as FastifyError;
    if (fastifyError.validation) {
      const part = fastifyError.validationContext ?? 'request';
      return reply
        .code(400)
        .type('application/problem+json')
        .send(
          toProblem(
            400,
            'validation-error',
            `The ${part} is invalid.`,
            request.id,
            validationErrors(fastifyError),
          ),
        );
    }
    const status = fastifyError.statusCode ?? 500;
    if (status >= 400 && status < 500) {
      const code = (fastifyError.code ?? 'bad-request')
        .replace(/^FST_ERR_/, '')
        .toLowerCase()
        .replace(/_/g, '-');
      return reply
        .code(status)
        .type('application/problem+json')
        .send(toProblem(status, code, fastifyError.message, request.id));
    }
    request.log.error({ err: error }, 'unhandled error');
    return reply
      .code(500)
      .type('application/problem+json')
      .send(toProblem(500, 'internal', 'Something went wrong on our side.', request.id));
  });

  app.setNotFoundHandler((request, reply) =>
    reply
      .code(404)
      .type('application/problem+json')
      .send(
        toProblem(
          404,
          'not-found',
          `No route ${request.method} ${request.url.split('?')[0]}.`,
          request.id,
        ),
      ),
  );
}
