import { stat } from 'node:fs/promises';
import { join, relative, resolve, sep } from 'node:path';
import type { FastifyInstance, FastifyReply } from 'fastify';
import fastifyStatic from '@fastify/static';
import { pathOf } from '../proxy/route-table.ts';
import { GatewayErrors } from '../errors.ts';

const NOT_BUILT_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Marketplace</title></head>
<body><h1>The frontend is not built yet</h1>
<p>Run <code>npm run build:frontend</code>, then reload this page. The API under
<code>/api</code> works meanwhile.</p></body></html>
`;

/** Paths the SPA must never answer, so a typo there is a clear 404 and not the app's HTML. */
const RESERVED = /^\/(api|internal)(\/|$)/;
/** A last segment with an extension names a file; a missing one is a 404, not the app. */
const FILE_LIKE = /\/[^/]*\.[A-Za-z0-9]+$/;

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

/** The file under `root` a URL path names, as a path relative to `root`, or null. */
async function fileFor(root: string, urlPath: string): Promise<string | null> {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return null;
  }
  if (decoded.includes('\0')) return null;
  const full = resolve(root, `.${decoded}`);
  if (!full.startsWith(root + sep)) return null;
  return (await isFile(full)) ? relative(root, full) : null;
}

function sendIndex(reply: FastifyReply): FastifyReply {
  // The shell must be revalidated, so a new build's asset names are picked up.
  return reply.header('cache-control', 'no-cache').sendFile('index.html', { cacheControl: false });
}

/**
 * The built SPA at `/`: its files as they are, and index.html for any other GET outside /api
 * (client-side routes). Without a build, a plain page says how to make one.
 *
 * The build writes `.br` and `.gz` beside each text file (frontend/vite.config.ts), and
 * `preCompressed` sends the one the request's Accept-Encoding prefers (brotli, then gzip, then the
 * file itself), with `Vary: Accept-Encoding` on every file answer so a shared cache keeps them
 * apart. Compressing on each request would cost the gateway CPU for bytes that never change.
 */
export async function registerFrontendRoutes(app: FastifyInstance, distDir: string): Promise<void> {
  const root = resolve(distDir);
  await app.register(fastifyStatic, { root, serve: false, preCompressed: true });

  app.get('/*', { schema: { hide: true } }, async (request, reply) => {
    const path = pathOf(request.url);
    if (RESERVED.test(path)) throw GatewayErrors.routeNotFound(request.method, path);
    if (!(await isFile(join(root, 'index.html')))) {
      return reply.code(503).type('text/html; charset=utf-8').send(NOT_BUILT_PAGE);
    }
    const file = await fileFor(root, path);
    if (file === 'index.html') return sendIndex(reply);
    if (file) {
      // Vite puts content-hashed names under assets/: they never change.
      const hashed = file.startsWith(`assets${sep}`);
      return reply.sendFile(file, hashed ? { maxAge: '1y', immutable: true } : {});
    }
    if (FILE_LIKE.test(path)) throw GatewayErrors.fileNotFound(path);
    return sendIndex(reply);
  });
}
