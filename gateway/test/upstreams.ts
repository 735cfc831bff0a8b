import Fastify, { type FastifyInstance } from 'fastify';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '@marketplace/testing';
import { buildApp } from '../src/app.ts';
import { loadConfig, type Config } from '../src/config.ts';
import type { AccessTokenVerifier } from '@marketplace/jwt';

export interface Echo {
  service: string;
  method: string;
  url: string;
  headers: Record<string, string>;
  body: string | null;
}

export interface Upstream {
  url: string;
  app: FastifyInstance;
  /** Live SSE connections on this upstream (the notification stand-in only). */
  openStreams: () => number;
}

/**
 * A stand-in for a service: answers every request with what it received, so a test sees what the
 * gateway forwarded. The notification one also streams Server-Sent Events.
 */
export async function startUpstream(service: string): Promise<Upstream> {
  const app = Fastify();
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string' }, (_request, body, done) => done(null, body));
  app.all('/*', async (request) => ({
    service,
    method: request.method,
    url: request.url,
    headers: request.headers,
    body: typeof request.body === 'string' ? request.body : null,
  }));
  app.get('/openapi.json', async () => ({
    openapi: '3.1.0',
    paths: {
      [`/api/${service}-things`]: {
        get: { responses: { 200: { $ref: '#/components/schemas/def-0' } } },
      },
      '/internal/secret': {},
    },
    components: { schemas: { 'def-0': { title: `${service} thing` } } },
  }));
  app.get('/.well-known/jwks.json', async () => ({ keys: [] }));
  app.get('/api/products/slow', () => new Promise(() => undefined));
  let open = 0;
  app.get('/api/notifications/stream', async (request, reply) => {
    reply.hijack();
    reply.raw.writeHead(200, {
      'content-type': 'text/event-stream',
      'x-seen-authorization': request.headers.authorization ?? '',
      'x-seen-url': request.url,
    });
    reply.raw.write(': connected\n\n');
    open++;
    let n = 0;
    const timer = setInterval(() => reply.raw.write(`data: {"n":${++n}}\n\n`), 50);
    reply.raw.once('close', () => {
      clearInterval(timer);
      open--;
    });
  });
  const url = await app.listen({ port: 0, host: '127.0.0.1' });
  return { url, app, openStreams: () => open };
}

export interface Upstreams {
  user: Upstream;
  product: Upstream;
  order: Upstream;
  notification: Upstream;
  close(): Promise<void>;
}

export async function startUpstreams(): Promise<Upstreams> {
  const [user, product, order, notification] = await Promise.all(
    ['user', 'product', 'order', 'notification'].map(startUpstream),
  );
  return {
    user: user!,
    product: product!,
    order: order!,
    notification: notification!,
    async close() {
      // Streams a test left open would hold close() up.
      for (const upstream of [user, product, order, notification]) {
        upstream!.app.server.closeAllConnections();
        await upstream!.app.close();
      }
    },
  };
}

/** The gateway in front of `upstreams`, with overrides; logs off. */
export async function startGateway(
  upstreams: Record<'user' | 'product' | 'order' | 'notification', { url: string }>,
  verifier: AccessTokenVerifier,
  env: Record<string, string> = {},
): Promise<Awaited<ReturnType<typeof buildApp>> & { config: Config }> {
  const config = loadConfig({
    USER_SERVICE_URL: upstreams.user.url,
    PRODUCT_SERVICE_URL: upstreams.product.url,
    ORDER_SERVICE_URL: upstreams.order.url,
    NOTIFICATION_SERVICE_URL: upstreams.notification.url,
    JWKS_URL: `${upstreams.user.url}/.well-known/jwks.json`,
    RATE_LIMIT_PER_MINUTE: '100000',
    AUTH_RATE_LIMIT_PER_MINUTE: '100000',
    REFRESH_RATE_LIMIT_PER_MINUTE: '100000',
    OPS_PORT: '0',
    ...env,
  });
  const { app, ops } = await buildApp(config, { verifier, logger: false });
  await app.ready();
  return { app, ops, config };
}

/** A URL on which nothing listens. */
export async function deadUrl(): Promise<string> {
  return `http://127.0.0.1:${await freePort()}`;
}

/** A stand-in for `frontend/dist`: the shell, one hashed asset and `extra` files; remove when done. */
export async function fakeSpaBuild(
  index: string,
  extra: Record<string, string> = {},
): Promise<{ dir: string; remove: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'gateway-dist-'));
  await mkdir(join(dir, 'assets'));
  await writeFile(join(dir, 'index.html'), index);
  await writeFile(join(dir, 'assets', 'app-3f2a1b.js'), 'console.log("app")');
  for (const [name, content] of Object.entries(extra)) await writeFile(join(dir, name), content);
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}
