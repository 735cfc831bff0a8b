import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { freePort } from '@marketplace/testing';
import { startServer, type Server } from './processes.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const RAW_SERVER = 'bench/edge/raw-server.ts';
const EXPRESS_PEER = 'bench/peers/express-gateway/server.ts';
const NODE_FLOOR = 'bench/peers/node-floor/server.ts';

/**
 * Bundles a TypeScript entry into `<its dir>/dist/<name>.mjs`, packages left as imports from
 * node_modules: run by plain `node` like the services' bundles, so no compiler sits in the
 * process (its memory would count) and the comparison stays even.
 */
async function bundle(entry: string): Promise<string> {
  const outfile = entry.replace(/([^/]+)\.ts$/, 'dist/$1.mjs');
  await build({
    entryPoints: [`${ROOT}${entry}`],
    outfile: `${ROOT}${outfile}`,
    bundle: true,
    packages: 'external',
    platform: 'node',
    format: 'esm',
    target: 'node20',
    logLevel: 'warning',
  });
  return `${ROOT}${outfile}`;
}

export type UrlServer = Server & { url: string };

export async function startRawServer(cpu: string | undefined): Promise<UrlServer> {
  const file = await bundle(RAW_SERVER);
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const server = await startServer('raw node:http', process.execPath, [file], {
    cpu,
    env: { PORT: String(port), HOST: '127.0.0.1' },
    readyUrl: `${url}/health`,
  });
  return { ...server, url };
}

export async function startExpressPeer(
  cpu: string | undefined,
  upstreams: { productService: string; jwks: string },
): Promise<UrlServer> {
  const file = await bundle(EXPRESS_PEER);
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const server = await startServer('express peer', process.execPath, [file], {
    cpu,
    env: {
      PORT: String(port),
      HOST: '127.0.0.1',
      PRODUCT_SERVICE_URL: upstreams.productService,
      JWKS_URL: upstreams.jwks,
      NODE_ENV: 'production',
    },
    readyUrl: `${url}/health`,
  });
  return { ...server, url };
}

/** The least a Node proxy does per request (bench/peers/node-floor): no token, no logs. */
export async function startNodeFloor(
  cpu: string | undefined,
  productService: string,
): Promise<UrlServer> {
  const file = await bundle(NODE_FLOOR);
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const server = await startServer('node floor', process.execPath, [file], {
    cpu,
    env: { PORT: String(port), HOST: '127.0.0.1', PRODUCT_SERVICE_URL: productService },
    readyUrl: `${url}/health`,
  });
  return { ...server, url };
}
