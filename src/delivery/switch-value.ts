import { errors } from '../errors/rest.ts';

/** `Y`/`N` (also true/false, 1/0); '' or null puts a switch back to the level below. */
export function switchValueOf(value: unknown, where: string): boolean | null {
  if (value === null || value === '' || value === undefined) return null;
  const text = String(value).toUpperCase();
  if (['Y', 'TRUE', '1'].includes(text)) return true;
  if (['N', 'FALSE', '0'].includes(text)) return false;
  throw errors.invalidSetting(`${where} must be Y, N or empty`);
}
