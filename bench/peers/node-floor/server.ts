/**
 * The Node floor of section 1: the least a Node proxy can do per request, a bare `node:http`
 * server handing each GET to product-service over an undici keep-alive pool and writing the
 * answer straight back (no framework, no token check, no logs, no metrics). It is not a gateway
 * anyone should run; it shows how much of our gateway's cost is Node's own, beside nginx.
 * PORT, HOST and PRODUCT_SERVICE_URL from the environment.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { Pool, type Dispatcher } from 'undici';

const upstream = new Pool(process.env.PRODUCT_SERVICE_URL ?? 'http://127.0.0.1:3002', {
  connections: 64,
  pipelining: 1,
});

/** Writes undici's answer to the client as it comes: status and headers, then each chunk. */
class PassThrough implements Dispatcher.DispatchHandler {
  constructor(private readonly response: ServerResponse) {}

  onRequestStart(): void {}

  onResponseStart(
    _controller: Dispatcher.DispatchController,
    statusCode: number,
    headers: Record<string, string | string[] | undefined>,
  ): void {
    delete headers.connection;
    delete headers['keep-alive'];
    this.response.writeHead(statusCode, headers);
  }

  onResponseData(_controller: Dispatcher.DispatchController, chunk: Buffer): void {
    this.response.write(chunk);
  }

  onResponseEnd(): void {
    this.response.end();
  }

  onResponseError(_controller: Dispatcher.DispatchController, error: Error): void {
    if (this.response.headersSent) this.response.destroy(error);
    else {
      this.response.writeHead(502, { 'content-type': 'text/plain' });
      this.response.end('bad gateway');
    }
  }
}

const server = createServer((request: IncomingMessage, response: ServerResponse) => {
  if (request.url === '/health') {
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end('{"status":"ok"}');
    return;
  }
  upstream.dispatch(
    {
      method: 'GET',
      path: request.url ?? '/',
      headers: { accept: request.headers.accept ?? '*/*' },
    },
    new PassThrough(response),
  );
});
server.keepAliveTimeout = 65_000;
server.listen(Number(process.env.PORT ?? 0), process.env.HOST ?? '127.0.0.1');
process.once('SIGTERM', () => {
  server.close();
  server.closeAllConnections();
  void upstream.close();
});
