import { webErrors } from '../../errors/web.ts';

/**
 * Reading the fields of a console write: absent stays undefined (not changed), present must be
 * of the right shape or the call fails with BAD_FIELD naming the field.
 */
export const field = {
  text(body: Record<string, unknown>, key: string, max: number, required = false): string | undefined {
    const value = body[key];
    if (value === undefined || value === null) {
      if (required) throw webErrors.badField(key, 'required');
      return undefined;
    }
    if (typeof value !== 'string') throw webErrors.badField(key, 'must be text');
    const text = value.trim();
    if (required && !text) throw webErrors.badField(key, 'required');
    if (text.length > max) throw webErrors.badField(key, `at most ${max} characters`);
    return text;
  },

  flag(body: Record<string, unknown>, key: string): boolean | undefined {
    const value = body[key];
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'boolean') throw webErrors.badField(key, 'must be true or false');
    return value;
  },

  email(body: Record<string, unknown>, key: string): string | undefined {
    const email = field.text(body, key, 254);
    if (email && !/^[^\s@]+@[^\s@]+$/.test(email)) throw webErrors.badField(key, 'not an e-mail address');
    return email;
  },

  /** A password to set: long enough to be worth the scrypt hash. */
  password(body: Record<string, unknown>, key: string, required: boolean): string | undefined {
    const value = body[key];
    if ((value === undefined || value === null || value === '') && !required) return undefined;
    if (typeof value !== 'string' || value.length < 8) throw webErrors.badField(key, 'at least 8 characters');
    if (value.length > 1024) throw webErrors.badField(key, 'at most 1024 characters');
    return value;
  },

  /** Scope names (`im`, `user`, `placement`...): a list or a comma-separated string. */
  scopes(body: Record<string, unknown>, key: string): string[] | undefined {
    const value = body[key];
    if (value === undefined || value === null) return undefined;
    const list = Array.isArray(value) ? value : typeof value === 'string' ? value.split(/[\s,]+/) : null;
    if (!list) throw webErrors.badField(key, 'a list of scope names');
    const scopes = [...new Set(list.map((s) => String(s).trim()).filter(Boolean))];
    if (scopes.length > 50 || scopes.some((s) => !/^[a-z][\w.]{0,63}$/i.test(s))) throw webErrors.badField(key, 'a list of scope names');
    return scopes;
  },

  /** A numeric id from the route pattern. */
  id(value: string | undefined): number {
    return /^\d{1,15}$/.test(value ?? '') ? Number(value) : 0;
  },
};
