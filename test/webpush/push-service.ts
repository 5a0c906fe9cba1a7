/**
 * A push service for tests, over plain HTTP: it takes what a real one takes (RFC 8030 POSTs),
 * checks the VAPID authorization (RFC 8292: an ES256 JWT and the key it claims), and decrypts
 * the `aes128gcm` body (RFC 8291) with the browser-side keys a test subscription holds. Written
 * from the RFCs with node:crypto only, so it checks the web-push library rather than reusing it.
 */
import { createDecipheriv, createECDH, createPublicKey, hkdfSync, randomBytes, verify } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A browser's side of a subscription: its keys and what it hands the server. */
export interface TestBrowser {
  endpoint: string;
  /** `PushSubscription.toJSON()`. */
  json: { endpoint: string; expirationTime: null; keys: { p256dh: string; auth: string } };
  ecdh: ReturnType<typeof createECDH>;
  auth: Buffer;
}

export interface ReceivedPush {
  endpoint: string;
  headers: IncomingMessage['headers'];
  /** The JWT's claims, once its signature verified. */
  claims: { aud: string; exp: number; sub: string };
  /** The `k` of the Authorization header: the server's public key. */
  vapidKey: string;
  /** The decrypted message as JSON. */
  payload: Record<string, unknown>;
}

type Answer = { status: number; headers?: Record<string, string> } | 'hold';

function b64(s: string): Buffer {
  return Buffer.from(s, 'base64url');
}

/** RFC 8292 §3: `vapid t=<jwt>, k=<key>`; throws unless the ES256 signature verifies with k. */
export function verifyVapid(authorization: string | undefined): { claims: ReceivedPush['claims']; key: string } {
  const m = /^vapid t=([\w-]+\.[\w-]+\.[\w-]+), k=([\w-]+)$/.exec(authorization ?? '');
  if (!m) throw new Error(`not a VAPID authorization: ${authorization}`);
  const [header, body, signature] = m[1]!.split('.') as [string, string, string];
  const head = JSON.parse(b64(header).toString()) as { alg?: string; typ?: string };
  if (head.alg !== 'ES256') throw new Error(`alg ${head.alg}`);
  const point = b64(m[2]!);
  if (point.length !== 65 || point[0] !== 4) throw new Error('k is not an uncompressed P-256 point');
  const key = createPublicKey({ key: { kty: 'EC', crv: 'P-256', x: point.subarray(1, 33).toString('base64url'), y: point.subarray(33).toString('base64url') }, format: 'jwk' });
  // JWS ES256 signatures are r‖s (64 bytes), not DER.
  const ok = verify('sha256', Buffer.from(`${header}.${body}`), { key, dsaEncoding: 'ieee-p1363' }, b64(signature));
  if (!ok) throw new Error('VAPID signature does not verify');
  return { claims: JSON.parse(b64(body).toString()), key: m[2]! };
}

/** RFC 8291 + RFC 8188: one aes128gcm record, decrypted with the browser's private key. */
export function decryptAes128gcm(body: Buffer, browser: Pick<TestBrowser, 'ecdh' | 'auth'>): Buffer {
  const salt = body.subarray(0, 16);
  const recordSize = body.readUInt32BE(16);
  const idLength = body[20]!;
  const serverKey = body.subarray(21, 21 + idLength);
  const record = body.subarray(21 + idLength);
  if (record.length > recordSize) throw new Error('more than one record');
  const shared = browser.ecdh.computeSecret(serverKey);
  const keyInfo = Buffer.concat([Buffer.from('WebPush: info\0'), browser.ecdh.getPublicKey(), serverKey]);
  const ikm = Buffer.from(hkdfSync('sha256', shared, browser.auth, keyInfo, 32));
  const cek = Buffer.from(hkdfSync('sha256', ikm, salt, Buffer.from('Content-Encoding: aes128gcm\0'), 16));
  const nonce = Buffer.from(hkdfSync('sha256', ikm, salt, Buffer.from('Content-Encoding: nonce\0'), 12));
  const decipher = createDecipheriv('aes-128-gcm', cek, nonce);
  decipher.setAuthTag(record.subarray(record.length - 16));
  const padded = Buffer.concat([decipher.update(record.subarray(0, record.length - 16)), decipher.final()]);
  // The last record ends with the delimiter 0x02, then zero or more zero bytes of padding.
  let end = padded.length - 1;
  while (end >= 0 && padded[end] === 0) end--;
  if (padded[end] !== 2) throw new Error('no last-record delimiter');
  return padded.subarray(0, end);
}

export class TestPushService {
  private server: Server | null = null;
  origin = '';
  private readonly answers = new Map<string, Answer[]>();
  private readonly browsers = new Map<string, TestBrowser>();
  private readonly received: ReceivedPush[] = [];
  private readonly waiting: ((p: ReceivedPush) => void)[] = [];
  private readonly held: (() => void)[] = [];
  /** Requests that failed a check (a wrong signature, a body that does not decrypt). */
  readonly problems: string[] = [];

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const endpoint = `${this.origin}${req.url}`;
        const answer = this.answers.get(endpoint)?.shift() ?? { status: 201 };
        const respond = () => {
          const a = answer === 'hold' ? { status: 201 } : answer;
          res.writeHead(a.status, a.headers ?? {}).end();
        };
        try {
          this.take(endpoint, req, Buffer.concat(chunks));
        } catch (err) {
          this.problems.push(String(err));
          res.writeHead(400).end();
          return;
        }
        if (answer === 'hold') this.held.push(respond);
        else respond();
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.origin = `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}`;
    return this;
  }

  private take(endpoint: string, req: IncomingMessage, body: Buffer): void {
    const browser = this.browsers.get(endpoint);
    if (!browser) throw new Error(`unknown endpoint ${endpoint}`);
    const { claims, key } = verifyVapid(req.headers.authorization);
    const push: ReceivedPush = { endpoint, headers: req.headers, claims, vapidKey: key, payload: JSON.parse(decryptAes128gcm(body, browser).toString('utf8')) };
    const next = this.waiting.shift();
    if (next) next(push);
    else this.received.push(push);
  }

  /** A new browser: fresh P-256 keys and auth secret, its endpoint on this service. */
  browser(): TestBrowser {
    const ecdh = createECDH('prime256v1');
    ecdh.generateKeys();
    const auth = randomBytes(16);
    const endpoint = `${this.origin}/push/${randomBytes(12).toString('base64url')}`;
    const b: TestBrowser = {
      endpoint,
      ecdh,
      auth,
      json: { endpoint, expirationTime: null, keys: { p256dh: ecdh.getPublicKey().toString('base64url'), auth: auth.toString('base64url') } },
    };
    this.browsers.set(endpoint, b);
    return b;
  }

  /** How the next requests to `endpoint` are answered (default 201); `hold` answers only at `release()`. */
  answer(endpoint: string, ...answers: Answer[]): void {
    this.answers.set(endpoint, [...(this.answers.get(endpoint) ?? []), ...answers]);
  }

  release(): void {
    for (const respond of this.held.splice(0)) respond();
  }

  /** The next push received (or already waiting); fails after `ms`. */
  next(ms = 5000): Promise<ReceivedPush> {
    const ready = this.received.shift();
    if (ready) return Promise.resolve(ready);
    return new Promise((resolve, reject) => {
      const take = (p: ReceivedPush) => {
        clearTimeout(timer);
        resolve(p);
      };
      const timer = setTimeout(() => {
        this.waiting.splice(this.waiting.indexOf(take), 1);
        reject(new Error(`no push within ${ms} ms; problems: ${this.problems.join('; ') || 'none'}`));
      }, ms);
      this.waiting.push(take);
    });
  }

  /** Pushes received and not yet taken by `next`. */
  pending(): number {
    return this.received.length;
  }

  async close(): Promise<void> {
    this.release();
    this.server?.closeAllConnections();
    await new Promise((resolve) => this.server?.close(resolve));
  }
}
