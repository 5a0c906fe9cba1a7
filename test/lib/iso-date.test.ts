/**
 * isoDate formats from a cached zone offset and day: it must print exactly what formatting each
 * date from scratch prints, across daylight-saving changes and zones with odd offsets.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isoDate } from '../../src/lib/clock.ts';

/** `date('c')` computed from scratch for every date. */
function fromScratch(ms: number): string {
  const offsetMin = -new Date(ms).getTimezoneOffset();
  const abs = Math.abs(offsetMin);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${new Date(ms + offsetMin * 60_000).toISOString().slice(0, 19)}${offsetMin >= 0 ? '+' : '-'}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}

test('isoDate equals formatting from scratch in zones with DST, half- and quarter-hour offsets', () => {
  const zone = process.env.TZ;
  try {
    for (const tz of ['UTC', 'Europe/Berlin', 'America/St_Johns', 'Asia/Kathmandu', 'Australia/Lord_Howe', 'Pacific/Chatham', 'America/Sao_Paulo']) {
      process.env.TZ = tz;
      // Every DST change of 2026 at both edges, plus random instants over 1990–2040.
      const instants: number[] = [];
      for (let ms = Date.UTC(2026, 0, 1); ms < Date.UTC(2027, 0, 1); ms += 900_000) instants.push(ms - 1, ms);
      for (let i = 0; i < 5000; i++) instants.push(Date.UTC(1990, 0, 1) + Math.floor(Math.random() * 50 * 365.25 * 86_400_000));
      for (const ms of instants) assert.equal(isoDate(ms), fromScratch(ms), `${tz} ${ms}`);
    }
  } finally {
    if (zone === undefined) delete process.env.TZ;
    else process.env.TZ = zone;
  }
});
