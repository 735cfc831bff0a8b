import { AsyncLocalStorage } from 'node:async_hooks';
import type { ServerResponse } from 'node:http';
import type { Dispatcher } from 'undici';
import { CLIENT_GONE } from './upstream-errors.ts';

/** The answer to the client whose request is being forwarded (set around `reply.from`). */
const clientResponse = new AsyncLocalStorage<ServerResponse>();

/**
 * Runs `forward` so that the upstream request it makes is aborted if the client goes before its
 * answer is sent: a service then sees its socket close and can skip the work (a password hash).
 */
export function forwardingFor<A extends unknown[], T>(
  client: ServerResponse,
  forward: (...args: A) => T,
  ...args: A
): T {
  return clientResponse.run(client, forward, ...args);
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

/** An undici interceptor: requests made inside `forwardingFor` end when their client goes. */
export const abortWhenClientGoes: Dispatcher.DispatcherComposeInterceptor =
  (dispatch) => (options, handler) => {
    const client = clientResponse.getStore();
    return client
      ? dispatch(options, new ClientBoundHandler(client, handler))
      : dispatch(options, handler);
  };
