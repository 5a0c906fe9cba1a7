/**
 * The floor: the least any HTTP server on this machine can do per request — read the request,
 * answer a fixed JSON body — run with the same load generator and connections as notify24.
 * Every notify24 row is reported as a ratio to this, so figures travel between machines.
 * `--cert <pem> --key <pem>` also listens over HTTPS (node:https, the same handler): the floor of
 * the HTTPS rows. The plain listener stays, as notify24's does, for the readiness probe.
 */
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';

const BODY = JSON.stringify({
  result: true,
  time: { start: 1764000000.0001, finish: 1764000000.0002, duration: 0.0001, processing: 0, date_start: '2026-11-24T11:53:36+00:00', date_finish: '2026-11-24T11:53:36+00:00', operating_reset_at: 1764000600, operating: 0 },
});
const HEADERS = { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(BODY) };

function answer(req: IncomingMessage, res: ServerResponse): void {
  // Drain the request body as notify24 must, so both sides do the same socket work.
  req.resume();
  req.on('end', () => {
    res.writeHead(200, HEADERS);
    res.end(BODY);
  });
}

const { values } = parseArgs({ options: { cert: { type: 'string' }, key: { type: 'string' } } });
const servers: Server[] = [createServer({ keepAliveTimeout: 65_000 }, answer)];
if (values.cert && values.key) {
  servers.push(createHttpsServer({ keepAliveTimeout: 65_000, cert: readFileSync(values.cert), key: readFileSync(values.key) }, answer));
}

const listening = servers.map((s) => new Promise<number>((resolve) => s.listen(0, '127.0.0.1', () => resolve((s.address() as AddressInfo).port))));
const [httpPort, httpsPort] = await Promise.all(listening);
console.log(`floor listening on http://127.0.0.1:${httpPort}${httpsPort ? ` and https://127.0.0.1:${httpsPort}` : ''}`);
process.once('SIGTERM', () => {
  let open = servers.length;
  for (const s of servers) {
    s.close(() => --open === 0 && process.exit(0));
    s.closeAllConnections();
  }
});
