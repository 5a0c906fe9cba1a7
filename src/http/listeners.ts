import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import type { Config } from '../config.ts';
import { urlFor } from './addresses.ts';
import type { TlsMaterial } from './tls.ts';

/** What a listener hands its requests to (the dispatcher). */
export interface RequestSink {
  /**
   * Answers the request (the dispatcher returns a promise of its answer when it waits; listeners
   * do not wait for it). Never throws or rejects: a failure to answer is the request's alone.
   */
  request(req: IncomingMessage, res: ServerResponse, secure: boolean): void | Promise<void>;
  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void;
  /** Called once a turn's queued requests were started (admission): answers held may go out. */
  turnEnded?(): void;
}

export interface Listener {
  server: Server;
  /** `http(s)://host:port`, with a loopback address for a wildcard host. */
  url: string;
  /** Stops accepting connections and closes idle ones; resolves once every connection is gone. */
  close(): Promise<void>;
  /** Closes the connections left, busy or not (after the shutdown's grace period). */
  closeConnections(): void;
}

/** Opens one listener (HTTPS when `tls` is given) on `port` and resolves once it accepts connections. */
export function listen(config: Pick<Config, 'host' | 'maxHeaderSize'>, port: number, sink: RequestSink, tls: TlsMaterial | null): Promise<Listener> {
  const options = { maxHeaderSize: config.maxHeaderSize, keepAliveTimeout: 65_000 };
  const secure = tls !== null;
  const onRequest = (req: IncomingMessage, res: ServerResponse) => void sink.request(req, res, secure);
  const server = secure ? createHttpsServer({ ...options, cert: tls.cert, key: tls.key }, onRequest) : createHttpServer(options, onRequest);
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => sink.upgrade(req, socket, head));
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, config.host, () => {
      server.off('error', reject);
      resolve({
        server,
        url: urlFor(secure ? 'https' : 'http', config.host, (server.address() as AddressInfo).port),
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            server.closeIdleConnections();
          }),
        closeConnections: () => server.closeAllConnections(),
      });
    });
  });
}
