/**
 * The REST rows over HTTPS, each as a ratio to an HTTPS floor: the bare floor server of the
 * HTTP rows answering over `node:https` with the same kind of certificate notify24 generates
 * for itself (self-signed RSA 2048 for localhost). autocannon keeps its connections alive, so
 * the figures are the TLS record cost per request plus one handshake per connection, as for a
 * client with a keep-alive pool.
 */
import { readFileSync } from 'node:fs';
import { request } from 'node:https';
import { join } from 'node:path';
import { writeSelfSigned } from '../../src/http/tls.ts';
import { spawnServer, type Child } from './child.ts';
import { runCopy, type Dataset } from './dataset.ts';
import type { Request } from './load.ts';
import type { Row } from './report.ts';
import { load, loadRow, startNotify24, type Ctx, type RestCase } from './rows.ts';

const ROOT = new URL('../../', import.meta.url).pathname;

export interface TlsFiles {
  cert: string;
  key: string;
}

/** One certificate for the whole run, made as notify24 makes its own on a first start. */
export async function makeTls(workDir: string): Promise<TlsFiles> {
  const dir = join(workDir, 'tls');
  await writeSelfSigned(dir);
  return { cert: join(dir, 'tls-cert.pem'), key: join(dir, 'tls-key.pem') };
}

function httpsUrl(server: Child): string {
  if (!server.httpsUrl) throw new Error('the server printed no https:// URL');
  return server.httpsUrl;
}

/**
 * One answer checked by hand over HTTPS (the HTTP rows' probe uses fetch, which refuses a
 * self-signed certificate): a REST error inside a 200 must not pass for a fast request.
 */
function probe(base: string, r: Request, tls: TlsFiles): Promise<void> {
  const req = typeof r.setupRequest === 'function' ? r.setupRequest({ ...r }, {}) : r;
  return new Promise((resolve, reject) => {
    const body = req.body === undefined ? undefined : String(req.body);
    const call = request(base + req.path, { method: req.method, headers: req.headers as Record<string, string>, ca: readFileSync(tls.cert) }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += String(c)));
      res.on('end', () => (res.statusCode !== 200 || /"error"\s*:/.test(text) ? reject(new Error(`probe ${req.path} over HTTPS: HTTP ${res.statusCode} ${text.slice(0, 200)}`)) : resolve()));
    });
    call.on('error', reject);
    call.end(body);
  });
}

/** A floor of the HTTPS rows (the bench measures one before them and one after). */
export async function httpsFloorRow(ctx: Ctx, sample: Request, tls: TlsFiles, name = 'floor, HTTPS (bare node:https, fixed JSON)'): Promise<Row> {
  const floor = await spawnServer({ args: ['--import', 'tsx', join(ROOT, 'bench/floor-server.ts'), '--cert', tls.cert, '--key', tls.key], readyPath: '/', placement: ctx.placement });
  try {
    const m = await load(ctx, httpsUrl(floor), [sample], false, floor.pid);
    return loadRow(name, m, 'same connections (kept alive) and request as the send row; the HTTPS rows are measured against the higher HTTPS floor');
  } finally {
    await floor.stop();
  }
}

/** `im.notify.system.add over HTTPS`, and so on: one fresh server and data copy per case (ratios set by the caller). */
export async function httpsRows(ctx: Ctx, ds: Dataset, cases: RestCase[], tls: TlsFiles): Promise<Row[]> {
  const rows: Row[] = [];
  for (const c of cases) {
    const copy = runCopy(ds, ctx.workDir, 'https');
    const server = await startNotify24(ctx, copy.dir, { NOTIFY24_HTTPS_PORT: '0', NOTIFY24_TLS_CERT: tls.cert, NOTIFY24_TLS_KEY: tls.key });
    try {
      const requests = c.requests(copy);
      await probe(httpsUrl(server), requests[0]!, tls);
      const m = await load(ctx, httpsUrl(server), requests, false, server.pid);
      rows.push(loadRow(`${c.name} over HTTPS`, m, `${c.note(m.loaded, copy)}; vs the HTTPS floor`));
    } finally {
      await server.stop();
    }
  }
  return rows;
}
