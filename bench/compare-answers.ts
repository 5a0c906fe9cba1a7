/**
 * `node --import tsx bench/compare-answers.ts --against <checkout> [--show]`: the raw HTTP answers
 * (status line, headers, body bytes) of this checkout's server and another checkout's, to the
 * same ~50 requests on copies of the same data — REST calls over JSON, XML, form, multipart and
 * chunked bodies, GET/POST/PUT/HEAD/OPTIONS, errors, failed authentication, odd targets, batch,
 * the site's own endpoints — compared byte for byte with only what changes by itself masked
 * (generated X-Request-Id values, dates, the time block's figures, Content-Length with them).
 * For changes to the REST edge that must not change a single answer. Exits 1 on a difference.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { join } from 'node:path';
import { placement, spawnServer } from './lib/child.ts';
import { makeBase, makeDataset, runCopy } from './lib/dataset.ts';
import { serverArgs, serverEnv } from './lib/notify24.ts';

function raw(url: string, text: string): Promise<string> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const s = connect(Number(u.port), u.hostname);
    let buf = Buffer.alloc(0);
    const done = () => { s.destroy(); resolve(buf.toString('latin1')); };
    s.on('data', (d) => {
      buf = Buffer.concat([buf, d]);
      const i = buf.indexOf('\r\n\r\n');
      if (i < 0) return;
      const h = buf.subarray(0, i).toString('latin1');
      const len = Number(/content-length: (\d+)/i.exec(h)?.[1] ?? 0);
      const isHead = text.startsWith('HEAD');
      if (buf.length >= i + 4 + (isHead ? 0 : len)) done();
    });
    s.on('end', done);
    s.on('error', reject);
    s.setTimeout(3000, () => done());
    s.write(text);
  });
}

const mask = (s: string) => s
  .replace(/X-Request-Id: [0-9a-f-]{36}/gi, 'X-Request-Id: <uuid>')
  .replace(/Date: [^\r]+/g, 'Date: <date>')
  .replace(/"(start|finish|duration|processing|operating_reset_at|operating)":[0-9.e-]+/g, '"$1":<n>')
  .replace(/<(start|finish|duration|processing|operating_reset_at|operating)>[0-9.e-]+</g, '<$1><n><')
  .replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d/g, '<iso>')
  .replace(/Content-Length: \d+/g, 'Content-Length: <len>');

function req(method: string, path: string, headers: Record<string, string> = {}, body = ''): string {
  let h = `${method} ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\n`;
  for (const [k, v] of Object.entries(headers)) h += `${k}: ${v}\r\n`;
  if (body && !headers['Transfer-Encoding']) h += `Content-Length: ${Buffer.byteLength(body)}\r\n`;
  return `${h}\r\n${body}`;
}

const { values } = parseArgs({ options: { against: { type: 'string' }, show: { type: 'boolean' } } });
if (!values.against) throw new Error('--against <checkout>: the tree to compare with (built)');
const p = placement();
const workDir = mkdtempSync(join(tmpdir(), 'x-cmp-'));
const ds = makeDataset(await makeBase(workDir, p), workDir, 50);
const C = ds.webhookCode;
const J = { 'Content-Type': 'application/json', 'X-Request-Id': 'cmp-1' };
const F = { 'Content-Type': 'application/x-www-form-urlencoded' };
const boundary = 'XyZ';
const mp = `--${boundary}\r\nContent-Disposition: form-data; name="USER_ID"\r\n\r\n1\r\n--${boundary}\r\nContent-Disposition: form-data; name="MESSAGE"\r\n\r\nmultipart hi\r\n--${boundary}--\r\n`;
const R = (m: string) => `/rest/1/${C}/${m}`;
const cases: string[] = [
  req('POST', R('server.time.json'), J, JSON.stringify({ USER_ID: 1, MESSAGE: 'x' })),
  req('POST', R('server.time.xml'), J, '{}'),
  req('GET', R('server.time?x=1&y[]=2')),
  req('GET', R('SERVER.TIME.JSON')),
  req('POST', R('im.notify.system.add'), F, 'USER_ID=1&MESSAGE=hello+%5Bb%5Dworld%5B%2Fb%5D'),
  req('POST', R('im.notify.system.add.json'), J, JSON.stringify({ USER_ID: 1, MESSAGE: 'json hi', TAG: 't1' })),
  req('POST', R('im.notify.system.add.xml'), { 'Content-Type': `multipart/form-data; boundary=${boundary}` }, mp),
  req('POST', R('im.notify.get'), J, JSON.stringify({ LIMIT: 3 })),
  req('POST', R('im.notify.get.xml'), J, JSON.stringify({ LIMIT: 2 })),
  req('POST', R('im.notify.read'), J, JSON.stringify({ ID: 3, ONLY_CURRENT: 'Y' })),
  req('POST', R('im.notify.read'), J, JSON.stringify({ ID: 999999 })),
  req('POST', R('batch'), J, JSON.stringify({ halt: 0, cmd: { a: 'server.time', b: 'im.notify.system.add?USER_ID=1&MESSAGE=b', c: 'nope.nope' } })),
  req('POST', `/rest/1/wrongcode123/server.time`, J, '{}'),
  req('POST', `/rest/2/${C}/server.time`, J, '{}'),
  req('POST', `/rest/abc/${C}/server.time`, J, '{}'),
  req('POST', R('no.such.method'), J, '{}'),
  req('HEAD', R('server.time')),
  req('HEAD', R('no.such')),
  req('OPTIONS', R('server.time'), { Origin: 'http://x', 'Access-Control-Request-Method': 'POST' }),
  req('GET', '/rest/'),
  req('GET', '/rest/server.time'),
  req('GET', `/rest/server.time?auth=badtoken`),
  req('POST', `/rest/server.time`, F, `aplogin=1&ap=${C}`),
  req('POST', `/rest/server.time?aplogin=1&ap=wrong`, F, ''),
  req('GET', '/nope'),
  req('DELETE', '/login'),
  req('GET', '/healthz'),
  req('GET', '/readyz'),
  req('GET', '/session'),
  req('GET', `//rest/1/${C}/server.time`),
  req('GET', `/rest/1/${C}/./server.time`),
  req('GET', `/rest/1/${C}/server%2Etime`),
  req('GET', `/rest/1/${C}/server.time#frag`),
  req('GET', `/rest/1/${C}//server.time/`),
  req('GET', `/rest/1/${C}/%zz`),
  req('POST', R('server.time'), { 'Content-Type': 'text/plain', 'X-Request-Id': 'bad id with spaces' }, 'a=1'),
  req('POST', R('server.time'), { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' }, '5\r\n{"A":\r\n2\r\n1}\r\n0\r\n\r\n'),
  req('POST', R('server.time'), { 'Content-Type': 'application/json', Connection: 'close' }, '[1,2]'),
  req('POST', R('server.time'), { 'Content-Type': 'application/json' }, '{"A":'),
  req('POST', R('server.time'), { 'Content-Type': 'APPLICATION/JSON; charset=utf-8' }, '{"start":5,"state":1,"method":"x"}'),
  req('PUT', R('server.time'), J, '{}'),
  req('POST', R('user.current'), J, '{}'),
  req('POST', R('profile'), J, '{}'),
  req('POST', R('scope'), J, '{}'),
  req('POST', R('methods'), J, '{"full":1}'),
  req('POST', R('im.notify.delete'), J, '{"ID":2}'),
  req('POST', R('im.notify.system.add'), J, '{"USER_ID":1}'),
  req('POST', R('im.notify.system.add'), J, JSON.stringify({ USER_ID: 1, MESSAGE: 'x', ATTACH: 'not json' })),
  req('GET', R('server.time?' + 'a[b][c][d]=1&'.repeat(3))),
  req('POST', R('event.bind'), J, '{"event":"x"}'),
  req('GET', '/rest/1/' + C),
  req('GET', '/favicon.ico'),
  req('GET', '/console/api/me'),
];
const sides = [{ label: 'other', cwd: resolve(values.against) }, { label: 'this', cwd: undefined }];
const out: string[][] = [];
for (const side of sides) {
  const copy = runCopy(ds, workDir, `cmp-${side.label}`);
  const server = await spawnServer({ args: serverArgs(), env: { ...serverEnv(copy.dir), NOTIFY24_RATE_LIMIT: 'off' }, readyPath: '/readyz', placement: p, cwd: side.cwd });
  const answers: string[] = [];
  try {
    for (const c of cases) answers.push(await raw(server.url, c.replaceAll('127.0.0.1', new URL(server.url).host)));
  } finally { await server.stop(); }
  out.push(answers);
}
let diff = 0;
for (let i = 0; i < cases.length; i++) {
  const a = mask(out[0]![i]!), b = mask(out[1]![i]!);
  if (a !== b) { diff++; console.log(`DIFF #${i} ${cases[i]!.split('\r\n')[0]}\n--- other\n${a}\n--- this\n${b}\n`); }
}
console.log(`${cases.length} requests, ${diff} differ`);
if (values.show) for (let i = 0; i < cases.length; i++) console.log(`#${i} ${cases[i]!.split('\r\n')[0]}\n${mask(out[1]![i]!)}\n`);
rmSync(workDir, { recursive: true, force: true });
if (diff) process.exit(1);
