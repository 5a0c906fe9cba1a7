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

/** A number as JSON writes it. */
const jsonNumber = (v: number) => (Number.isFinite(v) ? String(v) : 'null');

/** The last numbers and dates written, with their text: calls of the same millisecond (second) share them. */
const lastText = { start: Number.NaN, startText: '', finish: Number.NaN, finishText: '', date: '', dateText: '' };

function dateJson(date: string): string {
  if (date !== lastText.date) {
    lastText.date = date;
    lastText.dateText = JSON.stringify(date);
  }
  return lastText.dateText;
}

/**
 * `JSON.stringify(time)`, the same text, written field by field. WHY: every successful answer
 * carries one, and the generic serialiser walking the object costs about twice as much.
 */
export function timeJson(t: TimeBlock): string {
  if (t.start !== lastText.start) {
    lastText.start = t.start;
    lastText.startText = jsonNumber(t.start);
  }
  if (t.finish !== lastText.finish) {
    lastText.finish = t.finish;
    lastText.finishText = jsonNumber(t.finish);
  }
  return (
    `{"start":${lastText.startText},"finish":${lastText.finishText},"duration":${jsonNumber(t.duration)},"processing":${jsonNumber(t.processing)},` +
    `"date_start":${dateJson(t.date_start)},"date_finish":${dateJson(t.date_finish)},"operating_reset_at":${jsonNumber(t.operating_reset_at)},"operating":${jsonNumber(t.operating)}}`
  );
}
