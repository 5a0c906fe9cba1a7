/**
 * PHP value semantics that Bitrix24 handlers apply to request parameters. Clients send the
 * same value as a JSON number, a form string or a boolean; the real server coerces them with
 * these rules, so we do too.
 */

import { checkShape } from './shape.ts';

/** PHP `intval`: leading-digits parse, booleans to 0/1, arrays to 0/1, anything else 0. */
export function intval(value: unknown): number {
  if (typeof value === 'number') return Number.isFinite(value) ? inIntegerRange(Math.trunc(value)) : 0;
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value === 'string') {
    const m = /^\s*([+-]?\d+)/.exec(value);
    return m ? inIntegerRange(Number.parseInt(m[1]!, 10)) : 0;
  }
  if (Array.isArray(value)) return value.length > 0 ? 1 : 0;
  if (value && typeof value === 'object') return Object.keys(value).length > 0 ? 1 : 0;
  return 0;
}

/**
 * PHP's integers stop at 64 bits, so no intval is ever 1e308; here they stop where a double still
 * holds every integer (±2^53 − 1), which is also what the stores can take as a number (an
 * OFFSET of 1e308 fails the query). Only values no client sends as a real id or offset differ.
 */
function inIntegerRange(n: number): number {
  return Math.max(-Number.MAX_SAFE_INTEGER, Math.min(Number.MAX_SAFE_INTEGER, n));
}

/** PHP `empty`: missing, null, "", "0", 0, false and empty arrays are all empty. */
export function isEmpty(value: unknown): boolean {
  if (value === undefined || value === null || value === false) return true;
  if (value === '' || value === '0' || value === 0) return true;
  if (Array.isArray(value)) return value.length === 0;
  if (typeof value === 'object') return Object.keys(value).length === 0;
  return false;
}

/** PHP boolean cast, as `halt` and similar flags are read: "0", "", 0, false, null, [] are false. */
export function toBool(value: unknown): boolean {
  return !isEmpty(value);
}

/** A PHP array that would be json_encoded as a list: a JS array, or an object keyed 0..n-1. */
export function asList(value: unknown): unknown[] | null {
  if (Array.isArray(value)) return value.filter((v) => v !== undefined);
  if (value && typeof value === 'object') return Object.values(value);
  return null;
}

/** Plain object check (not an array, not null). */
export function isMap(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `/^\d+$/` as PHP's preg_match reads it: digits only, one trailing newline tolerated. */
export function isDigits(value: unknown): boolean {
  if (typeof value === 'number') return Number.isInteger(value) && value >= 0;
  return typeof value === 'string' && /^\d+\n?$/.test(value);
}

/** A string parameter, or "" when absent or not a string (handlers reject non-strings this way). */
export function strval(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return String(value);
  if (typeof value === 'boolean') return value ? '1' : '';
  return '';
}

/**
 * A parameter that may arrive as a structure or as its JSON text (ATTACH, BUTTONS): the text
 * is decoded, anything else passes through; text that is not JSON becomes null; decoded text
 * out of the shape bounds is ERROR_PARAMS_TOO_DEEP / ERROR_PARAMS_TOO_LARGE.
 */
export function decodedJson(raw: unknown): unknown {
  if (typeof raw !== 'string') return raw;
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return null;
  }
  // Decoded text is a parameter set of its own: the same bounds apply (a deep one would
  // otherwise reach the recursive attach parser).
  checkShape(value);
  return value;
}

/** PHP `trim`: only space, tab, CR, LF, NUL and vertical tab (no other Unicode space). */
export function phpTrim(value: string): string {
  return value.replace(/^[ \t\n\r\0\x0B]+|[ \t\n\r\0\x0B]+$/g, '');
}

const NUMERIC = /^\s*[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?\s*$/;

/** PHP `is_numeric`: a number, or a numeric string (spaces around, sign, fraction, exponent). */
export function isNumeric(v: unknown): v is number | string {
  return typeof v === 'number' ? Number.isFinite(v) : typeof v === 'string' && NUMERIC.test(v);
}

/** PHP `==` between two strings: numeric strings compare as numbers ("1" == "01" == "1.0"). */
export function looseEquals(a: string, b: string): boolean {
  return isNumeric(a) && isNumeric(b) ? Number(a) === Number(b) : a === b;
}
