import type { IncomingHttpHeaders, ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Dispatcher } from 'undici';
import { isReadMethod } from './route-table.ts';
import { CLIENT_GONE, isClientGone, isConnectionLost } from './upstream-errors.ts';

/** What came back from the service: its status and headers, and its body (none for a bodiless one). */
export interface UpstreamAnswer {
  statusCode: number;
  headers: IncomingHttpHeaders;
  /** Whole (small answers of known length), as it streams, or none (HEAD, 204, 304). */
  body: Buffer | Readable | undefined;
}

/** Where an exchange reports to: its route's callbacks, made once and shared by its requests. */
export interface ExchangeEvents {
  /** The answer's status and headers arrived (before its body): the circuit hears of it. */
  onHeaders(statusCode: number, headers: IncomingHttpHeaders): void;
  /** The answer, to send to the client. */
  onAnswer(request: FastifyRequest, reply: FastifyReply, answer: UpstreamAnswer): void;
  /** No answer came: the error says why (CLIENT_GONE when the client left first). */
  onFailure(request: FastifyRequest, reply: FastifyReply, error: Error): void;
  /** An answer to be read whole broke off before its end; nothing was sent yet. */
  onBrokenAnswer(request: FastifyRequest, reply: FastifyReply, error: Error): void;
  /** A read is sent once more after its connection broke before any answer. */
  onRetry(): void;
}

/**
 * Up to this length (from Content-Length) an answer is read whole and sent with one write: cheaper
 * than a stream per request, a body that breaks off can still be told as a 502, and one to
 * compress is compressed in one call (about 0.3 ms of brotli at the most: a fraction of a
 * compressing stream, with no thread-pool round trip per chunk). Larger answers, or of unknown
 * length, stream (and are compressed as they stream).
 */
export const WHOLE_MAX_BYTES = 64 * 1024;
const EMPTY = Buffer.alloc(0);

function clientGone(): Error {
  return Object.assign(new Error('the client closed its connection'), { code: CLIENT_GONE });
}

function isBodiless(method: string, statusCode: number): boolean {
  return method === 'HEAD' || statusCode === 204 || statusCode === 304;
}

/** An answer's body as it streams: read by the client's response, paused when that is full. */
class StreamedBody extends Readable {
  readonly #controller: Dispatcher.DispatchController;
  #ended = false;

  constructor(controller: Dispatcher.DispatchController) {
    super();
    this.#controller = controller;
  }

  override _read(): void {
    this.#controller.resume();
  }

  end(): void {
    this.#ended = true;
    this.push(null);
  }

  // Whoever destroys it first (the client went, Fastify gave up), the upstream request ends too.
  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    if (!this.#ended && !this.#controller.aborted) this.#controller.abort(error ?? clientGone());
    callback(error);
  }
}

/**
 * One request forwarded over a pool, as an undici dispatch handler. It ends the upstream request
 * when the client's response closes first, sends a read once more when its connection broke
 * before any answer (a keep-alive socket the service had just closed), and reads small answers
 * whole. Nothing else is retried: a write could happen twice (checkout has its own
 * Idempotency-Key for that), and a refused or timed-out read would only be slower the second time.
 */
export class UpstreamExchange implements Dispatcher.DispatchHandler {
  readonly #pool: Dispatcher;
  readonly #options: Dispatcher.DispatchOptions;
  readonly #request: FastifyRequest;
  readonly #reply: FastifyReply;
  readonly #client: ServerResponse;
  readonly #events: ExchangeEvents;
  readonly #streamAlways: boolean;
  #controller: Dispatcher.DispatchController | undefined;
  #gone = false;
  #retried = false;
  #statusCode = 0;
  /** HEAD, 204 or 304: whatever arrives is not a body. */
  #bodiless = false;
  #headers: IncomingHttpHeaders | undefined;
  #chunks: Buffer[] | undefined;
  #stream: StreamedBody | undefined;

  constructor(
    pool: Dispatcher,
    options: Dispatcher.DispatchOptions,
    request: FastifyRequest,
    reply: FastifyReply,
    events: ExchangeEvents,
    streamAlways: boolean,
  ) {
    this.#pool = pool;
    this.#options = options;
    this.#request = request;
    this.#reply = reply;
    this.#client = reply.raw;
    this.#events = events;
    this.#streamAlways = streamAlways;
  }

  start(): void {
    // The client may have gone before the request was forwarded at all.
    if (this.#client.destroyed && !this.#client.writableFinished) this.#gone = true;
    else this.#client.once('close', this.#onClientClose);
    this.#pool.dispatch(this.#options, this);
  }

  #onClientClose = (): void => {
    if (this.#client.writableFinished) return;
    this.#gone = true;
    this.#controller?.abort(clientGone());
  };

  #release(): void {
    this.#client.off('close', this.#onClientClose);
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.#controller = controller;
    // Aborted here, the request is never written to the upstream.
    if (this.#gone) controller.abort(clientGone());
  }

  onResponseStart(
    controller: Dispatcher.DispatchController,
    statusCode: number,
    headers: IncomingHttpHeaders,
  ): void {
    // An informational answer (103 Early Hints): the final one follows.
    if (statusCode < 200) return;
    this.#statusCode = statusCode;
    this.#bodiless = isBodiless(this.#options.method, statusCode);
    this.#headers = headers;
    this.#events.onHeaders(statusCode, headers);
    const length = headers['content-length'];
    const whole =
      !this.#streamAlways &&
      (this.#bodiless || (length !== undefined && Number(length) <= WHOLE_MAX_BYTES));
    if (whole) {
      this.#chunks = [];
      return;
    }
    this.#stream = new StreamedBody(controller);
    this.#events.onAnswer(this.#request, this.#reply, { statusCode, headers, body: this.#stream });
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    if (this.#chunks !== undefined) this.#chunks.push(chunk);
    else if (this.#stream !== undefined && !this.#stream.push(chunk)) controller.pause();
  }

  onResponseEnd(): void {
    this.#release();
    const chunks = this.#chunks;
    if (chunks === undefined) {
      this.#stream?.end();
      return;
    }
    const body = this.#bodiless
      ? undefined
      : chunks.length === 1
        ? chunks[0]
        : chunks.length === 0
          ? EMPTY
          : Buffer.concat(chunks);
    const answer = { statusCode: this.#statusCode, headers: this.#headers ?? {}, body };
    this.#events.onAnswer(this.#request, this.#reply, answer);
  }

  onResponseError(_controller: Dispatcher.DispatchController, error: Error): void {
    if (this.#stream !== undefined) {
      this.#release();
      this.#stream.destroy(error);
      return;
    }
    if (this.#chunks !== undefined) {
      this.#release();
      this.#events.onBrokenAnswer(this.#request, this.#reply, error);
      return;
    }
    if (this.#shouldRetry(error)) {
      this.#retried = true;
      this.#controller = undefined;
      this.#events.onRetry();
      this.#pool.dispatch(this.#options, this);
      return;
    }
    this.#release();
    this.#events.onFailure(this.#request, this.#reply, error);
  }

  #shouldRetry(error: Error): boolean {
    return (
      isReadMethod(this.#options.method) &&
      !this.#retried &&
      !this.#gone &&
      !isClientGone(error) &&
      isConnectionLost(error)
    );
  }
}
