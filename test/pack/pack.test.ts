import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { after, before, test } from 'node:test';
import { testDatabaseUrl } from '../helpers/services.ts';

const repo = resolve(import.meta.dirname, '../..');
const consumerSources = join(import.meta.dirname, 'consumer');
let work: string;
let project: string;
let installed: string;

/**
 * What `npm install notify24-x.tgz` puts in a project, without the network: the tarball
 * unpacked as node_modules/notify24, and each package it declares in `dependencies` (plus the
 * SDK and @types/node the consumer itself uses) linked from this checkout's node_modules. A
 * runtime import of anything not declared would fail to resolve from there.
 */
function installTarball(tarball: string, into: string): string {
  const modules = join(into, 'node_modules');
  const pkgDir = join(modules, 'notify24');
  mkdirSync(pkgDir, { recursive: true });
  execFileSync('tar', ['-xzf', tarball, '-C', pkgDir, '--strip-components=1']);
  const manifest = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
  for (const name of [...Object.keys(manifest.dependencies), '@bitrix24/b24jssdk', '@types/node']) {
    const link = join(modules, name);
    mkdirSync(dirname(link), { recursive: true });
    symlinkSync(join(repo, 'node_modules', name), link, 'dir');
  }
  return pkgDir;
}

/** The environment of a plain Node process: no tsx loader, no test-runner state from this one. */
function plainEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!/^(NODE_OPTIONS|NODE_TEST_CONTEXT|NODE_TLS_REJECT_UNAUTHORIZED)$/.test(k)) env[k] = v;
  return { ...env, ...extra };
}

before(() => {
  work = mkdtempSync(join(tmpdir(), 'notify24-pack-'));
  // `npm pack` runs `prepare` (the build: bundles and declarations) and applies `files`. It runs
  // in a copy of the checkout, so rebuilding dist/ never races tests that run the CLI from it.
  const copy = join(work, 'checkout');
  for (const entry of ['package.json', 'README.md', 'bin', 'src', 'scripts', 'tsconfig.json', 'tsconfig.types.json']) {
    cpSync(join(repo, entry), join(copy, entry), { recursive: true });
  }
  symlinkSync(join(repo, 'node_modules'), join(copy, 'node_modules'), 'dir');
  const out = execFileSync('npm', ['pack', '--silent', '--pack-destination', work], { cwd: copy, encoding: 'utf8' });
  const tarball = join(work, out.trim().split('\n').pop()!);
  project = join(work, 'consumer-project');
  mkdirSync(project);
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
  installed = installTarball(tarball, project);
  cpSync(consumerSources, project, { recursive: true });
});
after(() => rmSync(work, { recursive: true, force: true }));

test('the tarball holds the bundles, declarations and pages, and no TypeScript sources or tests', () => {
  const files = (dir: string): string[] => readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(join(dir, e.name)) : [join(dir, e.name).slice(installed.length + 1)]));
  const all = files(installed);
  for (const f of ['package.json', 'bin/notify24.js', 'dist/index.mjs', 'dist/notify24.mjs', 'dist/types/index.d.ts', 'src/web/static/center.html', 'src/web/i18n/en.json']) assert.ok(all.includes(f), f);
  assert.deepEqual(all.filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts')), []);
  assert.deepEqual(all.filter((f) => f.startsWith('test/')), []);
});

test('a node:test file in another project imports startPortal and drives it with @bitrix24/b24jssdk over HTTPS', () => {
  const env = plainEnv(process.env.NOTIFY24_TEST_STORE === 'postgres' ? { PORTAL_DATABASE_URL: testDatabaseUrl() } : {});
  const run = spawnSync(process.execPath, ['--test', '--test-reporter=tap', 'portal.test.mjs'], { cwd: project, env, encoding: 'utf8', timeout: 120_000 });
  assert.equal(run.status, 0, `${run.stdout}\n${run.stderr}`);
  assert.match(run.stdout, /^# pass 3$/m);
  assert.match(run.stdout, /^# fail 0$/m);
});

test('the installed declarations type-check a consumer (and refuse wrong calls)', () => {
  const tsc = join(repo, 'node_modules/typescript/bin/tsc');
  const run = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.json'], { cwd: project, encoding: 'utf8', timeout: 120_000 });
  assert.equal(run.status, 0, `${run.stdout}\n${run.stderr}`);
});

test('the installed CLI runs from the bundle without the sources', () => {
  const run = spawnSync(process.execPath, [join(installed, 'bin/notify24.js'), 'help'], { cwd: project, env: plainEnv({}), encoding: 'utf8', timeout: 60_000 });
  assert.equal(run.status, 0, run.stderr);
  assert.match(run.stdout, /usage: notify24/);
});
