import type { Caller } from '../rest/caller.ts';
import { faultRule, globPattern, seededRandom, type FaultAction, type FaultRule, type FaultRuleInput } from './rule.ts';

interface Active {
  rule: FaultRule;
  pattern: RegExp;
  random: (() => number) | null;
}

const KIND: Record<Caller['kind'], FaultRule['caller']> = { webhook: 'webhook', oauth: 'application', session: 'session' };

/**
 * The fault rules of one server, kept in memory. With no rule (the normal case) `pick` is one
 * length check; rules exist only when a test, the CLI or the console added them.
 */
export class FaultInjector {
  private active: Active[] = [];
  private nextId = 1;

  add(input: FaultRuleInput): FaultRule {
    const rule = faultRule(input, this.nextId);
    this.nextId++;
    this.active.push({ rule, pattern: globPattern(rule.method), random: rule.seed === null ? null : seededRandom(rule.seed) });
    return { ...rule };
  }

  list(): FaultRule[] {
    return this.active.map((a) => ({ ...a.rule }));
  }

  remove(id: number): boolean {
    const before = this.active.length;
    this.active = this.active.filter((a) => a.rule.id !== id);
    return this.active.length < before;
  }

  clear(): void {
    this.active = [];
  }

  /** No rules, and numbering starts over (a reset test portal). */
  reset(): void {
    this.clear();
    this.nextId = 1;
  }

  /** The first rule that hits this call (counted, spent when its times run out), or null. */
  pick(method: string, caller: Caller): (FaultAction & { label: string }) | null {
    if (this.active.length === 0) return null;
    for (const a of this.active) {
      const r = a.rule;
      if (!a.pattern.test(method)) continue;
      if (r.caller !== 'any' && r.caller !== KIND[caller.kind]) continue;
      if (r.userId !== null && r.userId !== caller.userId) continue;
      if (r.clientId !== null && r.clientId !== caller.clientId) continue;
      // The draw happens for every matching call, so a seed gives the same sequence of hits.
      if (a.random && a.random() >= r.probability!) continue;
      r.hits++;
      if (r.remaining !== null) {
        r.remaining--;
        if (r.remaining === 0) this.active = this.active.filter((x) => x !== a);
      }
      const what = r.error ?? (r.drop ? 'dropped connection' : r.truncate ? 'truncated body' : `delayed ${r.delayMs} ms`);
      return { id: r.id, error: r.error, delayMs: r.delayMs, drop: r.drop, truncate: r.truncate, label: `fault #${r.id}: ${what}` };
    }
    return null;
  }
}
