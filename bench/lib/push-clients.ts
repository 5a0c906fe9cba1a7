/**
 * The WebSocket clients of the push rows, spread over several processes (bench/push-client.ts)
 * pinned to the load generator's CPU: one process holding 10k sockets would read the 10k frames
 * of a send one after the other and could set the pace itself. Their CPU time is reported next
 * to the server's, so a reader can tell which side was busy.
 */
import { fork, spawnSync, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { cpuSeconds, type Placement } from './child.ts';

const BENCH = new URL('../', import.meta.url).pathname;

/** A send not received in this long by every socket it was for counts as lost there. */
const ROUND_TIMEOUT_MS = 30_000;

export interface Subscriber {
  cookie: string;
  userId: number;
}

type Reply = { started: true } | { opened: number } | { failed: string } | { round: number; at: number[] };

/** The monotonic clock the client processes time receipts with (ms). */
export const clock = () => Number(process.hrtime.bigint()) / 1e6;

/** `bench-push-<round>-u<user>-…`: what the clients look for in a frame (bench/push-client.ts). */
export const marker = (round: number, userId: number) => `bench-push-${round}-u${userId}-${Date.now()}`;

interface Client {
  proc: ChildProcess;
  /** Sockets of each user this process holds. */
  users: Map<number, number>;
  /** Who waits for the answer to `open`, and for each round's receipts. */
  opening: ((r: Reply) => void) | null;
  rounds: Map<number, (r: Reply) => void>;
  /** Its first message: the process has loaded and listens. */
  started: Promise<Reply>;
  exited: Promise<void>;
}

/** Waits for `register`'s answer, or says it never came. */
function answer(register: (resolve: (r: Reply) => void) => void, timeoutMs: number): Promise<Reply> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve({ failed: `push client gave no answer in ${timeoutMs / 1000} s` }), timeoutMs);
    register((r) => {
      clearTimeout(timer);
      resolve(r);
    });
  });
}

export class ClientPool {
  private readonly clients: Client[];
  private nextRound = 1;

  constructor(processes: number, placement: Placement) {
    this.clients = Array.from({ length: processes }, () => {
      const proc = fork(join(BENCH, 'push-client.ts'), [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
      if (placement.loadCpu !== null) spawnSync('taskset', ['-a', '-p', '-c', String(placement.loadCpu), String(proc.pid)]);
      let started!: (r: Reply) => void;
      const c: Client = {
        proc,
        users: new Map(),
        opening: null,
        rounds: new Map(),
        started: answer((resolve) => (started = resolve), 60_000),
        exited: new Promise((r) => proc.once('exit', () => r())),
      };
      proc.on('message', (r: Reply) => {
        if ('started' in r) return started(r);
        if (!('round' in r)) return c.opening?.(r);
        c.rounds.get(r.round)?.(r);
        c.rounds.delete(r.round);
      });
      proc.once('exit', (code) => {
        const gone: Reply = { failed: `push client exited (${code})` };
        c.opening?.(gone);
        for (const w of c.rounds.values()) w(gone);
      });
      return c;
    });
  }

  /** Resolves once every client process has loaded (so connecting is timed without their start). */
  async started(): Promise<void> {
    for (const r of await Promise.all(this.clients.map((c) => c.started))) if ('failed' in r) throw new Error(r.failed);
  }

  get processes(): number {
    return this.clients.length;
  }

  /** Deals the subscribers out in turn and waits until every socket has had `ready`. */
  async open(url: string, subscribers: Subscriber[]): Promise<void> {
    const shares = this.clients.map((): Subscriber[] => []);
    subscribers.forEach((s, i) => shares[i % shares.length]!.push(s));
    const replies = this.clients.map((c, i) => {
      for (const s of shares[i]!) c.users.set(s.userId, (c.users.get(s.userId) ?? 0) + 1);
      const reply = answer((resolve) => (c.opening = resolve), 120_000);
      c.proc.send({ open: { url, sockets: shares[i] } });
      return reply;
    });
    for (const r of await Promise.all(replies)) if ('failed' in r) throw new Error(r.failed);
  }

  /**
   * One send to `userId` (made by `send(message)`), timed from just before it leaves to each
   * receipt on every socket of that user. Returns the latencies (ms) and how many never came.
   */
  async round(userId: number, send: (message: string) => Promise<void>): Promise<{ latencies: number[]; lost: number }> {
    const round = this.nextRound++;
    const holders = this.clients.filter((c) => c.users.has(userId));
    const expected = holders.reduce((a, c) => a + c.users.get(userId)!, 0);
    const replies = holders.map((c) => answer((resolve) => c.rounds.set(round, resolve), ROUND_TIMEOUT_MS + 5000));
    // Those still waiting for some receipts then send what they have.
    const late = setTimeout(() => holders.forEach((c) => c.rounds.has(round) && c.proc.send({ flush: round })), ROUND_TIMEOUT_MS);
    const t0 = clock();
    try {
      await send(marker(round, userId));
      const latencies: number[] = [];
      for (const r of await Promise.all(replies)) {
        if ('failed' in r) throw new Error(r.failed);
        if ('at' in r) for (const at of r.at) latencies.push(at - t0);
      }
      return { latencies, lost: expected - latencies.length };
    } finally {
      clearTimeout(late);
      for (const c of holders) c.rounds.delete(round);
    }
  }

  /** CPU seconds all client processes have used so far. */
  cpuSeconds(): number {
    return this.clients.reduce((a, c) => a + cpuSeconds(c.proc.pid!), 0);
  }

  /** Ends every client process (killed if one does not leave within 5 s). */
  async close(): Promise<void> {
    await Promise.all(this.clients.map(async (c) => {
      if (c.proc.exitCode !== null || c.proc.signalCode !== null) return;
      if (c.proc.connected) c.proc.send({ close: true });
      const timer = setTimeout(() => c.proc.kill('SIGKILL'), 5000);
      await c.exited;
      clearTimeout(timer);
    }));
  }
}
