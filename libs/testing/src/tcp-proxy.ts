import { createServer, connect, type Server, type Socket } from 'node:net';
import { Transform } from 'node:stream';
import { freePort } from './ports.ts';

/**
 * A TCP proxy a test can cut and restore, standing between one client and a shared server
 * (RabbitMQ, MariaDB): an outage for that client alone, without stopping the server that every
 * other suite running alongside uses.
 */
export class TcpProxy {
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  private latencyMs = 0;
  /** Connections accepted since the proxy was made: how often a client tried to reach the server. */
  accepted = 0;

  constructor(
    readonly port: number,
    private target: { host: string; port: number },
  ) {}

  /**
   * An open proxy to the server of `url` (mysql://, amqp://...) on a free port, and the same URL
   * pointing at the proxy instead, to give the client under test.
   */
  static async inFrontOf(
    url: string,
    defaultPort: number,
  ): Promise<{ proxy: TcpProxy; url: string }> {
    const target = new URL(url);
    const proxy = new TcpProxy(await freePort(), {
      host: target.hostname,
      port: Number(target.port || defaultPort),
    });
    await proxy.open();
    const viaProxy = new URL(url);
    viaProxy.hostname = '127.0.0.1';
    viaProxy.port = String(proxy.port);
    return { proxy, url: viaProxy.toString() };
  }

  /**
   * Where new connections go from now on: a proxy opened before the server it fronts has its
   * port (its own port held from the start, so nothing else can take it meanwhile).
   */
  retarget(target: { host: string; port: number }): void {
    this.target = target;
  }

  /** Listens (again, after `cut()`); does nothing while already open. */
  async open(): Promise<void> {
    if (this.server) return;
    const server = createServer((client) => {
      this.accepted++;
      const upstream = connect(this.target.port, this.target.host);
      for (const socket of [client, upstream]) {
        this.sockets.add(socket);
        socket.on('close', () => this.sockets.delete(socket));
        socket.on('error', () => socket.destroy());
      }
      client.pipe(this.delayed()).pipe(upstream).pipe(this.delayed()).pipe(client);
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.server = server;
  }

  /**
   * Stops passing bytes either way without closing anything, as a stalled network does: what a
   * client sends waits (it sees no reply and no error) until `resume()`.
   */
  pause(): void {
    for (const socket of this.sockets) socket.pause();
  }

  resume(): void {
    for (const socket of this.sockets) socket.resume();
  }

  /**
   * Holds every chunk, each way, for `ms` before passing it on (0: at once), on open and new
   * connections alike: a slow network or a slow server, as the client sees it.
   */
  setLatency(ms: number): void {
    this.latencyMs = ms;
  }

  /** One direction of one connection: chunks in order, each after the latency of its arrival. */
  private delayed(): Transform {
    return new Transform({
      transform: (chunk: Buffer, _encoding, done) => {
        if (this.latencyMs === 0) done(null, chunk);
        else setTimeout(() => done(null, chunk), this.latencyMs);
      },
    });
  }

  /** Drops every connection and refuses new ones until `open()` again. */
  async cut(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
