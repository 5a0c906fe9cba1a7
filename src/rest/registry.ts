import type { Caller } from './caller.ts';
import type { Params, RawParams } from './params.ts';
import type { Services } from '../services.ts';

/** What the transport knows about the request a method runs for. */
export interface RequestInfo {
  ip: string;
  secure: boolean;
  /** `http(s)://host:port` as the client addressed us, for building URLs in results. */
  origin: string;
}

export interface MethodContext {
  caller: Caller;
  /** Parameters with upper-cased top-level keys (or as sent, for `rawKeys` methods). */
  params: Params;
  /** Parameters exactly as sent, auth keys removed. */
  raw: RawParams;
  /** The `start` paging offset (intval; -1 asks for no count), separated from the parameters as Bitrix does. */
  start: number;
  services: Services;
  request: RequestInfo;
  /** The method name as registered (lower case). */
  method: string;
  inBatch: boolean;
}

export interface MethodDef {
  /** Lower-case method name, e.g. `im.notify.get`. */
  name: string;
  /** `_global` for methods every caller may use, else the scope a grant must contain. */
  scope: string;
  handler: (ctx: MethodContext) => unknown | Promise<unknown>;
  /** Callable inside `batch` (default true). */
  batch?: boolean;
  /** Shown by `methods` (default true); Bitrix hides some callable methods. */
  listed?: boolean;
  /** Keep parameter keys as sent instead of upper-casing them (e.g. im.counters.get). */
  rawKeys?: boolean;
}

export function defineMethod(def: MethodDef): MethodDef {
  return def;
}

/** The method table: a method is declared once and the registry answers for it everywhere. */
export class MethodRegistry {
  private readonly methods = new Map<string, MethodDef>();

  add(...defs: MethodDef[]): this {
    for (const def of defs) {
      const name = def.name.toLowerCase();
      if (this.methods.has(name)) throw new Error(`method ${name} registered twice`);
      this.methods.set(name, { ...def, name });
    }
    return this;
  }

  /** Method names are case-insensitive, as on the portal. */
  find(name: string): MethodDef | undefined {
    return this.methods.get(name.toLowerCase());
  }

  all(): MethodDef[] {
    return [...this.methods.values()];
  }

  /** Every scope some method belongs to, `_global` excluded. */
  scopes(): string[] {
    return [...new Set(this.all().map((m) => m.scope))].filter((s) => s !== '_global').sort();
  }
}
