// Preloaded into a server (`node --import`) by bench/pg-cpu.ts: counts the statements sent to
// PostgreSQL and the commands sent to Redis, by kind, and writes the tallies as JSON to
// $NOTIFY24_BENCH_TRIPS_FILE on SIGUSR2. The drivers are loaded from the server's checkout.
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const require = createRequire(join(process.cwd(), 'package.json'));
const tally = { pg: {}, redis: {} };
const bump = (side, key) => (tally[side][key] = (tally[side][key] ?? 0) + 1);

const { Client } = require('pg');
const query = Client.prototype.query;
Client.prototype.query = function (config, ...rest) {
  const text = typeof config === 'string' ? config : config?.text ?? config?.name ?? '?';
  bump('pg', String(text).replace(/\s+/g, ' ').trim().slice(0, 90));
  return query.call(this, config, ...rest);
};
const { Redis } = require('ioredis');
const send = Redis.prototype.sendCommand;
Redis.prototype.sendCommand = function (command, ...rest) {
  bump('redis', `${command?.name ?? '?'}${command?.name === 'evalsha' || command?.name === 'eval' ? '' : ''}`);
  return send.call(this, command, ...rest);
};
process.on('SIGUSR2', () => {
  writeFileSync(process.env.NOTIFY24_BENCH_TRIPS_FILE, JSON.stringify(tally));
  tally.pg = {};
  tally.redis = {};
});
