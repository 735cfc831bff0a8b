import { ServerResponse } from 'node:http';
import type { Dispatcher } from 'undici';
import { CLIENT_GONE } from './upstream-errors.ts';

/**
 * Where the headers of a forwarded request carry the answer to its client, for the interceptor
 * below. A symbol key: reply-from copies it with the headers (Object.assign), and undici never
 * sends it (it reads string keys only). It replaced an AsyncLocalStorage, which on Node 20 turns
 * on async hooks for every promise of the process: about half the gateway's cost per request.
 */
export const CLIENT_RESPONSE = Symbol('client response');

/** Marks upstream request headers as forwarding for `client`. */
export function forwardingFor(headers: object, client: ServerResponse): void {
  (headers as { [CLIENT_RESPONSE]?: ServerResponse })[CLIENT_RESPONSE] = client;
}

function clientOf(options: Dispatcher.DispatchOptions): ServerResponse | undefined {
  const headers = options.headers as { [CLIENT_RESPONSE]?: unknown } | null | undefined;
  const client = headers?.[CLIENT_RESPONSE];
  return client instanceof ServerResponse ? client : undefined;
}

function clientGone(): Error {
  return Object.assign(new Error('the client closed its connection'), { code: CLIENT_GONE });
}

/** Passes every event on, and aborts the upstream request when the client's response closes. */
class ClientBoundHandler implements Dispatcher.DispatchHandler {
  #controller: Dispatcher.DispatchController | undefined;
  #gone = false;
  readonly #client: ServerResponse;
  readonly #handler: Dispatcher.DispatchHandler;

  constructor(client: ServerResponse, handler: Dispatcher.DispatchHandler) {
    this.#client = client;
    this.#handler = handler;
    // The client may have gone before the request was dispatched at all.
    if (client.destroyed && !client.writableFinished) this.#gone = true;
    else client.once('close', this.#onClientClose);
  }

  #onClientClose = (): void => {
    if (this.#client.writableFinished) return;
    this.#gone = true;
    this.#controller?.abort(clientGone());
  };

  #release(): void {
    this.#client.off('close', this.#onClientClose);
  }

  onRequestStart(controller: Dispatcher.DispatchController, context: unknown): void {
    this.#controller = controller;
    this.#handler.onRequestStart?.(controller, context);
    // Aborted here, the request is never written to the upstream.
    if (this.#gone) controller.abort(clientGone());
  }

  onRequestUpgrade(
    ...args: Parameters<NonNullable<Dispatcher.DispatchHandler['onRequestUpgrade']>>
  ): void {
    this.#handler.onRequestUpgrade?.(...args);
  }

  onResponseStart(
    ...args: Parameters<NonNullable<Dispatcher.DispatchHandler['onResponseStart']>>
  ): void {
    this.#handler.onResponseStart?.(...args);
  }

  onResponseData(
    ...args: Parameters<NonNullable<Dispatcher.DispatchHandler['onResponseData']>>
  ): void {
    this.#handler.onResponseData?.(...args);
  }

  onResponseEnd(
    ...args: Parameters<NonNullable<Dispatcher.DispatchHandler['onResponseEnd']>>
  ): void {
    this.#release();
    this.#handler.onResponseEnd?.(...args);
  }

  onResponseError(
    ...args: Parameters<NonNullable<Dispatcher.DispatchHandler['onResponseError']>>
  ): void {
    this.#release();
    this.#handler.onResponseError?.(...args);
  }
}

/** An undici interceptor: requests marked by `forwardingFor` end when their client goes. */
export const abortWhenClientGoes: Dispatcher.DispatcherComposeInterceptor =
  (dispatch) => (options, handler) => {
    const client = clientOf(options);
    return client
      ? dispatch(options, new ClientBoundHandler(client, handler))
      : dispatch(options, handler);
  };
