// The page's end of the push channel: WebSocket first, SSE when WebSockets fail while the server
// answers, resuming from the last seen message id after every disconnect (the server replays
// what was missed, or sends `resync`: "reload, the gap is too big"). On SSE the page keeps
// probing for a WebSocket, so a fallback caused by an outage does not last.
//
// onState(state, info): 'ws' | 'sse' | 'offline' (info.retryAt: when the next attempt starts).

const PROBE_FIRST_MS = 2_000;
const PROBE_MAX_MS = 300_000;

export function openPush({ onMessage, onState }) {
  let lastId = null;
  let node = null; // the server process that numbered lastId (several nodes: a foreign id means resync)
  let useSse = false;
  let wsFailures = 0;
  let retryMs = 500;
  let retryTimer = null;
  let probeMs = PROBE_FIRST_MS;
  let probeTimer = null;
  let current = null;
  let stopped = false;

  const resumeQuery = () => (lastId === null ? '' : `?last=${lastId}${node ? `&node=${encodeURIComponent(node)}` : ''}`);

  const handle = (msg) => {
    if (!msg || typeof msg.id !== 'number') return;
    if (lastId !== null && msg.id <= lastId && msg.command !== 'resync' && msg.command !== 'ready') return;
    if (msg.command === 'ready' || msg.command === 'resync') lastId = msg.id;
    else lastId = Math.max(lastId ?? 0, msg.id);
    if (msg.command === 'ready' && typeof msg.params?.node === 'string') node = msg.params.node;
    onMessage(msg);
  };

  const reconnect = () => {
    if (stopped) return;
    clearTimeout(probeTimer);
    onState('offline', { retryAt: Date.now() + retryMs });
    clearTimeout(retryTimer);
    retryTimer = setTimeout(connect, retryMs);
    retryMs = Math.min(retryMs * 2, 10_000);
  };

  /** `probe`: an SSE connection is up; switch to this socket only if it opens. */
  function connectWs(probe = false) {
    const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
    const ws = new WebSocket(`${scheme}//${location.host}/ws${resumeQuery()}`);
    let opened = false;
    const mine = { close: () => ws.close(), kind: 'ws' };
    if (!probe) current = mine;
    ws.onopen = () => {
      opened = true;
      if (stopped) return ws.close();
      if (probe) {
        // Both may deliver for a moment: ids drop the duplicates.
        const sse = current;
        current = mine;
        sse?.close();
      }
      useSse = false;
      wsFailures = 0;
      retryMs = 500;
      probeMs = PROBE_FIRST_MS;
      onState('ws');
    };
    ws.onmessage = (e) => { try { handle(JSON.parse(e.data)); } catch { /* not ours */ } };
    ws.onclose = () => {
      if (current !== mine) {
        if (probe && !opened) scheduleProbe(); // still no WebSocket: stay on SSE, try later
        return;
      }
      if (!opened && ++wsFailures >= 2) useSse = true; // proxies that refuse upgrades: fall back
      reconnect();
    };
  }

  function scheduleProbe() {
    clearTimeout(probeTimer);
    probeTimer = setTimeout(() => { if (!stopped && current?.kind === 'sse') connectWs(true); }, probeMs);
    probeMs = Math.min(probeMs * 2, PROBE_MAX_MS);
  }

  function connectSse() {
    const source = new EventSource(`/events/stream${resumeQuery()}`);
    const mine = { close: () => source.close(), kind: 'sse' };
    current = mine;
    source.onopen = () => { retryMs = 500; onState('sse'); scheduleProbe(); };
    source.onmessage = (e) => { try { handle(JSON.parse(e.data)); } catch { /* not ours */ } };
    // EventSource would retry by itself with Last-Event-ID; we reconnect ourselves to keep one path.
    source.onerror = () => {
      source.close();
      if (current === mine) reconnect();
    };
  }

  function connect() {
    if (stopped) return;
    clearTimeout(retryTimer);
    if (useSse || typeof WebSocket === 'undefined') connectSse();
    else connectWs();
  }

  connect();
  return {
    get transport() { return current?.kind; },
    /** Drops the connection as a network failure would (the page resumes by itself). */
    drop() { current?.close(); },
    /** Tries again now instead of waiting for the retry timer (the banner's button). */
    retryNow() {
      if (stopped) return;
      retryMs = 500;
      connect();
    },
    stop() { stopped = true; clearTimeout(retryTimer); clearTimeout(probeTimer); current?.close(); },
  };
}
