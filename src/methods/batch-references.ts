/**
 * `$result[key][field]...` references inside batch parameters, as the portal resolves them:
 * later commands read what earlier commands of the same batch returned.
 */

/** What the commands run so far produced, by command key. */
export interface BatchResults {
  result: Map<string, unknown>;
  error: Map<string, unknown>;
  total: Map<string, unknown>;
  next: Map<string, unknown>;
  time: Map<string, unknown>;
}

/** `$name[a][b]...`: the portal's token runs greedily to the last `]` before whitespace. */
const REFERENCE = /\$(result|next|total|time|error)((?:\[[^\s]*\]))/g;

/** Path segments of `[a][b][c]`. */
function segments(path: string): string[] {
  return path.slice(1, -1).split('][');
}

/**
 * Walks the path from the named map (`$result` is every result so far, by command key); the
 * walk stops at the first missing key and keeps what it reached, as the portal does.
 */
function resolve(results: BatchResults, name: string, path: string): unknown {
  let value: unknown = Object.fromEntries(results[name as keyof BatchResults]);
  for (const key of segments(path)) {
    if (value === null || typeof value !== 'object') break;
    const next = (value as Record<string, unknown>)[key];
    if (next === undefined) break;
    value = next;
  }
  return value;
}

function substituteString(text: string, results: BatchResults): unknown {
  const whole = new RegExp(`^${REFERENCE.source}$`).exec(text);
  if (whole) {
    // The whole value is one reference: it takes the referenced value with its type.
    return resolve(results, whole[1]!, whole[2]!);
  }
  return text.replace(REFERENCE, (token, name: string, path: string) => {
    const value = resolve(results, name, path);
    // Inside a longer string only scalars are spliced in; arrays leave the token as written.
    return typeof value === 'string' || typeof value === 'number' ? String(value) : token;
  });
}

/** The parameters with every reference replaced, nested maps and lists included. */
export function substitute(value: unknown, results: BatchResults): unknown {
  if (typeof value === 'string') return value.includes('$') ? substituteString(value, results) : value;
  if (Array.isArray(value)) return value.map((v) => substitute(v, results));
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = substitute(v, results);
    return out;
  }
  return value;
}
