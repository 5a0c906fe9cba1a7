/**
 * Push fan-out: N WebSocket subscribers on one signed-in user's channel, then sends through the
 * webhook; each receipt is timed from just before the send request left this process, so the
 * figure covers the durable write, the hub, the server's N frames and the client's read.
 */
import { performance } from 'node:perf_hooks';
import WebSocket from 'ws';
import { cpuSeconds, rssKib, type Child } from './child.ts';
import { WEB_USER } from './dataset.ts';
import { restPath } from './notify24.ts';
import { percentile } from './stats.ts';

export type PushOutcome =
  | { skipped: string }
  | {
      subscribers: number;
      sends: number;
      p50: number;
      p99: number;
      /** Frames received per second across all subscribers during the send rounds. */
      deliveriesPerS: number;
      /** Server RSS growth per idle subscriber, KiB. */
      kibPerSubscriber: number;
      connectS: number;
      lost: number;
      /** Wall and CPU seconds of the send rounds: which side was the bottleneck. */
      roundsS: number;
      serverCpuS: number;
      clientCpuS: number;
    };

/** Signs in through the login form; null when this build has no web login yet. */
async function signIn(base: string): Promise<string | null> {
  const res = await fetch(`${base}/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' },
    body: new URLSearchParams({ login: WEB_USER.login, password: WEB_USER.password }).toString(),
    redirect: 'manual',
  });
  await res.arrayBuffer();
  if (res.status === 404 || res.status === 405) return null;
  const cookie = res.headers.getSetCookie().map((c) => c.split(';')[0]!).filter((c) => !c.endsWith('=')).join('; ');
  if (!cookie) throw new Error(`web login failed: HTTP ${res.status}`);
  return cookie;
}

interface Round {
  marker: string;
  t0: number;
  remaining: number;
  done: () => void;
}

class Subscribers {
  readonly sockets: WebSocket[] = [];
  readonly latencies: number[] = [];
  round: Round | null = null;

  /** Resolves once the server says `ready`: from then on the socket misses nothing. */
  open(url: string, cookie: string): Promise<void> {
    const ws = new WebSocket(url, { headers: { Cookie: cookie }, perMessageDeflate: false });
    this.sockets.push(ws);
    return new Promise((resolve, reject) => {
      ws.once('unexpected-response', (_req, res) => reject(new Error(`WebSocket upgrade refused: HTTP ${res.statusCode}`)));
      ws.on('error', reject);
      ws.on('message', (data) => {
        const text = String(data);
        if (text.includes('"command":"ready"')) return resolve();
        const r = this.round;
        // Only a substring test here: parsing 10k frames per send would time the client.
        if (r && text.includes(r.marker) && text.includes('"notifyAdd"')) {
          this.latencies.push(performance.now() - r.t0);
          if (--r.remaining === 0) r.done();
        }
      });
    });
  }

  close(): void {
    for (const ws of this.sockets) ws.terminate();
  }
}

const WAVE = 500;
const ROUND_TIMEOUT_MS = 30_000;

async function connectAll(subs: Subscribers, url: string, cookie: string, n: number): Promise<void> {
  for (let i = 0; i < n; i += WAVE) {
    await Promise.all(Array.from({ length: Math.min(WAVE, n - i) }, () => subs.open(url, cookie)));
  }
}

async function sendRound(server: Child, code: string, userId: number, subs: Subscribers, k: number, n: number): Promise<number> {
  const marker = `bench-push-${k}-${Date.now()}`;
  let timer: NodeJS.Timeout | undefined;
  const all = new Promise<void>((resolve) => {
    subs.round = { marker, t0: performance.now(), remaining: n, done: resolve };
    timer = setTimeout(resolve, ROUND_TIMEOUT_MS);
  });
  const res = await fetch(server.url + restPath(code, 'im.notify.system.add'), {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ USER_ID: userId, MESSAGE: marker }),
  });
  if (res.status !== 200) throw new Error(`push send: HTTP ${res.status} ${await res.text()}`);
  await res.arrayBuffer();
  await all;
  clearTimeout(timer);
  const lost = subs.round!.remaining;
  subs.round = null;
  return lost;
}

export async function measurePush(server: Child, code: string, userId: number, n: number, sends: number): Promise<PushOutcome> {
  const cookie = await signIn(server.url);
  if (!cookie) return { skipped: 'skipped (web login not available)' };
  const subs = new Subscribers();
  try {
    const before = rssKib(server.pid);
    const t = performance.now();
    await connectAll(subs, `${server.url.replace(/^http/, 'ws')}/ws?last=0`, cookie, n);
    const connectS = (performance.now() - t) / 1000;
    // Let the connection burst's garbage be collected before reading the resident size.
    await new Promise((r) => setTimeout(r, 2000));
    const kibPerSubscriber = (rssKib(server.pid) - before) / n;
    let lost = 0;
    const started = performance.now();
    const serverCpu = cpuSeconds(server.pid);
    const clientCpu = process.cpuUsage();
    for (let k = 0; k < sends; k++) lost += await sendRound(server, code, userId, subs, k, n);
    const seconds = (performance.now() - started) / 1000;
    const clientUsed = process.cpuUsage(clientCpu);
    const sorted = [...subs.latencies].sort((a, b) => a - b);
    return {
      subscribers: n,
      sends,
      p50: percentile(sorted, 50),
      p99: percentile(sorted, 99),
      deliveriesPerS: sorted.length / seconds,
      kibPerSubscriber,
      connectS,
      lost,
      roundsS: seconds,
      serverCpuS: cpuSeconds(server.pid) - serverCpu,
      clientCpuS: (clientUsed.user + clientUsed.system) / 1e6,
    };
  } finally {
    subs.close();
  }
}
