import { performance } from 'node:perf_hooks';
import type { Services } from '../services.ts';
import { callerKey, hasScope, type Caller } from './caller.ts';
import { errors, RestError } from './errors.ts';
import { Params, upperKeys, type RawParams } from './params.ts';
import { intval, isMap } from './php.ts';
import type { MethodDef, RequestInfo } from './registry.ts';
import { timeBlock, type TimeBlock } from './time.ts';

/** A successful call, before the edge wraps it in the envelope. */
export interface CallOutcome {
  result: unknown;
  next?: number;
  total?: number;
  time: TimeBlock;
}

/** Looks the method up; unknown methods fail before any authentication, as on the portal. */
export function resolveMethod(services: Services, name: string): MethodDef {
  const def = services.registry.find(name);
  if (!def) throw errors.methodNotFound();
  return def;
}

/** The grant must contain the method's scope; inside batch the portal leaves the text empty. */
export function ensureScope(def: MethodDef, caller: Caller, inBatch = false): void {
  if (hasScope(caller, def.scope)) return;
  const err = errors.insufficientScope(caller.kind === 'oauth' ? 'access' : 'webhook');
  throw inBatch ? new RestError(err.code, '', err.status) : err;
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

export interface ExecuteOptions {
  services: Services;
  def: MethodDef;
  caller: Caller;
  raw: RawParams;
  request: RequestInfo;
  /** When the HTTP request started (Unix ms), for `time.start`. */
  startMs: number;
  inBatch?: boolean;
}

/** Runs an authorized call: operating-time gate, the handler, accounting, the time block. */
export async function execute(opts: ExecuteOptions): Promise<CallOutcome> {
  const { services, def, caller, request } = opts;
  const accountable = caller.kind !== 'session' && def.name !== 'batch';
  const operatingKey = `${callerKey(caller)}|${def.name}`;
  if (accountable && !(await services.operatingTime.allowed(operatingKey, services.clock.now()))) {
    throw errors.operationTimeLimit();
  }

  const { start, state: _state, ...raw } = opts.raw;
  const began = performance.now();
  const result = await def.handler({
    caller,
    params: new Params(def.rawKeys ? raw : upperKeys(raw)),
    raw,
    start: intval(start),
    services,
    request,
    method: def.name,
    inBatch: opts.inBatch ?? false,
  });
  const processingMs = performance.now() - began;

  const finishMs = services.clock.now();
  const operating = accountable
    ? await services.operatingTime.record(operatingKey, processingMs / 1000, finishMs)
    : { operating: 0, resetAt: Math.floor(finishMs / 1000) + 600 };
  return { ...liftPaging(result), time: timeBlock(opts.startMs, finishMs, processingMs, operating) };
}
