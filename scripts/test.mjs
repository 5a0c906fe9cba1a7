#!/usr/bin/env node
// `npm test`: type-check, then run every test/**/*.test.ts with Node's own test runner
// (through tsx) twice: once over SQLite, once over PostgreSQL (the same files, only
// NOTIFY24_TEST_STORE differs). Pass file paths to run only those: `npm test -- test/rest/edge.test.ts`.
// The last line printed is always `N passed, N failed`, summed over both runs (CI reads it).
// PostgreSQL unreachable: the PostgreSQL run is reported as SKIPPED, or counted as a failure
// when NOTIFY24_REQUIRE_SERVICES=1.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

function testFiles(dir) {
  const out = [];
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...testFiles(path));
    else if (name.endsWith('.test.ts')) out.push(path);
  }
  return out;
}

const args = process.argv.slice(2);
const files = args.length ? args : testFiles('test');
const required = process.env.NOTIFY24_REQUIRE_SERVICES === '1';
const databaseUrl = process.env.NOTIFY24_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

if (!args.length) {
  const tsc = spawnSync(process.execPath, ['node_modules/typescript/bin/tsc', '--noEmit', '-p', '.'], { stdio: 'inherit' });
  if (tsc.status !== 0) {
    console.error('type check failed');
    console.log('0 passed, 1 failed');
    process.exit(tsc.status ?? 1);
  }
}

/** Runs the files with `env` added; the spec goes to the terminal, a TAP copy is counted. */
function runSuite(label, env) {
  console.log(`\n=== test run: ${label} ===`);
  const dir = mkdtempSync(join(tmpdir(), 'notify24-tap-'));
  const tap = join(dir, 'run.tap');
  const run = spawnSync(
    process.execPath,
    [
      '--import', 'tsx', '--test', '--test-concurrency=2',
      '--test-reporter=spec', '--test-reporter-destination=stdout',
      '--test-reporter=tap', `--test-reporter-destination=${tap}`,
      ...files,
    ],
    { stdio: 'inherit', env: { ...process.env, NODE_ENV: 'test', ...env } },
  );
  let text = '';
  try {
    text = readFileSync(tap, 'utf8');
  } catch {
    // no report: the runner itself failed, counted below
  }
  rmSync(dir, { recursive: true, force: true });
  const count = (name) => sumOf(text, name);
  const result = { passed: count('pass'), failed: count('fail') + count('cancelled'), skipped: count('skipped') };
  if (run.status !== 0 && result.failed === 0) result.failed = 1; // crashed or killed: never a pass
  console.log(`=== ${label}: ${result.passed} passed, ${result.failed} failed, ${result.skipped} skipped ===`);
  return result;
}

/** The top-level summary lines (`# pass N`) of a TAP report. */
function sumOf(text, name) {
  const m = new RegExp(`^# ${name} (\\d+)$`, 'm').exec(text);
  return m ? Number(m[1]) : 0;
}

async function postgresProblem() {
  const client = new pg.Client({ connectionString: databaseUrl, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.end();
    return null;
  } catch (err) {
    return err.message || String(err);
  }
}

const results = [runSuite('SQLite', { NOTIFY24_TEST_STORE: 'sqlite' })];
const problem = await postgresProblem();
if (!problem) {
  results.push(runSuite('PostgreSQL', { NOTIFY24_TEST_STORE: 'postgres', NOTIFY24_TEST_DATABASE_URL: databaseUrl }));
} else if (required) {
  console.log(`\n=== PostgreSQL run FAILED: ${databaseUrl} unreachable (${problem}) and NOTIFY24_REQUIRE_SERVICES=1 ===`);
  results.push({ passed: 0, failed: 1, skipped: 0 });
} else {
  console.log(`\n=== PostgreSQL run SKIPPED: ${databaseUrl} unreachable (${problem}); only SQLite was tested ===`);
}

const passed = results.reduce((n, r) => n + r.passed, 0);
const failed = results.reduce((n, r) => n + r.failed, 0);
const skipped = results.reduce((n, r) => n + r.skipped, 0);
if (skipped) console.log(`(${skipped} tests skipped in total: see the SKIPPED reasons above)`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
