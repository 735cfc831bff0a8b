import { AppError } from '@marketplace/service-kit';

/**
 * The catalogue of the gateway's own errors (the services' answers pass through unchanged); each
 * code is part of the API. The gateway has no domain, so the catalogue sits at the top of src/.
 */
export const GatewayErrors = {
  unauthorized: () =>
    AppError.unauthorized('unauthorized', 'Authentication is required.', {
      headers: { 'www-authenticate': 'Bearer' },
    }),
  routeNotFound: (method: string, path: string) =>
    AppError.notFound('not-found', `No route ${method} ${path}.`),
  fileNotFound: (path: string) => AppError.notFound('not-found', `No file ${path}.`),
  rateLimited: (after: string) =>
    AppError.tooManyRequests('rate-limited', `Too many requests; retry in ${after}.`),
  serviceUnavailable: (service: string) =>
    AppError.unavailable(
      'service-unavailable',
      `The ${service} service is unavailable right now; try again shortly.`,
      { headers: { 'retry-after': '5' } },
    ),
  /** The service's circuit is open: refused at once, without trying, until its cool-down ends. */
  circuitOpen: (service: string, retryAfterSeconds: number) =>
    AppError.unavailable(
      'service-unavailable',
      `The ${service} service is failing; requests to it are held off for ${retryAfterSeconds} s.`,
      { headers: { 'retry-after': String(retryAfterSeconds) } },
    ),
  upstreamTimeout: (service: string) =>
    new AppError(504, 'upstream-timeout', `The ${service} service did not answer in time.`),
  badGateway: (service: string) =>
    new AppError(502, 'bad-gateway', `The ${service} service failed to answer properly.`),
};
