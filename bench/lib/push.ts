/**
 * Push fan-out: N WebSocket subscribers on one signed-in user's channel (spread over several
 * client processes), then sends through the webhook; each receipt is timed from just before the
 * send request left this process, so the figure covers the durable write, the hub, the
 * server's N frames and the client's read.
 */
import { performance } from 'node:perf_hooks';
import { cpuSeconds, rssKib, type Child, type Placement } from './child.ts';
import { WEB_USER } from './dataset.ts';
import { LIBRARIES_SETTLE_MS, restPath } from './notify24.ts';
import { ClientPool, type Subscriber } from './push-clients.ts';
import { percentile } from './stats.ts';

export interface PushFigures {
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
  clientProcesses: number;
  /** The untimed warm-up send's last receipt (ms): what a server's very first push costs. */
  warmupMaxMs: number;
  /** Each send's receipts apart (ms): min, median, 99th percentile and max, in send order. */
  rounds: { min: number; p50: number; p99: number; max: number }[];
}

export type PushOutcome = { skipped: string } | PushFigures;

/** Signs in through the login form; null when this build has no web login yet. */
export async function signIn(base: string, login = WEB_USER): Promise<string | null> {
  const res = await fetch(`${base}/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' },
    body: new URLSearchParams({ login: login.login, password: login.password }).toString(),
    redirect: 'manual',
  });
  await res.arrayBuffer();
  if (res.status === 404 || res.status === 405) return null;
  const cookie = res.headers.getSetCookie().map((c) => c.split(';')[0]!).filter((c) => !c.endsWith('=')).join('; ');
  if (!cookie) throw new Error(`web login failed: HTTP ${res.status}`);
  return cookie;
}

/** `im.notify.system.add` to `userId` with `message`, through user 1's webhook. */
export function sender(server: Child, code: string, userId: number): (message: string) => Promise<void> {
  return async (message) => {
    const res = await fetch(server.url + restPath(code, 'im.notify.system.add'), {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ USER_ID: userId, MESSAGE: message }),
    });
    if (res.status !== 200) throw new Error(`push send: HTTP ${res.status} ${await res.text()}`);
    await res.arrayBuffer();
  };
}

export interface PushPlan {
  subscribers: Subscriber[];
  sends: number;
  /** The user each send goes to (k = 0 … sends − 1). */
  target: (k: number) => number;
  processes: number;
  /** Called right after the last send's receipts, before the connections close. */
  roundsDone?: () => void;
}

/**
 * Opens every subscriber (`/ws?last=0`, each waits for `ready`), reads the server's resident
 * size 2 s later, makes one untimed warm-up send (as every REST row warms up before it is
 * measured: the server's first API call compiles the code the fan-out shares with it), then
 * makes the timed sends one after the other.
 */
export async function measureSubscribers(server: Child, code: string, plan: PushPlan, placement: Placement): Promise<PushFigures> {
  const pool = new ClientPool(plan.processes, placement);
  try {
    await pool.started();
    // The baseline is taken once the server loaded what it loads after listening (ws among it).
    await new Promise((r) => setTimeout(r, LIBRARIES_SETTLE_MS));
    const before = rssKib(server.pid);
    const t = performance.now();
    await pool.open(`${server.url.replace(/^http/, 'ws')}/ws?last=0`, plan.subscribers);
    const connectS = (performance.now() - t) / 1000;
    // Let the connection burst's garbage be collected before reading the resident size.
    await new Promise((r) => setTimeout(r, 2000));
    const n = plan.subscribers.length;
    const kibPerSubscriber = (rssKib(server.pid) - before) / n;
    const warmUser = plan.target(0);
    const warmup = await pool.round(warmUser, sender(server, code, warmUser));
    const warmupMaxMs = Math.max(...warmup.latencies);
    const latencies: number[] = [];
    const rounds: PushFigures['rounds'] = [];
    let lost = 0;
    const started = performance.now();
    const serverCpu = cpuSeconds(server.pid);
    const clientCpu = pool.cpuSeconds();
    for (let k = 0; k < plan.sends; k++) {
      const userId = plan.target(k);
      const r = await pool.round(userId, sender(server, code, userId));
      latencies.push(...r.latencies);
      const own = r.latencies.sort((a, b) => a - b);
      rounds.push({ min: own[0] ?? NaN, p50: percentile(own, 50), p99: percentile(own, 99), max: own.at(-1) ?? NaN });
      lost += r.lost;
    }
    plan.roundsDone?.();
    const seconds = (performance.now() - started) / 1000;
    const sorted = latencies.sort((a, b) => a - b);
    return {
      subscribers: n,
      sends: plan.sends,
      p50: percentile(sorted, 50),
      p99: percentile(sorted, 99),
      deliveriesPerS: sorted.length / seconds,
      kibPerSubscriber,
      connectS,
      lost,
      roundsS: seconds,
      serverCpuS: cpuSeconds(server.pid) - serverCpu,
      clientCpuS: pool.cpuSeconds() - clientCpu,
      clientProcesses: pool.processes,
      warmupMaxMs,
      rounds,
    };
  } finally {
    await pool.close();
  }
}

/** One signed-in user's `n` connections, every send to that user (a broadcast to n sockets). */
export async function measurePush(server: Child, code: string, userId: number, n: number, sends: number, processes: number, placement: Placement): Promise<PushOutcome> {
  const cookie = await signIn(server.url);
  if (!cookie) return { skipped: 'skipped (web login not available)' };
  const subscribers = Array.from({ length: n }, () => ({ cookie, userId }));
  return measureSubscribers(server, code, { subscribers, sends, target: () => userId, processes }, placement);
}

/** The part of a push row's note every push row shares. */
export function pushNote(p: PushFigures): string {
  const lost = p.lost ? `; ${p.lost} deliveries missing` : '';
  return (
    `after one untimed warm-up send (its last receipt ${p.warmupMaxMs.toFixed(0)} ms); ` +
    `${p.kibPerSubscriber.toFixed(1)} KiB RSS per idle subscriber; ${Math.round(p.deliveriesPerS).toLocaleString('en-US')} deliveries/s; ` +
    `CPU during sends: server ${p.serverCpuS.toFixed(2)} s, clients ${p.clientCpuS.toFixed(2)} s (${p.clientProcesses} processes) of ${p.roundsS.toFixed(1)} s; connect ${p.connectS.toFixed(1)} s${lost}`
  );
}
