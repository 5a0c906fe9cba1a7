/** Write load for the outage suite: sends with unique texts, every outcome recorded. */
import assert from 'node:assert/strict';
import { call } from '../helpers/http.ts';
import type { TestServer } from '../helpers/server.ts';

export interface Outcome {
  text: string;
  status: number;
  id: number | null;
  error: string | null;
  ms: number;
}

/**
 * Sends `count` notifications to `userId` through `hook`, `concurrency` at a time;
 * `onProgress(n)` runs after the n-th answer (the test stops or starts a service there).
 */
export async function sendLoad(hook: string, userId: number, label: string, count: number, concurrency: number, onProgress: (done: number) => Promise<void> | void = () => undefined): Promise<Outcome[]> {
  const outcomes: Outcome[] = [];
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const text = `${label}-${next++}`;
      const started = performance.now();
      const r = await call(hook, 'im.notify.system.add', { USER_ID: userId, MESSAGE: text });
      outcomes.push({ text, status: r.status, id: r.status === 200 ? Number(r.body.result) : null, error: r.body?.error ?? null, ms: performance.now() - started });
      await onProgress(outcomes.length);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return outcomes;
}

/**
 * The rule: every acknowledged send is stored exactly once (its id, its text), every refused
 * one (503 `refusedCode`) is not stored at all, and nothing else was answered.
 */
export async function assertAckedStoredOnce(ts: TestServer, userId: number, outcomes: Outcome[], refusedCode: string): Promise<void> {
  const rows = await ts.server.services.store.notifications.page(userId, false, null, null);
  const stored = new Map<string, number[]>();
  for (const r of rows) stored.set(r.text, [...(stored.get(r.text) ?? []), r.id]);
  const other = outcomes.filter((o) => o.status !== 200 && !(o.status === 503 && o.error === refusedCode));
  assert.deepEqual(other, [], 'every answer is an acknowledgement or the clear refusal');
  for (const o of outcomes) {
    if (o.status === 200) assert.deepEqual(stored.get(o.text), [o.id], `${o.text} acknowledged: stored once, with its id`);
    else assert.equal(stored.get(o.text), undefined, `${o.text} refused: not stored`);
  }
  const sent = new Set(outcomes.map((o) => o.text));
  assert.deepEqual([...stored.keys()].filter((t) => !sent.has(t)), [], 'nothing stored that was not sent');
}

/** The slowest answer, for the figures the suite reports (never asserted: timings vary by machine). */
export const slowestMs = (outcomes: Outcome[]): number => Math.round(Math.max(0, ...outcomes.map((o) => o.ms)));
