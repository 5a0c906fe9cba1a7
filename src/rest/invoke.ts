import { performance } from 'node:perf_hooks';
import { errors } from '../errors/rest.ts';
import type { OperatingTime } from '../limits/operating-time.ts';
import { callerKey, hasScope, type Caller } from './caller.ts';
import type { Call, CallOutcome, MethodCatalog, MethodDef, MethodDeps, MethodRunner } from './method.ts';
import { Params, upperKeys } from './params.ts';
import { intval, isMap } from './php.ts';
import { timeBlock, type TimeBlock } from './time.ts';

/** The grant must contain the method's scope; inside batch the portal leaves the text empty. */
export function ensureScope(def: MethodDef, caller: Caller, inBatch = false): void {
  if (hasScope(caller, def.scope)) return;
  throw errors.insufficientScope(caller.kind === 'oauth' ? 'access' : 'webhook', inBatch);
}

/** A page of a list method: the items are the result, `total` and `next` go to the envelope. */
export class PagedList {
  constructor(
    readonly items: unknown[],
    readonly total: number,
    readonly next?: number,
  ) {}

  /** The page at `offset` of `total` items: `next` only when more remain. */
  static at(items: unknown[], offset: number, total: number): PagedList {
    return new PagedList(items, total, offset + items.length < total ? offset + items.length : undefined);
  }
}

/**
 * Lists report paging at the top level: a map result's `next` and `total` keys move out of
 * `result` into the envelope (the portal does this for every method).
 */
function liftPaging(result: unknown): Pick<CallOutcome, 'result' | 'next' | 'total'> {
  if (result instanceof PagedList) {
    const out: Pick<CallOutcome, 'result' | 'next' | 'total'> = { result: result.items, total: result.total };
    if (result.next !== undefined) out.next = result.next;
    return out;
  }
  if (!isMap(result) || !('next' in result || 'total' in result)) return { result };
  const { next, total, ...rest } = result;
  const out: Pick<CallOutcome, 'result' | 'next' | 'total'> = { result: rest };
  if (next !== undefined && next !== null) out.next = intval(next);
  if (total !== undefined) out.total = intval(total);
  return out;
}

/**
 * The REST pipeline after authentication: method lookup, then per call the operating-time
 * gate, the handler, accounting and the time block. Shared by the edge and `batch`.
 */
export class MethodPipeline implements MethodRunner {
  constructor(
    private readonly registry: MethodCatalog,
    private readonly operatingTime: OperatingTime,
    private readonly deps: MethodDeps,
  ) {}

  /** Unknown methods fail before any authentication, as on the portal. */
  resolve(name: string): MethodDef {
    const def = this.registry.find(name);
    if (!def) throw errors.methodNotFound();
    return def;
  }

  /**
   * Runs one call. WHY it answers at once when it can: with in-memory accounting and a handler
   * that returns a value (not a promise) nothing here waits, and every `await` it skips is a
   * promise and a microtask less per REST call. Errors are thrown, or rejected when it waits.
   */
  execute(call: Call): CallOutcome | Promise<CallOutcome> {
    const { def, caller } = call;
    const accountable = caller.kind !== 'session' && def.name !== 'batch';
    const operatingKey = accountable ? `${callerKey(caller)}|${def.name}` : '';
    if (accountable) {
      const allowed = this.operatingTime.allowed(operatingKey, this.deps.clock.now());
      if (allowed instanceof Promise) {
        return allowed.then((ok) => {
          if (!ok) throw errors.operationTimeLimit();
          return this.run(call, accountable, operatingKey);
        });
      }
      if (!allowed) throw errors.operationTimeLimit();
    }
    return this.run(call, accountable, operatingKey);
  }

  private run(call: Call, accountable: boolean, operatingKey: string): CallOutcome | Promise<CallOutcome> {
    const { def, caller, request } = call;
    const { start, state: _state, ...raw } = call.raw;
    const began = performance.now();
    const result = def.handler({
      caller,
      params: new Params(def.rawKeys ? raw : upperKeys(raw)),
      raw,
      start: intval(start),
      deps: call.deps ?? this.deps,
      runner: this,
      request,
      method: def.name,
      inBatch: call.inBatch ?? false,
    });
    if (result instanceof Promise) return result.then((value: unknown) => this.finish(call, value, began, accountable, operatingKey));
    return this.finish(call, result, began, accountable, operatingKey);
  }

  private finish(call: Call, result: unknown, began: number, accountable: boolean, operatingKey: string): CallOutcome | Promise<CallOutcome> {
    const processingMs = performance.now() - began;
    const finishMs = this.deps.clock.now();
    const operating = accountable
      ? this.operatingTime.record(operatingKey, processingMs / 1000, finishMs)
      : { operating: 0, resetAt: Math.floor(finishMs / 1000) + 600 };
    if (operating instanceof Promise) return operating.then((o) => outcome(result, timeBlock(call.startMs, finishMs, processingMs, o)));
    return outcome(result, timeBlock(call.startMs, finishMs, processingMs, operating));
  }
}

/** The call's outcome: its result (paging lifted to the envelope) and the time block. */
function outcome(result: unknown, time: TimeBlock): CallOutcome {
  const out = liftPaging(result) as CallOutcome;
  out.time = time;
  return out;
}
