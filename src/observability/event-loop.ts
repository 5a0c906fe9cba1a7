import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { Sample } from './registry.ts';

/** How often the delay is sampled (ms): a turn that runs longer shows up as a delay this fine. */
const RESOLUTION_MS = 10;

/**
 * Event-loop delay (how late a timer due every 10 ms actually ran) since the previous reading,
 * as `[{stat}, seconds]` for p50, p99 and max. Every request, accept and timer waits behind a
 * long turn, so this is the first figure to read when fresh connections are slow.
 *
 * WHY since the previous reading: the tail of a busy minute must not be averaged away by an
 * idle hour; a scrape every 15–30 s gives that window's p99 and max.
 */
export function eventLoopDelay(): { read(): Sample<'stat'>; stop(): void } {
  const h = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
  h.enable();
  return {
    read() {
      const seconds = (ns: number) => (Number.isFinite(ns) ? ns / 1e9 : 0);
      const sample: Sample<'stat'> = [
        [{ stat: 'p50' }, seconds(h.percentile(50))],
        [{ stat: 'p99' }, seconds(h.percentile(99))],
        [{ stat: 'max' }, seconds(h.max)],
      ];
      h.reset();
      return sample;
    },
    stop: () => h.disable(),
  };
}
