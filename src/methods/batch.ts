import { parsePhpQuery } from '../lib/php-query.ts';
import { ensureScope } from '../rest/invoke.ts';
import type { RawParams } from '../rest/params.ts';
import { isMap, toBool } from '../rest/php.ts';
import { checkShape } from '../rest/shape.ts';
import { defineMethod } from '../rest/registry.ts';
import type { MethodContext, MethodDeps } from '../rest/method.ts';
import { HeldPushes } from '../notify/push-change.ts';
import { endsTransaction, isConflict } from '../store/engine/unavailable.ts';
import type { Store } from '../store/port/store.ts';
import { substitute, type BatchResults } from './batch-references.ts';
import { errors, toRestError } from '../errors/rest.ts';
import { RestError } from '../errors/rest-error.ts';

/** The portal runs the first 50 commands; each one beyond gets its own error entry. */
export const MAX_BATCH_COMMANDS = 50;

/** Methods that never run inside a batch, whatever their definition says. */
const NOT_IN_BATCH = new Set(['batch', 'download', 'upload']);

interface Command {
  key: string;
  method: string;
  params: RawParams;
}

/**
 * `method?query` as the portal splits it (parse_url): the path is the method, the query is
 * decoded with PHP rules, a `#fragment` is dropped. A trailing `?` (b24jssdk) is harmless.
 */
function parseCommandString(text: string): { method: string; params: RawParams } {
  const withoutFragment = text.split('#', 1)[0]!;
  const mark = withoutFragment.indexOf('?');
  if (mark < 0) return { method: withoutFragment.trim(), params: {} };
  return { method: withoutFragment.slice(0, mark).trim(), params: parsePhpQuery(withoutFragment.slice(mark + 1)) };
}

/**
 * One `cmd` entry → a command, or null when the portal would skip it silently. Strings are
 * the real protocol; `{method, params}` is notify24's extension for hand-written JSON.
 */
function toCommand(key: string, entry: unknown): Command | null {
  if (typeof entry === 'string') return { key, ...parseCommandString(entry) };
  if (isMap(entry) && typeof entry.method === 'string') {
    return { key, method: entry.method, params: isMap(entry.params) ? { ...entry.params } : {} };
  }
  return null;
}

/** `cmd` as a list keeps positions 0..n-1 as keys; as a map keeps its keys in order. */
function commandEntries(cmd: unknown): [string, unknown][] {
  if (Array.isArray(cmd)) return cmd.map((entry, i) => [String(i), entry]);
  if (isMap(cmd)) return Object.entries(cmd);
  return [];
}

/**
 * A PHP array as json_encode prints it: keys exactly 0..n-1 in order make a list, an empty
 * one is `[]`, anything else an object.
 */
function phpArray(map: Map<string, unknown>): unknown {
  const keys = [...map.keys()];
  if (keys.every((key, i) => key === String(i))) return [...map.values()];
  return Object.fromEntries(map);
}

/** Runs one command through the same pipeline as a top-level call, minus authentication. */
async function runCommand(ctx: MethodContext, command: Command, results: BatchResults, deps?: MethodDeps): Promise<void> {
  const { runner, caller, request } = ctx;
  if (NOT_IN_BATCH.has(command.method.toLowerCase())) throw errors.batchMethodNotAllowed();
  const def = runner.resolve(command.method);
  if (def.batch === false) throw errors.batchMethodNotAllowed();
  ensureScope(def, caller, true);
  // A command's own parameters (its query, or our `{method, params}` form) meet the same bounds.
  checkShape(command.params);
  const raw = substitute(command.params, results) as RawParams;
  const outcome = await runner.execute({ def, caller, raw, request, startMs: ctx.deps.clock.now(), inBatch: true, deps });
  results.result.set(command.key, outcome.result);
  if (outcome.total !== undefined) results.total.set(command.key, outcome.total);
  if (outcome.next !== undefined) results.next.set(command.key, outcome.next);
  results.time.set(command.key, outcome.time);
}

/** A sub-call's failure as its own error envelope would have read; surprises are logged. */
function errorEntry(ctx: MethodContext, command: Command, err: unknown): Record<string, unknown> {
  if (!(err instanceof RestError)) ctx.deps.log.error('batch sub-call failed', { request_id: ctx.request.requestId, method: command.method, err });
  return toRestError(err).body();
}

const copyResults = (r: BatchResults): BatchResults => ({
  result: new Map(r.result), error: new Map(r.error), total: new Map(r.total), next: new Map(r.next), time: new Map(r.time),
});

/** Whether the command may run in one transaction with its neighbours (see `sharesBatchCommit`). */
function sharesCommit(ctx: MethodContext, command: Command | null): command is Command {
  if (!command || NOT_IN_BATCH.has(command.method.toLowerCase())) return false;
  const def = ctx.deps.methods.find(command.method);
  return Boolean(def?.sharesBatchCommit && def.batch !== false);
}

/**
 * Thrown out of a run's transaction when a command failed after it had used the store while
 * running without a savepoint of its own: the transaction is rolled back whole and the run
 * goes again with one savepoint per command.
 */
class RunAgainWithSavepoints extends Error {}

/**
 * The store as one run's commands see it, noting whether the running command used it at all:
 * a command that failed before that (a missing parameter, a refused caller) wrote nothing and
 * needs no savepoint to be undone.
 */
class TouchedStore {
  touched = false;
  readonly store: Store;
  constructor(target: Store) {
    this.store = new Proxy(target, {
      get: (t, prop, receiver) => {
        this.touched = true;
        return Reflect.get(t, prop, receiver);
      },
    });
  }
}

/**
 * Runs `commands` in one transaction: a failing one is rolled back alone and gets its error
 * entry, exactly as if it had run alone; the next ones see the writes of those before. Their
 * pushes and the web push wake-up wait for the commit, and the batch answers only after it.
 * Returns the results so far and whether HALT stopped the batch.
 *
 * First without a savepoint per command (two statements each, and every page a command
 * changes copied into the savepoint's journal): a command that fails before it used the store
 * has nothing to undo. One that fails after can only be undone by rolling back the whole
 * transaction: then the run goes again, each command in a savepoint of its own.
 */
async function runInOneCommit(ctx: MethodContext, commands: Command[], results: BatchResults, halt: boolean): Promise<{ results: BatchResults; halted: boolean }> {
  let run;
  try {
    run = await runInTransaction(ctx, commands, results, halt, false);
  } catch (err) {
    if (!(err instanceof RunAgainWithSavepoints)) throw err;
    run = await runInTransaction(ctx, commands, results, halt, true);
  }
  if (run.wakeWebPush) ctx.deps.wakeWebPush();
  run.pushes.publish(ctx.deps);
  return run;
}

async function runInTransaction(ctx: MethodContext, commands: Command[], results: BatchResults, halt: boolean, savepoints: boolean) {
  return ctx.deps.store.tx(async (store) => {
    // Collected afresh on every attempt: PostgreSQL runs a transaction again after a lost connection.
    const attempt = { results: copyResults(results), pushes: new HeldPushes(), wakeWebPush: false, halted: false };
    const watch = savepoints ? null : new TouchedStore(store);
    const deps: MethodDeps = { ...ctx.deps, store: watch ? watch.store : store, heldPushes: attempt.pushes, wakeWebPush: () => void (attempt.wakeWebPush = true) };
    // Without savepoints nothing is rolled back alone: each user's counters move once, at the
    // end, and what the run learns of a user's chat and push subscriptions holds to its end.
    if (watch) {
      store.notifications.beginRun?.();
      store.webPush.beginRun?.();
      store.mailOutbox.beginRun?.();
    }
    for (const command of commands) {
      const mark = attempt.pushes.size;
      try {
        if (watch) {
          watch.touched = false;
          await runCommand(ctx, command, attempt.results, deps);
        } else {
          await store.savepoint((part) => runCommand(ctx, command, attempt.results, part === store ? deps : { ...deps, store: part }));
        }
      } catch (err) {
        // The transaction itself is gone (a lost connection; a conflict, which the store answers
        // by running the whole transaction again): nothing of it is stored.
        if (endsTransaction(err) || isConflict(err)) throw err;
        if (watch?.touched) throw new RunAgainWithSavepoints();
        attempt.pushes.forgetAfter(mark);
        attempt.results.error.set(command.key, errorEntry(ctx, command, err));
        if (halt) {
          attempt.halted = true;
          break;
        }
      }
    }
    if (watch) {
      store.webPush.endRun?.();
      // A write that fails here belongs to no one command: the run goes again with savepoints.
      try {
        await store.notifications.endRun?.();
        await store.mailOutbox.endRun?.();
      } catch (err) {
        throw endsTransaction(err) || isConflict(err) ? err : new RunAgainWithSavepoints();
      }
    }
    return attempt;
  });
}

async function runBatch(ctx: MethodContext): Promise<Record<string, unknown>> {
  const halt = toBool(ctx.params.get('HALT'));
  let results: BatchResults = { result: new Map(), error: new Map(), total: new Map(), next: new Map(), time: new Map() };
  const entries = commandEntries(ctx.params.get('CMD'));
  const commands = entries.map(([key, entry], index) => (index < MAX_BATCH_COMMANDS ? toCommand(key, entry) : null));
  for (let index = 0; index < entries.length; ) {
    // Neighbouring commands that can share a transaction commit together.
    let end = index;
    while (end < entries.length && sharesCommit(ctx, commands[end]!)) end++;
    if (end > index) {
      const run = await runInOneCommit(ctx, commands.slice(index, end) as Command[], results, halt);
      results = run.results;
      if (run.halted) break;
      index = end;
      continue;
    }
    const key = entries[index]![0];
    const command = commands[index]!;
    index++;
    if (index > MAX_BATCH_COMMANDS) {
      results.error.set(key, errors.batchLengthExceeded().body());
      if (halt) break;
      continue;
    }
    if (!command) continue;
    try {
      await runCommand(ctx, command, results);
    } catch (err) {
      results.error.set(key, errorEntry(ctx, command, err));
      if (halt) break;
    }
  }
  return {
    result: phpArray(results.result),
    result_error: phpArray(results.error),
    result_total: phpArray(results.total),
    result_next: phpArray(results.next),
    result_time: phpArray(results.time),
  };
}

export const batch = defineMethod({
  name: 'batch',
  scope: '_global',
  batch: false,
  handler: runBatch,
});

export const batchMethods = [batch];

