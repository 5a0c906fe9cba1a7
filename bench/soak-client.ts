/**
 * One kind of soak client, run as its own process (`bench/lib/soak.ts` forks one per role) so
 * the clients never share an event loop with each other or with the server and do not set the
 * pace. Each reports once a second over IPC (`{second, ...}`) and once at the end (`{final}`).
 *
 * Roles: `rest` (32 kept-alive connections, 60 % get / 30 % send / 10 % read.all as the web
 * user), `steady` (200 WebSocket clients of the web user that stay, resuming with `?last=` if
 * dropped), `churn` (20 WebSocket opens a second, each closed once `ready` arrives), `probe`
 * (`server.time` on a fresh TCP connection, 4 a second).
 */
import { Agent, request } from 'node:http';
import { performance } from 'node:perf_hooks';
import WebSocket from 'ws';

export interface SoakClientConfig {
  role: 'rest' | 'steady' | 'churn' | 'probe';
  /** `http://127.0.0.1:port` */
  base: string;
  /** `/rest/<user>/<code>/` of the web user's webhook. */
  hook: string;
  userId: number;
  cookie: string;
  /** Epoch ms the load starts at, and how long it lasts. */
  startAt: number;
  durationS: number;
  connections: number;
  steadyClients: number;
  churnPerS: number;
  probesPerS: number;
}

const cfg = JSON.parse(process.argv[2]!) as SoakClientConfig;
/** Resolves once the message is written to the parent: a large final one must not be cut off by the disconnect at the end. */
const report = (m: unknown) => new Promise<void>((resolve) => void process.send!(m, undefined, undefined, () => resolve()));
const second = () => Math.floor((Date.now() - cfg.startAt) / 1000);
const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));
const round = (ms: number) => Math.round(ms * 10) / 10;

/** Figures per second of the run, sent once that second is over. */
const seconds = new Map<number, Record<string, number | number[]>>();
const bucket = (s = second()) => {
  let b = seconds.get(s);
  if (!b) seconds.set(s, (b = {}));
  return b;
};
/** `at`: the second the thing started in (a slow answer counts where it was asked). */
const add = (key: string, by = 1, at?: number) => {
  const b = bucket(at);
  b[key] = ((b[key] as number | undefined) ?? 0) + by;
};
const sample = (key: string, v: number, at?: number) => void ((bucket(at)[key] ??= []) as number[]).push(round(v));
function flush(all = false): void {
  const now = second();
  for (const [s, b] of seconds) {
    if (!all && s >= now) continue;
    void report({ second: s, ...b });
    seconds.delete(s);
  }
}
function everySecond(): NodeJS.Timeout {
  return setInterval(() => flush(), 1000);
}

function post(agent: Agent | false, path: string, body: unknown, timeoutMs: number): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const data = JSON.stringify(body);
    const req = request(`${cfg.base}${path}`, {
      method: 'POST',
      agent,
      headers: { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(data), ...(agent ? {} : { Connection: 'close' }) },
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString() }));
      res.on('error', reject);
    });
    // A whole-request deadline (connecting included: a full accept queue delays the handshake).
    const deadline = setTimeout(() => req.destroy(new Error(`no answer in ${timeoutMs} ms`)), timeoutMs);
    req.on('close', () => clearTimeout(deadline));
    req.on('error', reject);
    req.end(data);
  });
}

const MIX = ['get', 'send', 'get', 'get', 'send', 'get', 'readAll', 'get', 'send', 'get'] as const;

async function rest(): Promise<void> {
  const agent = new Agent({ keepAlive: true, maxSockets: cfg.connections });
  const end = cfg.startAt + cfg.durationS * 1000;
  const acked: number[] = [];
  let errors = 0;
  let sent = 0;
  let seq = 0;
  await wait(cfg.startAt - Date.now());
  const timer = everySecond();
  await Promise.all(Array.from({ length: cfg.connections }, async (_, c) => {
    for (let k = c; Date.now() < end; k++) {
      const kind = MIX[k % MIX.length]!;
      const [method, params] = kind === 'get' ? ['im.notify.get', { LIMIT: 50 }]
        : kind === 'send' ? ['im.notify.system.add', { USER_ID: cfg.userId, MESSAGE: `Soak message ${++seq} from [b]connection ${c}[/b]` }]
        : ['im.notify.read.all', {}];
      const t0 = performance.now();
      const at = second();
      if (kind === 'send') sent++;
      try {
        const r = await post(agent, `${cfg.hook}${method}.json`, params, 60_000);
        const body = JSON.parse(r.text) as { result?: unknown; error?: string };
        if (r.status !== 200 || body.error !== undefined) throw new Error(`${method}: HTTP ${r.status} ${r.text.slice(0, 120)}`);
        if (kind === 'send') {
          if (typeof body.result !== 'number') throw new Error(`send answered ${r.text.slice(0, 120)}`);
          acked.push(body.result);
          add('acks', 1, at);
        }
        add('requests', 1, at);
        sample('ms', performance.now() - t0, at);
      } catch (err) {
        errors++;
        add('errors', 1, at);
        if (errors <= 5) console.error(`rest: ${(err as Error).message}`);
      }
    }
  }));
  clearInterval(timer);
  flush(true);
  await report({ final: { acked, errors, sent } });
  agent.destroy();
}

interface Steady {
  ws: WebSocket | null;
  lastId: number | null;
  node: string | null;
  /** Notification ids in arrival order. */
  ids: number[];
  outOfOrder: number;
  reconnects: number;
  resyncs: number;
  closes: Record<string, number>;
}

/**
 * The id, command and notification id of a frame, read from its start (`{"id":…,"command":…,
 * "params":{"id":…`) instead of parsing 200 copies of every frame: this process must not be
 * what limits the run.
 */
function frame(text: string): { id: number; command: string; params: { id?: number; node?: string } } {
  const m = /^\{"id":(\d+),"command":"(\w+)","params":\{(?:"id":(\d+))?/.exec(text);
  if (!m || m[2] === 'ready') return JSON.parse(text);
  return { id: Number(m[1]), command: m[2]!, params: m[3] === undefined ? {} : { id: Number(m[3]) } };
}

function openChannel(query: string): WebSocket {
  return new WebSocket(`${cfg.base.replace(/^http/, 'ws')}/ws${query}`, { headers: { Cookie: cfg.cookie }, perMessageDeflate: false });
}

async function steady(): Promise<void> {
  const clients: Steady[] = [];
  let stopping = false;
  const connect = (c: Steady): Promise<void> => new Promise((resolve) => {
    const query = c.lastId === null ? '' : `?last=${c.lastId}${c.node ? `&node=${c.node}` : ''}`;
    const ws = openChannel(query);
    c.ws = ws;
    ws.on('message', (data) => {
      add('frames');
      const m = frame(String(data));
      if (m.command === 'ready') {
        c.node = m.params.node ?? c.node;
        c.lastId = m.id;
        return resolve();
      }
      if (m.command === 'resync') {
        c.resyncs++;
        c.lastId = m.id;
        return;
      }
      if (c.lastId !== null && m.id <= c.lastId) c.outOfOrder++;
      c.lastId = m.id;
      if (m.command === 'notifyAdd' && typeof m.params.id === 'number') c.ids.push(m.params.id);
    });
    ws.on('error', () => undefined);
    ws.on('close', (code) => {
      c.closes[code] = (c.closes[code] ?? 0) + 1;
      if (stopping) return;
      c.reconnects++;
      setTimeout(() => void connect(c), 200);
    });
  });
  for (let i = 0; i < cfg.steadyClients; i++) {
    const c: Steady = { ws: null, lastId: null, node: null, ids: [], outOfOrder: 0, reconnects: 0, resyncs: 0, closes: {} };
    clients.push(c);
  }
  for (let i = 0; i < clients.length; i += 50) await Promise.all(clients.slice(i, i + 50).map((c) => connect(c)));
  void report({ connected: clients.length });
  const timer = everySecond();
  // The parent sends the number of acknowledged sends once the load is over; wait (at most
  // 120 s) until every client has had that many, as a starved machine may still be delivering.
  const expected = await new Promise<number>((resolve) => process.on('message', (m: { stop?: number }) => m.stop !== undefined && resolve(m.stop)));
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline && clients.some((c) => c.ids.length < expected)) await wait(250);
  stopping = true;
  clearInterval(timer);
  flush(true);
  // How many clients got each notification, and in which order.
  const got = new Map<number, number>();
  let duplicates = 0;
  for (const c of clients) {
    const seen = new Set<number>();
    for (const id of c.ids) {
      if (seen.has(id)) duplicates++;
      seen.add(id);
    }
    for (const id of seen) got.set(id, (got.get(id) ?? 0) + 1);
    c.ws?.terminate();
  }
  const sum = (f: (c: Steady) => number) => clients.reduce((a, c) => a + f(c), 0);
  const closes: Record<string, number> = {};
  for (const c of clients) for (const [code, n] of Object.entries(c.closes)) closes[code] = (closes[code] ?? 0) + n;
  await report({ final: { clients: clients.length, got: [...got], duplicates, outOfOrder: sum((c) => c.outOfOrder), reconnects: sum((c) => c.reconnects), resyncs: sum((c) => c.resyncs), closes } });
}

/** Opens one channel and closes it at `ready`; a connection not ready in 10 s has failed. */
function churnOnce(): void {
  const t0 = performance.now();
  const at = second();
  add('opens', 1, at);
  const ws = openChannel('');
  let settled = false;
  const timer = setTimeout(() => {
    settled = true;
    add('timeouts', 1, at);
    ws.terminate();
  }, 10_000);
  ws.on('message', (data) => {
    if (settled || !String(data).includes('"command":"ready"')) return;
    settled = true;
    clearTimeout(timer);
    add('ready', 1, at);
    sample('ms', performance.now() - t0, at);
    ws.close();
  });
  ws.on('error', () => {
    if (settled) return;
    settled = true;
    clearTimeout(timer);
    add('failed', 1, at);
  });
}

function probeOnce(): void {
  const t0 = performance.now();
  const at = second();
  add('probes', 1, at);
  post(false, `${cfg.hook}server.time.json`, {}, 20_000)
    .then((r) => {
      if (r.status !== 200) throw new Error(`HTTP ${r.status}`);
      add('ok', 1, at);
      sample('ms', performance.now() - t0, at);
    })
    .catch(() => add('failed', 1, at));
}

/** `fn` `perS` times a second, evenly spaced, for the run's duration. */
async function paced(perS: number, fn: () => void): Promise<void> {
  await wait(cfg.startAt - Date.now());
  const timer = everySecond();
  const end = cfg.startAt + cfg.durationS * 1000;
  let n = 0;
  while (Date.now() < end) {
    fn();
    n++;
    await wait(Math.max(0, cfg.startAt + (n * 1000) / perS - Date.now()));
  }
  await wait(10_000); // the last opens and probes finish or time out
  clearInterval(timer);
  flush(true);
  await report({ final: {} });
}

const roles = {
  rest,
  steady,
  churn: () => paced(cfg.churnPerS, churnOnce),
  probe: () => paced(cfg.probesPerS, probeOnce),
};
await roles[cfg.role]();
process.disconnect?.();
