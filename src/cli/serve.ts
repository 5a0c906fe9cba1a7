import type { Config } from '../config.ts';
import { webhookUrl } from '../identity/accounts.ts';
import { ensureBootstrap } from '../identity/bootstrap.ts';
import { startServer } from '../server.ts';

/** `notify24 serve`: runs until SIGINT/SIGTERM, printing the URLs a newcomer needs. */
export async function serve(config: Config, out: (line: string) => void): Promise<number> {
  const server = await startServer(config);
  const admin = await ensureBootstrap(server.services);
  const base = config.publicUrl ?? server.httpUrl;
  out(`notify24 listening on ${server.httpUrl}${server.httpsUrl ? ` and ${server.httpsUrl}` : ''}`);
  out(`database: ${config.databaseUrl}`);
  if (admin) {
    out(`webhook URL (user ${admin.userId}, scopes im,user):`);
    out(`  ${webhookUrl(base, admin.userId, admin.code)}`);
    if (server.httpsUrl) out(`  ${webhookUrl(server.httpsUrl, admin.userId, admin.code)}`);
  }
  out(`notification center: ${base}/  (console: ${base}/console)`);
  const adminUser = admin ? await server.services.store.users.byId(admin.userId) : null;
  if (adminUser && !adminUser.passwordHash) {
    out(`  to sign in as ${adminUser.login}: npx notify24 user passwd --id ${adminUser.id} --password <new password>`);
  }
  if (server.tls?.selfSigned) {
    out(`HTTPS uses a self-signed certificate: ${server.tls.certFile}`);
    out(`  (curl -k, or NODE_EXTRA_CA_CERTS=${server.tls.certFile} for Node clients)`);
  }
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await server.close();
  return 0;
}
