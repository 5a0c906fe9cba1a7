import { MetricsRegistry } from './registry.ts';

/** Latency buckets in seconds: a fast local call is a few ms, a slow batch a few seconds. */
const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/**
 * Every metric the server exports, declared once (docs/operations.md lists them; a test keeps
 * the two equal). Modules are handed the few they feed (`Pick<ServerMetrics, 'pushSent'>`) and
 * never see prom-client. To add one: a line here, fed where the thing happens, a row in the
 * docs' table.
 */
export function declareMetrics(r: MetricsRegistry) {
  return {
    // HTTP edge (fed by observeRequests from the dispatcher's report of each request)
    httpRequests: r.counter({ name: 'notify24_http_requests_total', help: 'HTTP requests answered, by route pattern (`none`: no route matched), HTTP method and status', labels: ['route', 'method', 'status'] }),
    httpDuration: r.histogram({ name: 'notify24_http_request_duration_seconds', help: 'Time to answer an HTTP request (streams: until the head is sent), by route pattern', labels: ['route'], buckets: LATENCY_BUCKETS }),
    httpInFlight: r.gauge({ name: 'notify24_http_requests_in_flight', help: 'HTTP requests being answered now (open event streams not counted)' }),
    restRequests: r.counter({ name: 'notify24_rest_requests_total', help: 'REST calls answered, by REST method (`unknown` when not found or refused before), HTTP status and error code (empty on success)', labels: ['method', 'status', 'error'] }),
    restDuration: r.histogram({ name: 'notify24_rest_request_duration_seconds', help: 'Time to answer a REST call, by REST method', labels: ['method'], buckets: LATENCY_BUCKETS }),
    limitRefusals: r.counter({ name: 'notify24_rate_limit_refusals_total', help: 'Requests refused by a limit: `requests` (leaky bucket), `operating_time`, `sign_in` (sign-in throttle)', labels: ['limit'] }),
    // Push channel of the web page
    pushConnections: r.gauge({ name: 'notify24_push_connections', help: 'Open push connections, by transport (`websocket`, `sse`)', labels: ['transport'] }),
    pushSent: r.counter({ name: 'notify24_push_messages_sent_total', help: 'Push messages written to open connections, by transport', labels: ['transport'] }),
    pushSlowDropped: r.counter({ name: 'notify24_push_slow_dropped_total', help: 'Push connections closed because they stopped reading while messages piled up (WebSocket close code 4008), by transport', labels: ['transport'] }),
    // Event loop and accepting connections (sampled at scrape time)
    eventLoopDelay: r.gauge({ name: 'notify24_event_loop_delay_seconds', help: 'Event-loop delay since the previous scrape (how late a 10 ms timer ran), by `stat`: `p50`, `p99`, `max`', labels: ['stat'] }),
    acceptQueue: r.gauge({ name: 'notify24_accept_queue_connections', help: 'Connections completed by the kernel and waiting to be accepted, by listener (`http`, `https`; Linux)', labels: ['listener'] }),
    listenOverflows: r.gauge({ name: 'notify24_host_listen_overflows', help: 'Times a listening socket on this host found its accept queue full, since boot (host-wide `ListenOverflows`; Linux)' }),
    connectionsAccepted: r.counter({ name: 'notify24_connections_accepted_total', help: 'TCP connections accepted, by listener (`http`, `https`)', labels: ['listener'] }),
    // Event delivery to applications
    eventQueueDepth: r.gauge({ name: 'notify24_event_deliveries_pending', help: 'Event deliveries waiting to be posted or retried (all nodes: the queue is shared)' }),
    eventAttempts: r.counter({ name: 'notify24_event_delivery_attempts_total', help: 'Event delivery attempts, by outcome: `delivered`, `retry` (failed, will be retried), `failed` (given up)', labels: ['outcome'] }),
    webPushQueueDepth: r.gauge({ name: 'notify24_web_push_pending', help: 'Web pushes waiting to be sent, retried, or held by do-not-disturb and quiet hours (all nodes: the queue is shared)' }),
    webPushAttempts: r.counter({ name: 'notify24_web_push_attempts_total', help: 'Web Push attempts to one browser, by outcome: `sent`, `retry`, `failed` (given up), `gone` (404/410: subscription removed), `held` (do not disturb), `off` (switched off for the type), `skipped` (read or deleted first)', labels: ['outcome'] }),
    // E-mail for unread notifications (docs/delivery.md)
    mailQueueDepth: r.gauge({ name: 'notify24_mail_outbox_queued', help: 'E-mail outbox items waiting for their delay, a hold or a retry (all nodes: the outbox is shared)' }),
    mailItems: r.counter({ name: 'notify24_mail_items_total', help: 'E-mail outbox items handled by the e-mail job, by outcome: `sent`, `retry` (SMTP failed, will be retried), `failed` (given up or SMTP unusable), `captured` (no SMTP configured), `cancelled` (read, deleted, switched off, no address), `held` (do not disturb, quiet hours)', labels: ['outcome'] }),
    // Background jobs and the store
    jobRuns: r.counter({ name: 'notify24_job_runs_total', help: 'Background job runs, by job and outcome (`ok`, `failed`)', labels: ['job', 'outcome'] }),
    storeErrors: r.counter({ name: 'notify24_store_query_errors_total', help: 'Store queries that failed (connection lost, constraint, timeout), by engine', labels: ['engine'] }),
  };
}

export type ServerMetrics = ReturnType<typeof declareMetrics>;

/** A registry with the server's metrics declared: `registry` to load and scrape, `metrics` to feed. */
export function createMetrics(): { registry: MetricsRegistry; metrics: ServerMetrics } {
  const registry = new MetricsRegistry();
  return { registry, metrics: declareMetrics(registry) };
}

/** docs/operations.md's metrics table, generated from the declarations (`npm run docs:tables`). */
export function metricsTable(): string {
  const rows = createMetrics().registry.declared().map((d) =>
    `| \`${d.name}\` | ${d.kind} | ${d.labels.map((l) => `\`${l}\``).join(', ') || '—'} | ${d.help} |`);
  return ['| metric | type | labels | meaning |', '|---|---|---|---|', ...rows].join('\n');
}
