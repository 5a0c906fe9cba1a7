/**
 * The floor: the least any HTTP server on this machine can do per request — read the request,
 * answer a fixed JSON body — run with the same load generator and connections as notify24.
 * Every notify24 row is reported as a ratio to this, so figures travel between machines.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

const BODY = JSON.stringify({
  result: true,
  time: { start: 1764000000.0001, finish: 1764000000.0002, duration: 0.0001, processing: 0, date_start: '2026-11-24T11:53:36+00:00', date_finish: '2026-11-24T11:53:36+00:00', operating_reset_at: 1764000600, operating: 0 },
});
const HEADERS = { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(BODY) };

const server = createServer({ keepAliveTimeout: 65_000 }, (req, res) => {
  // Drain the request body as notify24 must, so both sides do the same socket work.
  req.resume();
  req.on('end', () => {
    res.writeHead(200, HEADERS);
    res.end(BODY);
  });
});

server.listen(0, '127.0.0.1', () => {
  console.log(`floor listening on http://127.0.0.1:${(server.address() as AddressInfo).port}`);
});
process.once('SIGTERM', () => {
  server.close(() => process.exit(0));
  server.closeAllConnections();
});
