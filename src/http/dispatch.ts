import { STATUS_CODES, type IncomingMessage, type ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { Duplex } from 'node:stream';
import { toRestError } from '../errors/rest.ts';
import { tagged, type Logger } from '../lib/log.ts';
import { settledWithin } from '../lib/maybe.ts';
import { empty, json, jsonError, notFound, Reply, writeReply } from './reply.ts';
import { IncomingRequest, requestId, requestInfo, splitTarget, targetUrl, type HttpRequest, type RequestBase, type RequestNotes } from './request.ts';
import { Router, type Route } from './router.ts';

/** One answered request, as the access log and the request metrics want it. */
export interface RequestDone {
  /** The request id, also sent back in `X-Request-Id`. */
  id: string;
  method: string;
  /** Path and query as sent: may hold credentials, log it only through `safeTarget`. */
  target: string;
  /** The matched route pattern (`/rest*`, `/console/api/users`), null when none matched. */
  route: string | null;
  status: number;
  ms: number;
  secure: boolean;
  ip: string;
  /** The catalog code the answer carries; null for a success (and for a bare 404/405). */
  error: string | null;
  notes: RequestNotes;
}

export interface DispatchDeps {
  log: Pick<Logger, 'error'>;
  trustProxy: boolean;
  /** Told about every answered request (streams: once their head is written). */
  onDone?: (done: RequestDone) => void;
}

/** What the dispatcher knows of a request it answers, for writing and reporting the answer. */
interface Answered {
  id: string;
  method: string;
  secure: boolean;
  ip: string;
  notes: RequestNotes;
  began: number;
}

/** A route's reply and the pattern that matched (null when none did). */
class Answer {
  constructor(
    readonly reply: Reply,
    readonly route: string | null,
  ) {}
}

function asReply(value: unknown): Reply {
  return value instanceof Reply ? value : json(value ?? null);
}

/**
 * An upgraded socket's error listener, shared. WHY not a closure: it stays on the socket for
 * the connection's life, and a closure made in `upgrade` would keep that call's variables (the
 * request with its headers, the parsed URL) alive with it: about 2 KiB per open WebSocket.
 */
function destroyOnError(this: Duplex): void {
  this.destroy();
}

/** Answers a refused upgrade on the raw socket (no HTTP response object exists there). */
export function refuseUpgrade(socket: Duplex, status: number): void {
  socket.end(`HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}

/**
 * Where every HTTP request starts and ends, for both listeners: the route table picks the
 * handler (404 for an unknown path, 405 with `Allow` for a known path and another method),
 * the handler's reply or thrown error is written once. Nothing here ever redirects on its own
 * (SDKs read a 3xx as "the portal moved"). It also knows which responses are still being
 * written, so a shutdown can let them finish (`drain`).
 */
export function createDispatcher(table: Route[], deps: DispatchDeps) {
  const router = new Router(table);
  /** Responses not finished yet, open event streams included. */
  const open = new Set<ServerResponse>();
  /** Open event streams: ended first at shutdown (the browser reconnects elsewhere). */
  const streams = new Set<ServerResponse>();
  let answering = 0;
  let draining = false;
  let drained: (() => void) | null = null;

  /** The route's reply: at once when the handler answered at once, else a promise of it (never rejected). */
  function answer(req: IncomingMessage, base: RequestBase): Answer | Promise<Answer> {
    const { pathname, search } = splitTarget(req.url);
    const match = router.find(base.method, pathname);
    if (match.kind !== 'handler') {
      req.resume();
      return new Answer(match.kind === 'none' ? notFound() : empty(405, { Allow: match.allow.join(', ') }), null);
    }
    const request: HttpRequest = new IncomingRequest(base, pathname, search, match.params, req);
    const pattern = match.pattern;
    try {
      const value = match.handler(request);
      if (value instanceof Promise) return value.then((v: unknown) => new Answer(asReply(v), pattern), (err: unknown) => failed(err, request.id, pattern));
      return new Answer(asReply(value), pattern);
    } catch (err) {
      return failed(err, request.id, pattern);
    }
  }

  /** The answer to a handler's error (a RestError's own, else a logged 500). */
  function failed(err: unknown, id: string, route: string | null): Answer {
    return new Answer(jsonError(toRestError(err, tagged(deps.log, { request_id: id }))), route);
  }

  /** One listener shared by every response (`this` is the response closing): no closure per request. */
  function untrack(this: ServerResponse): void {
    open.delete(this);
    streams.delete(this);
    if (draining && open.size === 0) drained?.();
  }

  function track(res: ServerResponse): void {
    open.add(res);
    res.on('close', untrack);
  }

  /** `finish`, whose failure is the request's alone: nothing waits for the answer, never the event loop. */
  function finishQuietly(req: IncomingMessage, res: ServerResponse, done: Answer, r: Answered): void {
    try {
      finish(req, res, done, r);
    } catch {
      // the answer could not be written (the connection is gone): nothing else to do
    }
  }

  /** Writes the answer (a 500 if Node refuses it) and reports the request. */
  function finish(req: IncomingMessage, res: ServerResponse, done: Answer, r: Answered): void {
    answering--;
    if (res.headersSent) {
      res.destroy();
      return;
    }
    const head = r.method === 'HEAD';
    // While shutting down, every answer closes its connection: no new request rides on it.
    const lead = draining ? ['X-Request-Id', r.id, 'Connection', 'close'] : ['X-Request-Id', r.id];
    try {
      writeReply(res, done.reply, head, lead);
    } catch (err) {
      // A reply Node refuses to write (a header value with a line break) is our bug: a 500,
      // never an unhandled rejection that takes the process down.
      if (res.headersSent) {
        res.destroy();
        return;
      }
      for (const name of res.getHeaderNames()) res.removeHeader(name);
      done = failed(err, r.id, done.route);
      writeReply(res, done.reply, head, lead);
    }
    if (done.reply.open && !head) {
      streams.add(res);
      if (draining) res.end();
    }
    deps.onDone?.({
      id: r.id, method: r.method, target: req.url ?? '/', route: done.route, status: res.statusCode, ms: performance.now() - r.began,
      secure: r.secure, ip: r.ip, error: done.reply.error, notes: r.notes,
    });
  }

  /** One request: its route's answer written at once, or once the handler's promise settles (never rejected). */
  function handle(req: IncomingMessage, res: ServerResponse, secure: boolean): void | Promise<void> {
    const began = performance.now();
    const id = requestId(req.headers);
    track(res);
    answering++;
    const { ip, origin } = requestInfo(req, secure, deps.trustProxy);
    const method = req.method ?? 'GET';
    const notes: RequestNotes = {};
    let done: Answer | Promise<Answer>;
    try {
      done = answer(req, { id, notes, method, headers: req.headers, secure, ip, origin });
    } catch (err) {
      done = failed(err, id, null);
    }
    const about: Answered = { id, method, secure, ip, notes, began };
    if (done instanceof Promise) return done.then((d) => finishQuietly(req, res, d, about));
    hold(req, res, done, about);
  }

  /** Answers made at once, written together at the end of the phase that made them (`hold`). */
  let held: Array<[IncomingMessage, ServerResponse, Answer, Answered]> = [];

  function writeHeld(): void {
    if (held.length === 0) return;
    const list = held;
    held = [];
    for (const [req, res, done, r] of list) finishQuietly(req, res, done, r);
  }

  /**
   * WHY: a load generator that waits on its sockets is woken by the kernel for every answer
   * that reaches it alone, and on a virtual machine that wake-up is paid by the writer (the
   * server) and costs as much as a small request. Answers the handlers gave at once are
   * written one after the other once the turn's requests were started, so one wake-up serves
   * several. Answers that came later (after a commit) already go out together.
   */
  function hold(req: IncomingMessage, res: ServerResponse, done: Answer, r: Answered): void {
    // The first held answer schedules the write; a turn's end may write them all before it runs.
    if (held.push([req, res, done, r]) === 1) setImmediate(writeHeld);
  }

  return {
    /**
     * Answers one request; the promise (when the handler waits) settles once the answer is
     * written. An answer given at once is written with the turn's others (`hold`). Never throws or rejects.
     */
    request(req: IncomingMessage, res: ServerResponse, secure: boolean): void | Promise<void> {
      try {
        return handle(req, res, secure);
      } catch {
        // Nothing waits for the answer: a failure to answer is the request's, never the event loop's.
      }
    },

    /** The admission started this turn's requests: what they answered at once is written now. */
    turnEnded: writeHeld,

    upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
      socket.on('error', destroyOnError);
      const url = targetUrl(req.url);
      const handler = router.findUpgrade(url.pathname);
      if (!handler) return refuseUpgrade(socket, 404);
      Promise.resolve()
        .then(() => handler(req, socket, head, url))
        .catch((err) => {
          deps.log.error('upgrade failed', { err });
          refuseUpgrade(socket, 500);
        });
    },

    /** Requests being answered now (the head of their answer not written yet). */
    inFlight(): number {
      return answering;
    },

    /**
     * Lets the responses in progress finish, for at most `deadlineMs`: open event streams are
     * ended at once, every answer from now on closes its connection. Resolves when none is
     * left, or at the deadline (the caller then closes what remains).
     */
    /** `queued`: resolves once requests read but not yet handed over (admission) have started. */
    async drain(deadlineMs: number, queued: Promise<void> = Promise.resolve()): Promise<void> {
      // Answers not written yet see `draining` when they are, and close their connection.
      draining = true;
      for (const res of streams) res.end();
      await queued;
      if (open.size === 0) return;
      await settledWithin(new Promise<void>((resolve) => (drained = resolve)), deadlineMs);
    },
  };
}

export type Dispatcher = ReturnType<typeof createDispatcher>;
