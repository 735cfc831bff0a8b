import {
  LogController,
  type FastifyBaseLogger,
  type FastifyReply,
  type FastifyRequest,
} from 'fastify';
import {
  pino,
  type Bindings,
  type ChildLoggerOptions,
  type DestinationStream,
  type LogFn,
} from 'pino';

// Browsers' EventSource cannot set headers, so SSE tokens may travel in the query string.
const SECRET_QUERY = /([?&](?:access_token|token)=)[^&#]*/gi;

function redactedUrl(url: string): string {
  return url.includes('token=') ? url.replace(SECRET_QUERY, '$1[redacted]') : url;
}

/** Fastify's request log fields, with secrets in the query string redacted. */
function serializeRequest(request: FastifyRequest): Record<string, unknown> {
  return {
    method: request.method,
    url: redactedUrl(request.url),
    host: request.host,
    remoteAddress: request.ip,
    remotePort: request.socket?.remotePort,
  };
}

/** The pino options of every service: JSON with a `service` field, secrets redacted. */
export function loggerOptions(service: string, level = 'info') {
  return {
    level,
    base: { service },
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
  };
}

/** Routes every orchestrator calls every few seconds: logged only when they fail. */
const PROBES = new Set(['/health', '/ready', '/metrics']);
/** A request slower than this is always logged, sampled or not. */
const SLOW_MS = 1_000;

/**
 * A number in [0, 1) from a request id, the same at every hop the id travels: FNV-1a over its
 * characters. Sampling by it keeps a request's lines together across the services.
 */
export function sampleKey(id: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) {
    hash ^= id.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) / 0x1_0000_0000;
}

export interface RequestLogOptions {
  /** REQUEST_LOG_SAMPLE: the share of successful requests logged (1: every one). */
  sample: number;
  requestIdLogLabel: string;
}

/**
 * At most one log line per request, when it completes (method, URL, status, time in ms, client
 * address, request id), of flat fields; Fastify's own "incoming request" line is dropped. Every
 * failure (status 400 and up, or an error) and every slow request is logged; of the others a
 * sample (REQUEST_LOG_SAMPLE), and of the probes none. Per request and per hop, logging was the
 * largest part of the fixed cost: two lines, each through the req/res serializers and the
 * redaction of nested paths, and a write each.
 */
export class OneLinePerRequest extends LogController {
  private readonly sample: number;

  constructor(options: RequestLogOptions) {
    super({ requestIdLogLabel: options.requestIdLogLabel });
    this.sample = options.sample;
  }

  override incomingRequest(): void {}

  override requestCompleted(
    error: Error | null | undefined,
    request: FastifyRequest,
    reply: FastifyReply,
  ): void {
    if (this.isLogDisabled(request)) return;
    const status = reply.statusCode;
    const ms = reply.elapsedTime;
    if (!error && status < 400 && ms < SLOW_MS && !this.sampled(request)) return;
    // Through the service's logger, with the id as a field: the request's own (child) logger is
    // made only when something else logs for the request (lazyChildLogger).
    const log = request.server.log;
    const fields = {
      [this.requestIdLogLabel]: request.id,
      method: request.method,
      url: redactedUrl(request.url),
      status,
      ms: Math.round(ms * 10) / 10,
      client: request.ip,
    };
    if (error) log.error({ ...fields, err: error }, 'request errored');
    else log.info(fields, 'request completed');
  }

  private sampled(request: FastifyRequest): boolean {
    if (PROBES.has(request.routeOptions.url ?? '')) return false;
    return this.sample >= 1 || (this.sample > 0 && sampleKey(request.id) < this.sample);
  }
}

type Level = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

/**
 * A request's logger (`request.log`), made only when something logs through it. Most requests
 * never do: their one line goes through the service's logger. A pino child per request (its
 * bindings serialised up front) was about 8 % of a trivial route's time.
 */
class LazyChildLogger implements FastifyBaseLogger {
  private made: FastifyBaseLogger | undefined;

  constructor(
    private readonly parent: FastifyBaseLogger,
    private readonly bindings: Bindings,
    private readonly options: ChildLoggerOptions,
  ) {}

  private get real(): FastifyBaseLogger {
    return (this.made ??= this.parent.child(this.bindings, this.options));
  }

  get level(): string {
    return this.made?.level ?? this.parent.level;
  }

  set level(level: string) {
    this.real.level = level;
  }

  private forward(level: Level): LogFn {
    return (...args: Parameters<LogFn>) => this.real[level](...args);
  }

  readonly fatal = this.forward('fatal');
  readonly error = this.forward('error');
  readonly warn = this.forward('warn');
  readonly info = this.forward('info');
  readonly debug = this.forward('debug');
  readonly trace = this.forward('trace');
  readonly silent = this.forward('silent');

  child(bindings: Bindings, options?: ChildLoggerOptions): FastifyBaseLogger {
    return this.real.child(bindings, options);
  }
}

/** Fastify's `childLoggerFactory`: request loggers made on first use. */
export function lazyChildLogger(
  parent: FastifyBaseLogger,
  bindings: Bindings,
  options: ChildLoggerOptions,
): FastifyBaseLogger {
  return new LazyChildLogger(parent, bindings, options);
}

/**
 * Standard output, written asynchronously: under load, lines waiting behind a write go out
 * together in the next one, instead of a write (a system call) per line on the event loop. pino
 * flushes what is left when the process exits.
 */
export function logDestination(): DestinationStream {
  return pino.destination({ dest: 1, sync: false });
}
