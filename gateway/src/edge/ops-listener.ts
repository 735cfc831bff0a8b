import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { GatewayErrors } from '../errors.ts';
import { pathOf } from '../proxy/route-table.ts';

/** Refused on the public port: they tell an attacker what runs and how it is doing. */
const OPS_ONLY = new Set(['/metrics', '/ready']);
/** `/health` stays on the public port too: load balancers check liveness there. */
const OPS_PATHS = new Set([...OPS_ONLY, '/health']);

export interface OpsOptions {
  host: string;
  /** 0 picks a free port (tests). */
  port: number;
}

export interface OpsListener {
  /** Starts listening; resolves to the listener's base URL. */
  listen(): Promise<string>;
}

/**
 * A second, internal listener for the kit's `/metrics`, `/ready` and `/health`, answered by the
 * same app (same registry, same checks); the public port answers those two with a 404. Closed
 * with the app.
 */
export function registerOpsListener(app: FastifyInstance, options: OpsOptions): OpsListener {
  const fromOps = new WeakSet<IncomingMessage>();
  const server = createServer((req, res) => {
    const path = pathOf(req.url ?? '/');
    if ((req.method !== 'GET' && req.method !== 'HEAD') || !OPS_PATHS.has(path)) {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('Not found\n');
      return;
    }
    fromOps.add(req);
    app.routing(req, res);
  });
  // A callback hook: it runs on every route, and an async one costs a promise per request.
  app.addHook('onRequest', (request, _reply, done) => {
    if (OPS_ONLY.has(request.routeOptions.url ?? '') && !fromOps.has(request.raw)) {
      done(GatewayErrors.routeNotFound(request.method, pathOf(request.url)));
      return;
    }
    done();
  });
  app.addHook('onClose', async () => {
    if (!server.listening) return;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  });
  return {
    async listen() {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(options.port, options.host, () => {
          server.off('error', reject);
          resolve();
        });
      });
      const { port } = server.address() as AddressInfo;
      const host = options.host.includes(':') ? `[${options.host}]` : options.host;
      return `http://${host}:${port}`;
    },
  };
}
