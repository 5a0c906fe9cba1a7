/**
 * A TCP relay in front of the test server that a test can cut and restore: while blocked the
 * port refuses connections and every open one is dropped, as when a server or its network goes
 * away; unblocked, it listens on the same port again.
 */
import net from 'node:net';

export interface BlockablePort {
  /** `http://127.0.0.1:<port>` of the relay. */
  readonly url: string;
  block(): Promise<void>;
  unblock(): Promise<void>;
}

export async function blockablePort(target: string): Promise<BlockablePort> {
  const { hostname, port: targetPort } = new URL(target);
  const sockets = new Set<net.Socket>();
  let server: net.Server | null = null;
  let port = 0;

  async function unblock(): Promise<void> {
    if (server) return;
    const s = net.createServer((client) => {
      const upstream = net.connect(Number(targetPort), hostname);
      const drop = () => {
        client.destroy();
        upstream.destroy();
        sockets.delete(client);
        sockets.delete(upstream);
      };
      for (const socket of [client, upstream]) {
        sockets.add(socket);
        socket.on('error', drop).on('close', drop);
      }
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve) => s.listen(port, '127.0.0.1', resolve));
    port = (s.address() as net.AddressInfo).port;
    server = s;
  }

  async function block(): Promise<void> {
    const s = server;
    if (!s) return;
    server = null;
    const closed = new Promise<void>((resolve) => s.close(() => resolve()));
    for (const socket of sockets) socket.destroy();
    sockets.clear();
    await closed;
  }

  await unblock();
  return { get url() { return `http://127.0.0.1:${port}`; }, block, unblock };
}
