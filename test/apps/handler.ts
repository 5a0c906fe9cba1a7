/** A local event handler: an HTTP server that records the form posts it receives. */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import qs from 'qs';
import { Mailbox } from '../helpers/mailbox.ts';

export interface Received {
  path: string;
  contentType: string;
  /** The body decoded PHP-style (`auth[access_token]` → `auth.access_token`). */
  body: Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  raw: string;
}

export class EventHandler {
  private server: Server | null = null;
  private readonly inbox = new Mailbox<Received>();
  /** Status answered to every post. */
  status = 200;
  port = 0;

  /** Listens on `port` (0: a free one); the same port again after a stop. */
  async start(port = this.port): Promise<this> {
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        res.writeHead(this.status, { 'Content-Type': 'text/plain' });
        res.end('ok');
        this.inbox.put({ path: req.url ?? '/', contentType: req.headers['content-type'] ?? '', body: qs.parse(raw), raw });
      });
    });
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    this.port = (server.address() as AddressInfo).port;
    this.server = server;
    return this;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = null;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  url(path = '/handler/'): string {
    return `http://127.0.0.1:${this.port}${path}`;
  }

  /** The next post received. */
  next(): Promise<Received> {
    return this.inbox.next();
  }

  /** Skips posts until one of `event` arrives. */
  nextOf(event: string): Promise<Received> {
    return this.inbox.nextWhere((r) => r.body.event === event);
  }

  get pending(): number {
    return this.inbox.pending;
  }
}

/** A port nothing listens on (taken, then released). */
export async function freePort(): Promise<number> {
  const h = await new EventHandler().start(0);
  await h.stop();
  return h.port;
}
