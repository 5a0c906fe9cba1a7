import { isoDate } from '../lib/clock.ts';

/** The `time` block of every successful answer. */
export interface TimeBlock {
  start: number;
  finish: number;
  duration: number;
  processing: number;
  date_start: string;
  date_finish: string;
  operating_reset_at: number;
  operating: number;
}

/** Seconds with microsecond precision, as the portal prints them. */
const seconds = (ms: number) => Math.round(ms * 1000) / 1_000_000;

export function timeBlock(
  startMs: number,
  finishMs: number,
  processingMs: number,
  operating: { operating: number; resetAt: number },
): TimeBlock {
  return {
    start: seconds(startMs),
    finish: seconds(finishMs),
    duration: seconds(finishMs - startMs),
    processing: seconds(processingMs),
    date_start: isoDate(startMs),
    date_finish: isoDate(finishMs),
    operating_reset_at: operating.resetAt,
    operating: operating.operating,
  };
}
