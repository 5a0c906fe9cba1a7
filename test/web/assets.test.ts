/**
 * Every file the pages load — `/web/…` in the HTML, and each module a script imports — is on
 * the list of files served under /web/ and answers 200 with a JavaScript or CSS type. A file
 * a page loads but the server does not serve would otherwise fail only in a browser.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { ASSETS } from '../../src/http/handlers/pages.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

const STATIC = 'src/web/static';

let ts: TestServer;
before(async () => {
  ts = await startTestServer();
});
after(() => ts.close());

function referencedAssets(): Set<string> {
  const names = new Set<string>();
  for (const file of readdirSync(STATIC)) {
    const source = readFileSync(join(STATIC, file), 'latin1');
    if (file.endsWith('.html')) for (const m of source.matchAll(/["']\/web\/([\w.-]+)["']/g)) names.add(m[1]!);
    if (file.endsWith('.js') && file !== 'sw.js') {
      for (const m of source.matchAll(/(?:from\s*|import\s*\(\s*)["']\.\/([\w.-]+)["']/g)) names.add(m[1]!);
    }
  }
  return names;
}

test('every file the pages and their modules load is served under /web/', async () => {
  const referenced = referencedAssets();
  assert.ok(referenced.size > 5, `found ${[...referenced]}`);
  for (const name of referenced) {
    assert.ok(Object.hasOwn(ASSETS, name), `${name} is loaded by a page but not on the served list`);
    const res = await fetch(`${ts.url}/web/${name}`);
    await res.arrayBuffer();
    assert.equal(res.status, 200, name);
    assert.match(res.headers.get('content-type') ?? '', /javascript|css/, name);
  }
});
