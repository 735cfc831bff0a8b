import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '@marketplace/testing';
import { startServer, type Server } from './processes.ts';

export const NGINX = process.env.BENCH_NGINX ?? '/usr/sbin/nginx';

/**
 * The ceiling of section 1: nginx as a plain reverse proxy to `upstream` with pooled keep-alive
 * connections, one worker, no access log; a child process in the foreground, its config and
 * temp files in a directory of its own (removed on stop).
 */
export async function startNginx(
  upstream: string,
  cpu: string | undefined,
): Promise<Server & { url: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'bench-nginx-'));
  // Run as root, nginx's worker becomes nobody: it must reach its temp directories here.
  await chmod(dir, 0o755);
  const port = await freePort();
  const { hostname, port: upstreamPort } = new URL(upstream);
  const config = `
worker_processes 1;
daemon off;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path ${dir}/body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  upstream product_service {
    server ${hostname}:${upstreamPort};
    keepalive 64;
  }
  server {
    listen 127.0.0.1:${port};
    location / {
      proxy_pass http://product_service;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
    }
  }
}
`;
  await writeFile(join(dir, 'nginx.conf'), config);
  const url = `http://127.0.0.1:${port}`;
  try {
    const server = await startServer(
      'nginx',
      NGINX,
      ['-p', dir, '-e', join(dir, 'error.log'), '-c', join(dir, 'nginx.conf')],
      { cpu, readyUrl: `${url}/health` },
    );
    return {
      ...server,
      url,
      async stop() {
        await server.stop();
        await rm(dir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
}
