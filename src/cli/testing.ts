import { parseArgs } from 'node:util';
import { endSession, startSession } from '../identity/web-sessions.ts';
import { systemClock } from '../lib/clock.ts';
import type { Store } from '../store/port/store.ts';
import type { FaultRule, FaultRuleInput } from '../faults/rule.ts';
import { describeRule } from '../faults/rule.ts';

type Out = (line: string) => void;

const CLI_SESSION_MS = 10 * 365 * 86_400_000;

/**
 * Calls a console endpoint of the running server as its first active administrator: the CLI can
 * open the database, so it opens a short web session there (removed again at once) rather than
 * asking for a password.
 */
async function asAdmin<T>(store: Store, base: string, method: string, path: string, body?: unknown): Promise<T> {
  const { items } = await store.users.list({}, { offset: 0, limit: 10_000 });
  const admin = items.find((u) => u.isAdmin && u.active);
  if (!admin) throw new Error('no active administrator in this database');
  // The session is removed right after the call; its lifetime only has to outlast a test server's
  // clock, which may have been moved months past real time.
  const { token, session } = await startSession({ store, clock: systemClock, config: { sessionIdleMs: CLI_SESSION_MS } }, admin.id, 'cli');
  try {
    const res = await fetch(`${base.replace(/\/+$/, '')}${path}`, {
      method,
      headers: { Cookie: `notify24_session=${token}`, 'X-Sessid': session.sessid, 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    }).catch((err: Error) => {
      throw new Error(`no server answers at ${base} (${err.message}); pass --url`);
    });
    const answer = (await res.json()) as T & { error?: string; error_description?: string };
    if (!res.ok) throw new Error(`${answer.error ?? res.status}: ${answer.error_description ?? ''}`);
    return answer;
  } finally {
    await endSession(store, session);
  }
}

const number = (v: string | undefined, flag: string): number | undefined => {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n)) throw new Error(`${flag} needs a number, got "${v}"`);
  return n;
};

/** `notify24 fault add|list|remove|clear`: scripted REST failures of a server started for testing. */
export async function faultCommand(sub: string | undefined, args: string[], store: Store, base: string, out: Out): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      url: { type: 'string' },
      method: { type: 'string' },
      caller: { type: 'string' },
      user: { type: 'string' },
      'client-id': { type: 'string' },
      times: { type: 'string' },
      probability: { type: 'string' },
      seed: { type: 'string' },
      error: { type: 'string' },
      delay: { type: 'string' },
      drop: { type: 'boolean' },
      truncate: { type: 'boolean' },
      id: { type: 'string' },
    },
  });
  const server = values.url ?? base;
  if (sub === 'add') {
    const rule: FaultRuleInput = {
      method: values.method,
      caller: values.caller as FaultRuleInput['caller'],
      userId: number(values.user, '--user'),
      clientId: values['client-id'],
      times: number(values.times, '--times'),
      probability: number(values.probability, '--probability'),
      seed: number(values.seed, '--seed'),
      error: values.error,
      delayMs: number(values.delay, '--delay'),
      drop: values.drop,
      truncate: values.truncate,
    };
    const { rule: added } = await asAdmin<{ rule: FaultRule }>(store, server, 'POST', '/console/api/faults', rule);
    out(`fault ${describeRule(added)}`);
    return 0;
  }
  if (sub === 'list') {
    const { rules } = await asAdmin<{ rules: FaultRule[] }>(store, server, 'GET', '/console/api/faults');
    for (const r of rules) out(describeRule(r));
    if (!rules.length) out('no fault rules');
    return 0;
  }
  if (sub === 'remove') {
    const { removed } = await asAdmin<{ removed: number }>(store, server, 'DELETE', `/console/api/faults/${Number(values.id)}`);
    out(removed ? `fault ${values.id} removed` : `no fault ${values.id}`);
    return removed ? 0 : 1;
  }
  if (sub === 'clear') {
    const { removed } = await asAdmin<{ removed: number }>(store, server, 'DELETE', '/console/api/faults');
    out(`${removed} fault rule(s) removed`);
    return 0;
  }
  throw new Error(`unknown command: fault ${sub ?? ''}`);
}

/** `notify24 clock [advance --ms N | --days N]`: the clock of a server started for testing. */
export async function clockCommand(sub: string | undefined, args: string[], store: Store, base: string, out: Out): Promise<number> {
  const { values } = parseArgs({ args, options: { url: { type: 'string' }, ms: { type: 'string' }, days: { type: 'string' } } });
  const server = values.url ?? base;
  type State = { now: number; offsetMs: number };
  let state: State;
  if (sub === 'advance') {
    const ms = (number(values.ms, '--ms') ?? 0) + (number(values.days, '--days') ?? 0) * 86_400_000;
    state = await asAdmin<State>(store, server, 'POST', '/console/api/clock', { advance_ms: ms });
  } else if (sub === undefined || sub === 'show') {
    state = await asAdmin<State>(store, server, 'GET', '/console/api/clock');
  } else {
    throw new Error(`unknown command: clock ${sub}`);
  }
  out(`${new Date(state.now).toISOString()} (${state.offsetMs} ms ahead of real time)`);
  return 0;
}
