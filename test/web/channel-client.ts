/** Test clients of the push channel: a browser session, a WebSocket reader, an SSE reader. */
import WebSocket from 'ws';
import type { TestServer } from '../helpers/server.ts';
import { Mailbox } from '../helpers/mailbox.ts';

export interface Pushed {
  id: number;
  command: string;
  params: Record<string, unknown>;
}

/** Push messages in arrival order. */
export class Inbox extends Mailbox<Pushed> {
  /** Skips messages until one with `command` arrives. */
  until(command: string): Promise<Pushed> {
    return this.nextWhere((m) => m.command === command);
  }
}

export interface ChannelClient {
  inbox: Inbox;
  close(): Promise<void>;
}

export function openWs(ts: TestServer, cookie: string, last?: number, origin?: string, node?: string): Promise<ChannelClient> {
  const inbox = new Inbox();
  const query = last === undefined ? '' : `?last=${last}${node ? `&node=${node}` : ''}`;
  const url = `${ts.url.replace(/^http/, 'ws')}/ws${query}`;
  const ws = new WebSocket(url, { headers: { Cookie: cookie, ...(origin ? { Origin: origin } : {}) } });
  ws.on('message', (data) => inbox.put(JSON.parse(String(data))));
  return new Promise((resolve, reject) => {
    ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    ws.once('error', reject);
    ws.once('open', () =>
      resolve({
        inbox,
        close: () => new Promise((done) => {
          ws.once('close', () => done());
          ws.close();
        }),
      }),
    );
  });
}

/** Reads `text/event-stream` with fetch, as EventSource would, passing `Last-Event-ID` when given. */
export async function openSse(ts: TestServer, cookie: string, lastEventId?: number): Promise<ChannelClient & { status: number }> {
  const inbox = new Inbox();
  const abort = new AbortController();
  const res = await fetch(`${ts.url}/events/stream`, {
    headers: { Cookie: cookie, Accept: 'text/event-stream', ...(lastEventId === undefined ? {} : { 'Last-Event-ID': String(lastEventId) }) },
    signal: abort.signal,
  });
  const reading = (async () => {
    if (!res.ok || !res.body) return;
    const decoder = new TextDecoder();
    let buffer = '';
    try {
      for await (const chunk of res.body) {
        buffer += decoder.decode(chunk as Uint8Array, { stream: true });
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const event = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const data = event.split('\n').filter((l) => l.startsWith('data: ')).map((l) => l.slice(6)).join('\n');
          if (data) inbox.put(JSON.parse(data));
        }
      }
    } catch {
      // aborted by close()
    }
  })();
  return {
    status: res.status,
    inbox,
    async close() {
      abort.abort();
      await reading;
    },
  };
}

/** Status of a refused WebSocket upgrade. */
export function upgradeStatus(ts: Pick<TestServer, 'url'>, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${ts.url.replace(/^http/, 'ws')}/ws`, { headers });
    ws.once('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? 0);
      res.resume();
      ws.terminate();
    });
    ws.once('open', () => {
      ws.close();
      reject(new Error('upgrade was accepted'));
    });
    ws.once('error', () => undefined);
  });
}
