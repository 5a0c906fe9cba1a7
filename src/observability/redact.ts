/**
 * Query parameters whose values are credentials: REST `auth` and page `sessid`, OAuth tokens,
 * codes and client secrets, the portal's placement keys. Matched case-insensitively on the name
 * before any `[` (`auth[access_token]` counts as `auth`).
 */
const SECRET_PARAMS = new Set([
  'auth', 'access_token', 'refresh_token', 'client_secret', 'code', 'sessid', 'password', 'token',
  'application_token', 'auth_id', 'refresh_id',
]);

const MASK = '***';

function maskQuery(query: string): string {
  return query
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      if (eq < 0) return pair;
      let name = pair.slice(0, eq);
      try {
        name = decodeURIComponent(name.replace(/\+/g, ' '));
      } catch {
        // an undecodable name is compared as sent
      }
      const base = name.split('[')[0]!.toLowerCase();
      return SECRET_PARAMS.has(base) ? `${pair.slice(0, eq)}=${MASK}` : pair;
    })
    .join('&');
}

/**
 * `/rest/{user}/{code}/{method}`: the webhook code is the credential. Every segment after the
 * user id but the last (the method) is masked; of two segments, the second.
 */
function maskRestPath(path: string): string {
  const m = /^(\/+rest\/+)(.*)$/i.exec(path);
  if (!m) return path;
  const parts = m[2]!.split('/');
  const filled = parts.map((p, i) => ({ p, i })).filter(({ p }) => p !== '');
  if (filled.length < 2) return path;
  const keep = new Set([filled[0]!.i, ...(filled.length > 2 ? [filled.at(-1)!.i] : [])]);
  return m[1] + parts.map((p, i) => (p === '' || keep.has(i) ? p : MASK)).join('/');
}

/** A request target safe to log: webhook codes and credential parameters replaced by `***`. */
export function safeTarget(target: string): string {
  const q = target.indexOf('?');
  const path = q < 0 ? target : target.slice(0, q);
  return maskRestPath(path) + (q < 0 ? '' : `?${maskQuery(target.slice(q + 1))}`);
}
