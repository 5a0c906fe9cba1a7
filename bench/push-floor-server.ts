/**
 * The push floor: the least a Node server on this machine can do for a broadcast — hold N
 * WebSockets and, on each send, write one prebuilt frame to every one of them with one write(2)
 * each. It speaks just enough of notify24's protocol for the push rows' clients (a login that
 * sets a cookie, `/ws` answering `ready`, a REST send whose MESSAGE is carried in a `notifyAdd`
 * frame), so the same clients and timing measure both.
 */
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
// notify24's own framing and socket write: the floor leaves out everything around them, not them.
import { writeToSocket } from '../src/realtime/socket-write.ts';
import { textFrame } from '../src/realtime/ws.ts';

const sockets = new Set<Socket>();

let sent = 0;

/** A pushed notification of the shape and size notify24 sends for the same message. */
function notifyAdd(message: string): Buffer {
  sent++;
  const params = {
    id: sent, chat_id: 2, author_id: 0, date: new Date().toISOString().slice(0, 19) + '+00:00', notify_type: 4, notify_module: 'rest', notify_event: 'rest_notify',
    notify_tag: '', notify_sub_tag: '', notify_title: '', setting_name: 'rest|rest_notify', text: message, params: null, notify_read: 'N', counter: sent,
  };
  return textFrame(JSON.stringify({ id: Date.now() * 1000 + sent, command: 'notifyAdd', params }));
}

/** One loop over every socket, one write(2) each: no slices, no queue, no per-connection state. */
function broadcast(frame: Buffer): void {
  for (const s of sockets) writeToSocket(s, frame);
}

function body(req: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    let text = '';
    req.setEncoding('utf8');
    req.on('data', (d: string) => (text += d));
    req.on('end', () => resolve(text));
  });
}

const server = createServer({ keepAliveTimeout: 65_000 }, (req, res) => {
  void body(req).then((text) => {
    if (req.url === '/login') {
      res.writeHead(200, { 'Set-Cookie': 'floor=1; Path=/', 'Content-Type': 'application/json' });
      return res.end('{}');
    }
    if (req.url?.startsWith('/rest/')) {
      const message = String((JSON.parse(text || '{}') as { MESSAGE?: unknown }).MESSAGE ?? '');
      broadcast(notifyAdd(message));
      res.writeHead(200, { 'Content-Type': 'application/json' });
      return res.end('{"result":1}');
    }
    res.writeHead(200, { 'Content-Type': 'text/plain' });
    res.end('ok');
  });
});

server.on('upgrade', (req: IncomingMessage, socket: Socket) => {
  const accept = createHash('sha1').update(`${req.headers['sec-websocket-key']}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest('base64');
  socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`);
  socket.setNoDelay(true);
  socket.on('data', () => {}); // pongs and closes are not the floor's concern
  socket.on('error', () => sockets.delete(socket));
  socket.on('close', () => sockets.delete(socket));
  sockets.add(socket);
  socket.write(textFrame('{"command":"ready","params":{}}'));
});

server.listen(0, '127.0.0.1', () => console.log(`push floor listening on http://127.0.0.1:${(server.address() as AddressInfo).port}`));
process.once('SIGTERM', () => {
  for (const s of sockets) s.destroy();
  server.close(() => process.exit(0));
});
