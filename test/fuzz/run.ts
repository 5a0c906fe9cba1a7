/** Runs the fuzz properties: a bounded slice in `npm test`, long runs from `npm run fuzz`. */
import fc from 'fast-check';
import { startTestServer } from '../helpers/server.ts';
import { webLogin } from '../helpers/session.ts';
import { collectingLogger, decoderProperties, httpProperties, stillAnswers, type HttpTarget, type NamedProperty } from './properties.ts';

export interface PropertyResult {
  name: string;
  kind: NamedProperty['kind'];
  runs: number;
  ms: number;
  /** fast-check's report of the first failure (counterexample, seed, path), or null. */
  failure: string | null;
}

/** The real server with a collecting logger, an administrator signed in, the method list. */
export async function startFuzzTarget(): Promise<HttpTarget & { close(): Promise<void> }> {
  const logged: string[] = [];
  const ts = await startTestServer({}, { log: collectingLogger(logged) });
  await ts.addUser({ login: 'fuzz-admin', password: 'fuzz-admin-secret', isAdmin: true }, ['im', 'user']);
  const admin = await webLogin(ts, 'fuzz-admin', 'fuzz-admin-secret');
  const methods = ts.server.services.registry.all().map((m) => m.name);
  return { ts, logged, admin, methods, close: () => ts.close() };
}

/**
 * Runs each property for `runs` inputs in rounds of at most `round` (a new seed each), so a
 * long run reports progress and goes on after a finding (each finding is kept, shrunk when
 * `shrink` is on). `after` runs after every round (the server must still answer).
 */
export async function runProperties(
  props: NamedProperty[],
  runsOf: (p: NamedProperty) => number,
  options: { seed: number; round?: number; shrink?: boolean; after?: () => Promise<void>; progress?: (r: PropertyResult) => void },
): Promise<PropertyResult[]> {
  const results: PropertyResult[] = [];
  let seed = options.seed;
  for (const p of props) {
    const result: PropertyResult = { name: p.name, kind: p.kind, runs: 0, ms: 0, failure: null };
    const total = runsOf(p);
    while (result.runs < total) {
      const numRuns = Math.min(options.round ?? total, total - result.runs);
      const began = performance.now();
      const details = await fc.check(p.property as fc.IAsyncPropertyWithHooks<unknown[]>, { numRuns, seed, endOnFailure: !options.shrink });
      result.ms += performance.now() - began;
      result.runs += details.numRuns;
      if (details.failed && result.failure === null) {
        result.failure = fc.defaultReportMessage(details) ?? `failed (seed ${seed})`;
      }
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      await options.after?.();
      options.progress?.(result);
      if (details.failed && options.shrink) break;
    }
    results.push(result);
  }
  return results;
}

export { decoderProperties, httpProperties, stillAnswers };
