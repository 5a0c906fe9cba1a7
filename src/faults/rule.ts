import { catalogError } from '../errors/catalog.ts';

/**
 * A scripted failure of REST calls, for testing clients' retry and refresh paths. A rule says
 * which calls it hits (method glob, caller, when) and what they get instead of the real answer.
 */
export interface FaultRuleInput {
  /** Method name or glob (`*` any run of characters, `?` one): `im.notify.*`. Default `*`. */
  method?: string;
  /** Who must be calling: a webhook, an OAuth application (optionally one client id), a user's browser session. */
  caller?: 'webhook' | 'application' | 'session' | 'any';
  /** Only calls of this user (any credential). */
  userId?: number;
  /** Only calls of this OAuth application. */
  clientId?: string;
  /** Hit only the next N matching calls (then the rule is spent). Default: every matching call. */
  times?: number;
  /** Hit a matching call with this probability (0..1), drawn from `seed` so a run repeats. */
  probability?: number;
  seed?: number;
  /** Answer with this catalog error (`QUERY_LIMIT_EXCEEDED`, `expired_token`, ...). */
  error?: string;
  /** Wait this long first; alone, the call then runs normally. */
  delayMs?: number;
  /** Close the connection without an answer (a network error for the client). */
  drop?: boolean;
  /** Send the real answer's head and half its body, then close the connection. */
  truncate?: boolean;
}

export interface FaultRule extends Required<Pick<FaultRuleInput, 'method' | 'caller'>> {
  id: number;
  userId: number | null;
  clientId: string | null;
  /** Hits left; null: unlimited. */
  remaining: number | null;
  probability: number | null;
  seed: number | null;
  error: string | null;
  delayMs: number;
  drop: boolean;
  truncate: boolean;
  /** Calls this rule has hit so far. */
  hits: number;
}

/** What a rule does to the one call it hit. */
export type FaultAction = Pick<FaultRule, 'id' | 'error' | 'delayMs' | 'drop' | 'truncate'>;

const CALLERS = ['webhook', 'application', 'session', 'any'] as const;
const MAX_DELAY_MS = 120_000;

/** Why a rule was refused: the console and CLI show the message. */
export class FaultRuleError extends Error {}

const fail = (message: string): never => {
  throw new FaultRuleError(message);
};

/** Checks and normalises what a test, the CLI or the console asked for. */
export function faultRule(input: FaultRuleInput, id: number): FaultRule {
  const method = input.method ?? '*';
  if (typeof method !== 'string' || !/^[\w.*?-]+$/.test(method)) fail('method is a method name or a glob of letters, digits, dots, _, -, * and ?');
  const caller = input.caller ?? 'any';
  if (!CALLERS.includes(caller)) fail(`caller is one of ${CALLERS.join(', ')}`);
  const whole = (v: unknown, what: string, min: number) => (v === undefined ? null : Number.isInteger(v) && (v as number) >= min ? (v as number) : fail(`${what} is a whole number from ${min}`));
  const userId = whole(input.userId, 'userId', 1);
  const remaining = whole(input.times, 'times', 1);
  const seed = whole(input.seed, 'seed', 0);
  const probability = input.probability === undefined ? null : Number(input.probability);
  if (probability !== null && !(probability >= 0 && probability <= 1)) fail('probability is a number from 0 to 1');
  const delayMs = input.delayMs === undefined ? 0 : Number(input.delayMs);
  if (!(delayMs >= 0 && delayMs <= MAX_DELAY_MS)) fail(`delayMs is from 0 to ${MAX_DELAY_MS}`);
  const error = input.error ?? null;
  if (error !== null && !catalogError(error)) fail(`no error ${error} in the catalog (docs/errors.md lists them)`);
  const drop = input.drop === true;
  const truncate = input.truncate === true;
  if ([error !== null, drop, truncate].filter(Boolean).length > 1) fail('a rule answers with one of error, drop or truncate');
  if (error === null && !drop && !truncate && delayMs === 0) fail('a rule needs an error, drop, truncate or delayMs');
  const clientId = input.clientId ?? null;
  if (clientId !== null && typeof clientId !== 'string') fail('clientId is text');
  return {
    id, method, caller, userId, clientId, remaining, probability, seed: probability === null ? null : (seed ?? 1),
    error, delayMs, drop, truncate, hits: 0,
  };
}

/** `im.notify.*` → a case-insensitive regular expression (method names are case-insensitive). */
export function globPattern(glob: string): RegExp {
  const body = glob.replace(/[.+^${}()|[\]\\-]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${body}$`, 'i');
}

/** A small seeded generator (mulberry32): the same seed gives the same hits in every run. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** One line describing a rule (CLI list, inspector mark). */
export function describeRule(r: FaultRule): string {
  const what = r.error ?? (r.drop ? 'drop' : r.truncate ? 'truncate' : 'delay');
  const who = [r.caller !== 'any' ? r.caller : '', r.userId ? `user ${r.userId}` : '', r.clientId ? `app ${r.clientId}` : ''].filter(Boolean).join(' ');
  const when = [r.remaining !== null ? `${r.remaining} left` : 'every call', r.probability !== null ? `p=${r.probability} seed ${r.seed}` : ''].filter(Boolean).join(', ');
  return `#${r.id} ${r.method}${who ? ` (${who})` : ''} → ${what}${r.delayMs ? ` after ${r.delayMs} ms` : ''}; ${when}; ${r.hits} hit`;
}
