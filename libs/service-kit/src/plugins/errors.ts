import type {
  FastifyError,
  FastifyInstance,
  FastifyPluginAsync,
  FastifyReply,
  FastifyRequest,
} from 'fastify';
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import fp from 'fastify-plugin';
import { ProblemSchema } from '@marketplace/contracts';
import { AppError, toProblem, type FieldError } from '../errors.ts';
import { checkKnownOptions } from './options.ts';

export interface ErrorsOptions {
  /**
   * True for an error that says a dependency (the database) cannot be reached right now: the
   * request is then answered 503 `dependency-unavailable` with Retry-After, which a client may
   * retry, instead of the 500 of a bug.
   */
  unavailable?: (error: unknown) => boolean;
}

/** How long a client is told to wait before retrying a request a dependency failed. */
const UNAVAILABLE_RETRY_AFTER_SECONDS = 5;

const PLUGIN = 'service-kit-errors';

/** Ajv names the property a propertyNames error is about; Fastify's type leaves it out. */
function propertyNameOf(error: object): string | null {
  return 'propertyName' in error && typeof error.propertyName === 'string'
    ? error.propertyName
    : null;
}

function validationErrors(error: FastifyError): FieldError[] {
  const all = error.validation ?? [];
  // A bad property name (propertyNames) comes twice: the name's own error, then a summary.
  const named = all.some((v) => propertyNameOf(v) !== null);
  return all
    .filter((v) => !(named && v.keyword === 'propertyNames'))
    .map((v) => {
      const params = v.params;
      const missing = typeof params.missingProperty === 'string' ? params.missingProperty : null;
      const property = missing ?? propertyNameOf(v);
      const path = v.instancePath
        .split('/')
        .filter(Boolean)
        .concat(property ? [property] : [])
        .join('.');
      const where = error.validationContext === 'body' ? '' : `${error.validationContext ?? ''}.`;
      return {
        field: `${where}${path}`.replace(/\.$/, '') || String(error.validationContext),
        message: property && !missing ? 'is not an accepted name' : (v.message ?? 'is invalid'),
      };
    });
}

/**
 * Fastify's own refusals under the codes of the kit's catalogue; one it does not list keeps its
 * Fastify name in kebab case (FST_ERR_FOO_BAR -> foo-bar).
 */
const FASTIFY_CODES: Readonly<Record<string, string>> = {
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'unsupported-media-type',
  FST_ERR_CTP_BODY_TOO_LARGE: 'payload-too-large',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'empty-body',
  FST_ERR_CTP_INVALID_JSON_BODY: 'invalid-json',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'invalid-content-length',
  FST_ERR_BAD_URL: 'invalid-url',
  FST_ERR_MAX_PARAM_LENGTH: 'uri-too-long',
};

function fastifyCode(error: FastifyError): string {
  const code = error.code ?? '';
  if (FASTIFY_CODES[code]) return FASTIFY_CODES[code];
  if (error instanceof SyntaxError) return 'invalid-json';
  return code
    ? code
        .replace(/^FST_ERR_/, '')
        .toLowerCase()
        .replace(/_/g, '-')
    : 'bad-request';
}

/**
 * Fastify's `frameworkErrors`: the router's own refusals (a path that does not percent-decode, a
 * path parameter over its length) skip every hook and the error handler, and would otherwise be
 * answered as Fastify's plain JSON; here they are problems like any other.
 */
export function frameworkErrors(
  error: FastifyError,
  request: FastifyRequest,
  reply: FastifyReply,
): void {
  const status = error.statusCode ?? 500;
  const client = status >= 400 && status < 500;
  if (!client) request.log.error({ err: error }, 'router error');
  void reply
    .code(status)
    .header('x-request-id', request.id)
    .type('application/problem+json')
    .send(
      toProblem(
        status,
        client ? fastifyCode(error) : 'internal',
        client ? 'The request path cannot be routed.' : 'Something went wrong on our side.',
        request.id,
      ),
    );
}

/**
 * Fastify's `clientErrorHandler`: a request Node cannot parse (headers too large, conflicting
 * lengths, a request that never finishes arriving) is answered on the socket before any route
 * or hook, as a problem like every other refusal instead of Fastify's plain JSON.
 */
export function clientErrorHandler(error: NodeJS.ErrnoException, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const [status, code, detail] =
    error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
      ? [408, 'request-timeout', 'The request did not arrive in time.']
      : error.code === 'HPE_HEADER_OVERFLOW'
        ? [431, 'headers-too-large', 'The request headers are too large.']
        : [400, 'malformed-request', 'The request is not valid HTTP/1.1.'];
  if (socket.writable) {
    const body = JSON.stringify(toProblem(status, code, detail));
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\nContent-Type: application/problem+json\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy(error);
}

function installErrorHandler(
  app: FastifyInstance,
  unavailable?: (error: unknown) => boolean,
): void {
  app.setErrorHandler((error: FastifyError | AppError | Error, request, reply) => {
    const problem = (status: number, code: string, detail: string, errors?: FieldError[]) =>
      reply
        .code(status)
        .type('application/problem+json')
        .send(toProblem(status, code, detail, request.id, errors));
    if (error instanceof AppError) {
      if (error.headers) reply.headers(error.headers);
      return problem(error.status, error.code, error.message, error.errors);
    }
    const fastifyError = error as FastifyError;
    if (fastifyError.validation) {
      const part = fastifyError.validationContext ?? 'request';
      return problem(
        400,
        'validation-error',
        `The ${part} is invalid.`,
        validationErrors(fastifyError),
      );
    }
    const status = fastifyError.statusCode ?? 500;
    if (status >= 400 && status < 500) {
      return problem(status, fastifyCode(fastifyError), fastifyError.message);
    }
    if (unavailable?.(error)) {
      request.log.warn({ err: error }, 'a dependency is unavailable');
      reply.header('retry-after', String(UNAVAILABLE_RETRY_AFTER_SECONDS));
      return problem(
        503,
        'dependency-unavailable',
        'A service this request needs cannot be reached right now; try again shortly.',
      );
    }
    request.log.error({ err: error }, 'unhandled error');
    return problem(500, 'internal', 'Something went wrong on our side.');
  });
}

/**
 * The one error handler: AppErrors and validation failures become problem+json, anything else a
 * generic 500 with the request id (logged in full); unknown routes a 404 problem. Also registers
 * the Problem schema, which routes name as `{ $ref: 'Problem' }` for their error responses.
 */
const errors: FastifyPluginAsync<ErrorsOptions> = async (app, options) => {
  checkKnownOptions(PLUGIN, options, ['unavailable']);
  app.addSchema(ProblemSchema);
  installErrorHandler(app, options.unavailable);
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
};

export const errorsPlugin = fp(errors, { name: PLUGIN, fastify: '5.x' });
