/** Quiet hours: a daily window in the user's time zone during which e-mail and push wait. */

const DAY_S = 86_400;

/** `HH:MM` (00:00–23:59) → minutes after midnight, or null. */
export function parseClockTime(text: string): number | null {
  const m = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(text);
  return m ? Number(m[1]) * 60 + Number(m[2]) : null;
}

/** A time zone Intl knows, else UTC (profiles may hold '' or an old name). */
export function usableTimeZone(zone: string): string {
  if (!zone) return 'UTC';
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return zone;
  } catch {
    return 'UTC';
  }
}

const formatters = new Map<string, Intl.DateTimeFormat>();

/** Seconds after local midnight at `now` in `zone`. */
function secondsIntoDay(now: number, zone: string): number {
  let f = formatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-GB', { timeZone: zone, hourCycle: 'h23', hour: '2-digit', minute: '2-digit', second: '2-digit' });
    formatters.set(zone, f);
  }
  const parts = Object.fromEntries(f.formatToParts(new Date(now)).map((p) => [p.type, p.value]));
  return Number(parts.hour) * 3600 + Number(parts.minute) * 60 + Number(parts.second);
}

/**
 * When the quiet window around `now` ends (Unix ms), or null when `now` is outside it. The
 * window may cross midnight (22:00–07:00); equal ends mean no window. Computed from the local
 * time of day, so a daylight-saving jump inside the window moves its end by that hour at most.
 */
export function quietUntil(now: number, from: string, to: string, zone: string): number | null {
  const start = parseClockTime(from);
  const end = parseClockTime(to);
  if (start === null || end === null || start === end) return null;
  const at = secondsIntoDay(now, usableTimeZone(zone));
  const startS = start * 60;
  const endS = end * 60;
  const inside = startS < endS ? at >= startS && at < endS : at >= startS || at < endS;
  if (!inside) return null;
  const wait = (endS - at + DAY_S) % DAY_S;
  return now - (now % 1000) + wait * 1000;
}
