import { createServer } from 'node:net';

/**
 * Ports this process has handed out. The kernel may give a just-closed port to the next
 * `listen(0)`, so two ports asked for in a row (a service's and its ops port) could be the same
 * one, and the second server to start would fail with EADDRINUSE.
 */
const handedOut = new Set<number>();

function ephemeralPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** A TCP port free right now on 127.0.0.1 and not handed out before by this process. */
export async function freePort(): Promise<number> {
  for (;;) {
    const port = await ephemeralPort();
    if (!handedOut.has(port)) {
      handedOut.add(port);
      return port;
    }
  }
}
