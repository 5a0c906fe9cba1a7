// The page's end of the push channel: WebSocket first, SSE when WebSockets fail, resuming from
// the last seen message id after every disconnect. `resync` means "reload; the gap is too big".

export function openPush({ onMessage, onState }) {
  let lastId = null;
  let node = null; // the server process that numbered lastId (several nodes: a foreign id means resync)
  let useSse = false;
  let wsFailures = 0;
  let retryMs = 500;
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
    onState('offline');
    setTimeout(connect, retryMs);
    retryMs = Math.min(retryMs * 2, 10_000);
  };

  function connectWs() {
    const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
    const ws = new WebSocket(`${scheme}//${location.host}/ws${resumeQuery()}`);
    let opened = false;
    current = { close: () => ws.close(), kind: 'ws' };
    ws.onopen = () => { opened = true; wsFailures = 0; retryMs = 500; onState('ws'); };
    ws.onmessage = (e) => { try { handle(JSON.parse(e.data)); } catch { /* not ours */ } };
    ws.onclose = () => {
      if (!opened && ++wsFailures >= 2) useSse = true; // proxies that refuse upgrades: fall back
      reconnect();
    };
  }

  function connectSse() {
    const source = new EventSource(`/events/stream${resumeQuery()}`);
    current = { close: () => source.close(), kind: 'sse' };
    source.onopen = () => { retryMs = 500; onState('sse'); };
    source.onmessage = (e) => { try { handle(JSON.parse(e.data)); } catch { /* not ours */ } };
    // EventSource would retry by itself with Last-Event-ID; we reconnect ourselves to keep one path.
    source.onerror = () => { source.close(); reconnect(); };
  }

  function connect() {
    if (stopped) return;
    if (useSse || typeof WebSocket === 'undefined') connectSse();
    else connectWs();
  }

  connect();
  return {
    get transport() { return current?.kind; },
    /** Drops the connection as a network failure would (the page resumes by itself). */
    drop() { current?.close(); },
    stop() { stopped = true; current?.close(); },
  };
}
