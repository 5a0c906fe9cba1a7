import { setDefaultHighWaterMark } from 'node:stream';
import type { Config } from '../config.ts';
import { withPublicUrl } from '../http/addresses.ts';
import { webhookUrls } from '../identity/accounts.ts';
import { ensureBootstrap } from '../identity/bootstrap.ts';
import { startServer } from '../server.ts';
import { isAcceptorPrimary, leaveAcceptor, runAcceptor, shutdownRequested } from './acceptor.ts';

/**
 * The byte streams' buffering threshold in a serving process (Node's default is 16 KiB).
 * WHY: a first page of `im.notify.get` is ~16.5 KiB. Over TLS a write is acknowledged only in a
 * later turn of the event loop, so an answer above the threshold leaves its socket "needing
 * drain" when the client's next request arrives, and Node's HTTP server then stops and restarts
 * reading that socket (two epoll_ctl calls and stream work per request; 3–8 % of an HTTPS get's
 * CPU, side by side). Set for the whole process, so only where the process is notify24's own
 * (not in the test kit, which runs inside an integrator's process).
 */
export const STREAM_HIGH_WATER_MARK = 64 * 1024;

/**
 * `notify24 serve`: runs until SIGINT/SIGTERM, printing the URLs a newcomer needs. On the
 * signal it shuts down gracefully (`RunningServer.close`) and returns 0; a second signal
 * during that stops the process at once.
 */
export async function serve(config: Config, out: (line: string) => void): Promise<number> {
  if (isAcceptorPrimary(config.acceptor)) return runAcceptor();
  setDefaultHighWaterMark(false, STREAM_HIGH_WATER_MARK);
  const server = await startServer(config);
  const admin = await ensureBootstrap(server.services);
  const bases = withPublicUrl({ http: server.httpUrl, https: server.httpsUrl }, config.publicUrl);
  const base = bases.http ?? bases.https!;
  out(`notify24 listening on ${server.httpUrl}${server.httpsUrl ? ` and ${server.httpsUrl}` : ''}`);
  out(`database: ${config.databaseUrl}`);
  if (admin) {
    const urls = webhookUrls(bases, admin.userId, admin.code);
    out(`webhook URL (user ${admin.userId}, scopes im,user; HTTPS for official SDKs):`);
    if (urls.http) out(`  ${urls.http}`);
    if (urls.https) out(`  ${urls.https}`);
  }
  out(`notification center: ${base}/  (console: ${base}/console)`);
  if (server.metricsUrl) out(`metrics: ${server.metricsUrl}`);
  const adminUser = admin ? await server.services.store.users.byId(admin.userId) : null;
  if (adminUser) {
    // The page greets the administrator by name ("Administrator"); signing in takes the login.
    out(`administrator: sign in with the login "${adminUser.login}" (shown as "${adminUser.name}")`);
    if (!adminUser.passwordHash) out(`  it has no password yet: npx notify24 user passwd --login ${adminUser.login} --password <new password>`);
  }
  if (server.tls?.selfSigned) {
    out(`HTTPS uses a self-signed certificate: ${server.tls.certFile}`);
    out(`  (curl -k, or NODE_EXTRA_CA_CERTS=${server.tls.certFile} for Node clients)`);
  }
  const signal = await new Promise<NodeJS.Signals | 'shutdown'>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
    void shutdownRequested()?.then(resolve);
  });
  const { log } = server.services;
  log.info('shutting down', { signal, grace_ms: config.shutdownTimeoutMs });
  const now = (again: NodeJS.Signals) => {
    log.warn('stopped without finishing', { signal: again });
    process.exit(1);
  };
  process.once('SIGINT', now);
  process.once('SIGTERM', now);
  await server.close();
  log.info('stopped');
  leaveAcceptor();
  return 0;
}
