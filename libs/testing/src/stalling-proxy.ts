import { type AddressInfo, createServer, type Server, Socket } from 'node:net';

/**
 * A TCP proxy that can go silent: while stalled it keeps every connection open but passes no
 * byte either way, like a hung switch or a half-dead PLC, which no socket error reveals.
 */
export class StallingProxy {
  private stalled = false;
  private readonly sockets = new Set<Socket>();

  private readonly server: Server;
  port = 0;

  private constructor(targetPort: number, targetHost: string) {
    this.server = createServer((client) => this.pipe(client, targetHost, targetPort));
  }

  static async start(targetPort: number, targetHost = '127.0.0.1'): Promise<StallingProxy> {
    const proxy = new StallingProxy(targetPort, targetHost);
    await new Promise<void>((resolve) => proxy.server.listen(0, '127.0.0.1', resolve));
    proxy.port = (proxy.server.address() as AddressInfo).port;
    return proxy;
  }

  /** From now on, bytes are held back (connections stay open). */
  stall(): void {
    this.stalled = true;
  }

  /** Bytes flow again; what was held back during the stall is dropped, as a hung link would. */
  resume(): void {
    this.stalled = false;
  }

  async stop(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private pipe(client: Socket, host: string, port: number): void {
    const upstream = new Socket().connect(port, host);
    for (const [from, to] of [
      [client, upstream],
      [upstream, client],
    ] as const) {
      this.sockets.add(from);
      from.on('data', (chunk) => {
        if (!this.stalled) to.write(chunk);
      });
      from.on('close', () => {
        this.sockets.delete(from);
        to.destroy();
      });
      from.on('error', () => to.destroy());
    }
  }
}
