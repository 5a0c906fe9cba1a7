import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { connect } from 'node:net';
import { after, before, test } from 'node:test';
import { bodyNow, readBody } from '../../src/http/body.ts';

/** What the handler under test saw; each test sets `inspect` and sends one raw request. */
let inspect: (req: IncomingMessage) => Promise<unknown>;
let server: Server;
let port: number;
before(async () => {
  server = createServer((req, res) => {
    void inspect(req).then((seen) => res.end(JSON.stringify(seen)), (err: Error) => res.end(JSON.stringify({ error: err.message })));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});
after(() => server.close());

/** Sends `text` in one write (head and body together) and answers the handler's JSON. */
function send(text: string): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const s = connect(port, '127.0.0.1', () => s.write(text));
    let got = Buffer.alloc(0);
    s.on('data', (d: Buffer) => {
      got = Buffer.concat([got, d]);
      const at = got.indexOf('\r\n\r\n');
      const length = Number(/content-length: (\d+)/i.exec(got.toString('latin1'))?.[1] ?? -1);
      if (at >= 0 && length >= 0 && got.length >= at + 4 + length) {
        s.destroy();
        resolve(JSON.parse(got.subarray(at + 4).toString('utf8')));
      }
    });
    s.on('error', reject);
    // A refused body may take the connection with it: no answer then.
    s.on('close', () => resolve(null));
  });
}

const post = (body: string, extra = '') => `POST / HTTP/1.1\r\nHost: x\r\nContent-Length: ${Buffer.byteLength(body)}\r\n${extra}\r\n${body}`;
const nextTurn = () => new Promise((resolve) => setImmediate(resolve));
const ended = (req: IncomingMessage) => new Promise<boolean>((resolve) => {
  req.once('end', () => resolve(true));
  setTimeout(() => resolve(false), 500);
});

test('a body the parser already holds whole is handed over at once, and the request still ends', async () => {
  inspect = async (req) => {
    await nextTurn(); // the rest of the packet (the body) is parsed right after the head
    const body = bodyNow(req, 1024);
    return { body: body?.toString(), ended: await ended(req) };
  };
  assert.deepEqual(await send(post('{"A":"héllo"}')), { body: '{"A":"héllo"}', ended: true });
});

test('a body split over chunks comes back joined', async () => {
  inspect = async (req) => {
    await nextTurn();
    return { body: bodyNow(req, 1024)?.toString() };
  };
  const chunked = 'POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n4\r\ndefg\r\n0\r\n\r\n';
  assert.deepEqual(await send(chunked), { body: 'abcdefg' });
});

test('no body: an empty one', async () => {
  inspect = async (req) => {
    await nextTurn();
    return { body: bodyNow(req, 1024)?.toString(), ended: await ended(req) };
  };
  assert.deepEqual(await send('POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n'), { body: '', ended: true });
});

test('before the body is parsed, or once reading began, null: the caller waits with readBody', async () => {
  inspect = async (req) => {
    const early = bodyNow(req, 1024);
    const body = await readBody(req, 1024);
    return { early, body: body.toString(), after: bodyNow(req, 1024) };
  };
  assert.deepEqual(await send(post('abc')), { early: null, body: 'abc', after: null });
});

test('over the limit (declared or buffered): null, so readBody refuses it as always', async () => {
  let seen: unknown;
  inspect = async (req) => {
    await nextTurn();
    seen = { now: bodyNow(req, 4), refused: await readBody(req, 4).then(() => false, () => true) };
    return seen;
  };
  await send(post('abcdefgh'));
  assert.deepEqual(seen, { now: null, refused: true });
  seen = undefined;
  await send('POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n8\r\nabcdefgh\r\n0\r\n\r\n');
  assert.deepEqual(seen, { now: null, refused: true });
});
