import type { Dialect } from '../engine/sql-db.ts';

/** Column types that differ between the engines; migration DDL is written once against these. */
export interface Ddl {
  /** Auto-incrementing primary key whose values only ever grow. */
  id: string;
  bigint: string;
  /** Large binary-safe text. */
  text: string;
}

export function ddlFor(dialect: Dialect): Ddl {
  return dialect === 'sqlite'
    ? { id: 'INTEGER PRIMARY KEY AUTOINCREMENT', bigint: 'INTEGER', text: 'TEXT' }
    : { id: 'BIGSERIAL PRIMARY KEY', bigint: 'BIGINT', text: 'TEXT' };
}

export interface Migration {
  version: number;
  name: string;
  /** Statements to run, in order, inside one transaction. */
  up(d: Ddl): string[];
}
