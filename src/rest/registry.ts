import type { MethodCatalog, MethodDef } from './method.ts';

export function defineMethod(def: MethodDef): MethodDef {
  return def;
}

/** The method table: a method is declared once and the registry answers for it everywhere. */
export class MethodRegistry implements MethodCatalog {
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
