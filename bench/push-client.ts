/**
 * WebSocket subscribers in a process of their own: bench/lib/push-clients.ts forks several, so
 * the clients of the push rows never share an event loop with the load generator or with each
 * other and do not set the pace. Over IPC:
 *
 * - `{open: {url, sockets: [{cookie, userId}]}}` opens them (a wave at a time) and answers
 *   `{opened}` once every one has had `ready` (from then on a socket misses nothing);
 * - every `notifyAdd` frame carrying a bench marker `bench-push-<round>-u<user>-` is timed on
 *   arrival with `process.hrtime` (the system's monotonic clock, the same in every process);
 *   once all of this process's sockets of that user have it, `{round, at: [ms, …]}` goes back;
 * - `{flush: round}` sends what arrived of a round that ran out of time, `{close: true}` ends.
 */
import type { Socket as NetSocket } from 'node:net';
import { openRawWs } from './lib/raw-ws.ts';

interface Socket {
  cookie: string;
  userId: number;
}

type Message = { open: { url: string; sockets: Socket[] } } | { flush: number } | { close: true };

/** Concurrent handshakes per process: several processes together stay within the server's accept backlog. */
const WAVE = 200;

const sockets: NetSocket[] = [];
/** How many of this process's sockets belong to each user: a round is complete at that many receipts. */
const perUser = new Map<number, number>();
/** Receipt times of rounds not reported yet. */
const receipts = new Map<number, number[]>();
const NOTIFY_ADD = Buffer.from('"notifyAdd"');
const MARKER = Buffer.from('bench-push-');

const now = () => Number(process.hrtime.bigint()) / 1e6;

/** The decimal number at `at` in `b`, and where it ends. */
function digits(b: Buffer, at: number): [number, number] {
  let n = 0;
  for (; b[at]! >= 0x30 && b[at]! <= 0x39; at++) n = n * 10 + b[at]! - 0x30;
  return [n, at];
}

function onFrame(b: Buffer): void {
  const at = now();
  // Searched as bytes, never parsed or even decoded: this process must cost less per frame
  // than the server, or it would be what the row measures.
  if (b.indexOf(NOTIFY_ADD) < 0) return;
  const m = b.indexOf(MARKER);
  if (m < 0) return;
  const [round, end] = digits(b, m + MARKER.length);
  const [userId] = digits(b, end + 2); // past "-u"
  const times = receipts.get(round) ?? [];
  receipts.set(round, times);
  times.push(at);
  if (times.length === perUser.get(userId)) report(round);
}

function report(round: number): void {
  process.send!({ round, at: receipts.get(round) ?? [] });
  receipts.delete(round);
}

const READY = Buffer.from('"command":"ready"');

/** Resolves at the socket's `ready` frame: from then on it misses nothing. */
function open(url: string, s: Socket): Promise<void> {
  return new Promise((resolve, reject) => {
    let ready = false;
    const frame = (b: Buffer) => {
      if (ready) return onFrame(b);
      if (b.indexOf(READY) < 0) return;
      ready = true;
      resolve();
    };
    openRawWs(url, { Cookie: s.cookie }, frame).then((socket) => {
      sockets.push(socket);
      socket.once('close', () => ready || reject(new Error('WebSocket closed before ready')));
    }, reject);
  });
}

process.on('message', (m: Message) => {
  if ('open' in m) {
    void (async () => {
      try {
        const { url, sockets: list } = m.open;
        for (const s of list) perUser.set(s.userId, (perUser.get(s.userId) ?? 0) + 1);
        for (let i = 0; i < list.length; i += WAVE) await Promise.all(list.slice(i, i + WAVE).map((s) => open(url, s)));
        process.send!({ opened: list.length });
      } catch (err) {
        process.send!({ failed: (err as Error).message });
      }
    })();
  } else if ('flush' in m) {
    report(m.flush);
  } else {
    leave();
  }
});
// The bench gone (or done): no client may outlive it.
process.once('disconnect', leave);
process.send!({ started: true });

function leave(): void {
  for (const socket of sockets) socket.destroy();
  process.exit(0);
}
