import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { configFromEnv, defaultConfig, settingsTable, SETTINGS } from '../../src/config.ts';
import { generatedSection } from '../../scripts/docs-tables.ts';

test('the README settings table is the declaration (run `npm run docs:tables` after changing it)', () => {
  const table = generatedSection(readFileSync('README.md', 'utf8'), 'settings');
  assert.ok(table !== null, 'README.md has its generated settings section');
  assert.equal(table, settingsTable());
  for (const s of Object.values(SETTINGS)) assert.ok(table.includes(`\`${s.env}\``), s.env);
});

test('variables are read with their types; empty ones count as unset', () => {
  const config = configFromEnv({
    NOTIFY24_PORT: '0',
    NOTIFY24_HTTPS_PORT: 'off',
    NOTIFY24_TRUST_PROXY: 'true',
    NOTIFY24_RATE_LIMIT: '10/0.5',
    NOTIFY24_OPERATING_LIMIT: 'on',
    NOTIFY24_SESSION_HOURS: '2',
    NOTIFY24_LOG_LEVEL: 'debug',
    NOTIFY24_DATA_DIR: 'somewhere',
    NOTIFY24_REDIS_URL: '',
  });
  assert.equal(config.port, 0);
  assert.equal(config.httpsPort, null);
  assert.equal(config.trustProxy, true);
  assert.deepEqual(config.rateLimit, { burst: 10, drain: 0.5 });
  assert.equal(config.operatingLimit, 420);
  assert.equal(config.sessionIdleMs, 2 * 3_600_000);
  assert.equal(config.logLevel, 'debug');
  assert.equal(config.databaseUrl, join(config.dataDir, 'notify24.db'));
  assert.equal(config.redisUrl, null);
  assert.deepEqual(configFromEnv({}), defaultConfig());
});

test('a bad value is refused with the variable named, and every bad one is listed', () => {
  const bad: Record<string, string> = {
    NOTIFY24_PORT: 'abc',
    NOTIFY24_HTTPS_PORT: '70000',
    NOTIFY24_LOG_LEVEL: 'loud',
    NOTIFY24_TRUST_PROXY: 'maybe',
    NOTIFY24_BODY_LIMIT: '-5',
    NOTIFY24_RATE_LIMIT: 'fast',
    NOTIFY24_PUBLIC_URL: 'example.com',
    NOTIFY24_RETENTION_PURGE_MS: 'hourly',
  };
  for (const [name, value] of Object.entries(bad)) {
    assert.throws(() => configFromEnv({ [name]: value }), (err: Error) => err.message.includes(`${name}: expected`) && err.message.includes(`"${value}"`), name);
  }
  assert.throws(() => configFromEnv(bad), (err: Error) => Object.keys(bad).every((name) => err.message.includes(name)));
});

/** `notify24 serve` as an operator runs it, with one setting changed. */
function serveWith(env: Record<string, string>) {
  const dataDir = mkdtempSync(join(tmpdir(), 'notify24-settings-'));
  try {
    return spawnSync(process.execPath, ['bin/notify24.js', 'serve'], {
      env: { ...process.env, NOTIFY24_DATA_DIR: dataDir, NOTIFY24_HTTPS_PORT: 'off', ...env },
      encoding: 'utf8',
      timeout: 30_000,
    });
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

test('`serve` with NOTIFY24_PORT=abc stops at once, naming the setting on stderr', () => {
  const run = serveWith({ NOTIFY24_PORT: 'abc' });
  assert.notEqual(run.status, 0);
  assert.match(run.stderr, /NOTIFY24_PORT: expected a port number .*"abc"/);
  assert.doesNotMatch(run.stdout, /listening/);
});

test('`serve` with NOTIFY24_LOG_LEVEL=loud stops at once, naming the setting on stderr', () => {
  const run = serveWith({ NOTIFY24_PORT: '0', NOTIFY24_LOG_LEVEL: 'loud' });
  assert.notEqual(run.status, 0);
  assert.match(run.stderr, /NOTIFY24_LOG_LEVEL: expected debug, info, warn, error, silent, got "loud"/);
  assert.doesNotMatch(run.stdout, /listening/);
});

test('`serve --port abc` is refused the same way, naming the flag', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'notify24-settings-'));
  try {
    const run = spawnSync(process.execPath, ['bin/notify24.js', 'serve', '--port', 'abc', '--data', dataDir], { encoding: 'utf8', timeout: 30_000 });
    assert.notEqual(run.status, 0);
    assert.match(run.stderr, /--port: expected a port number/);
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});
