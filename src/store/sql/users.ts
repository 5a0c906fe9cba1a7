import type { SqlDb } from '../engine/sql-db.ts';
import { idChunks, placeholders } from './query.ts';
import type { NewUser, User, UserFilter, UserRepo } from '../port/identity.ts';

interface UserRow {
  id: number | string;
  login: string;
  password_hash: string | null;
  name: string;
  last_name: string;
  second_name: string;
  email: string;
  work_position: string;
  gender: string;
  photo_url: string;
  time_zone: string;
  is_admin: number;
  active: number;
  created_at: number | string;
  last_activity_at: number | string | null;
}

const COLUMNS: Record<keyof Omit<User, 'id'>, string> = {
  login: 'login',
  passwordHash: 'password_hash',
  name: 'name',
  lastName: 'last_name',
  secondName: 'second_name',
  email: 'email',
  workPosition: 'work_position',
  gender: 'gender',
  photoUrl: 'photo_url',
  timeZone: 'time_zone',
  isAdmin: 'is_admin',
  active: 'active',
  createdAt: 'created_at',
  lastActivityAt: 'last_activity_at',
};

function toUser(r: UserRow): User {
  return {
    id: Number(r.id),
    login: r.login,
    passwordHash: r.password_hash,
    name: r.name,
    lastName: r.last_name,
    secondName: r.second_name,
    email: r.email,
    workPosition: r.work_position,
    gender: r.gender,
    photoUrl: r.photo_url,
    timeZone: r.time_zone,
    isAdmin: Boolean(Number(r.is_admin)),
    active: Boolean(Number(r.active)),
    createdAt: Number(r.created_at),
    lastActivityAt: r.last_activity_at === null ? null : Number(r.last_activity_at),
  };
}

function toColumns(fields: Partial<Omit<User, 'id'>>): [string[], unknown[]] {
  const names: string[] = [];
  const values: unknown[] = [];
  for (const [key, value] of Object.entries(fields)) {
    const column = COLUMNS[key as keyof typeof COLUMNS];
    if (!column || value === undefined) continue;
    names.push(column);
    values.push(typeof value === 'boolean' ? (value ? 1 : 0) : value);
  }
  return [names, values];
}

function where(filter: UserFilter): [string, unknown[]] {
  const parts: string[] = [];
  const values: unknown[] = [];
  if (filter.ids) {
    if (filter.ids.length === 0) return ['WHERE 1 = 0', []];
    const ids = [...new Set(filter.ids)];
    parts.push(`id IN ${placeholders(ids.length)}`);
    values.push(...ids);
  }
  if (filter.active !== undefined) {
    parts.push('active = ?');
    values.push(filter.active ? 1 : 0);
  }
  for (const [key, column] of [
    ['email', 'email'],
    ['name', 'name'],
    ['lastName', 'last_name'],
    ['workPosition', 'work_position'],
  ] as const) {
    if (filter[key] !== undefined) {
      parts.push(`LOWER(${column}) = LOWER(?)`);
      values.push(filter[key]);
    }
  }
  if (filter.search) {
    parts.push(
      `(LOWER(login) LIKE ? OR LOWER(name) LIKE ? OR LOWER(last_name) LIKE ? OR LOWER(email) LIKE ?)`,
    );
    const like = `%${filter.search.toLowerCase()}%`;
    values.push(like, like, like, like);
  }
  return [parts.length ? `WHERE ${parts.join(' AND ')}` : '', values];
}

export class SqlUserRepo implements UserRepo {
  constructor(private readonly db: SqlDb) {}

  async create(user: NewUser, now: number): Promise<User> {
    const [names, values] = toColumns({ ...user, createdAt: now });
    const row = await this.db.get<UserRow>(
      `INSERT INTO users (${names.join(', ')}) VALUES ${placeholders(names.length)} RETURNING *`,
      values,
    );
    return toUser(row!);
  }
  async byId(id: number): Promise<User | null> {
    const row = await this.db.get<UserRow>('SELECT * FROM users WHERE id = ?', [id]);
    return row ? toUser(row) : null;
  }
  async byLogin(login: string): Promise<User | null> {
    const row = await this.db.get<UserRow>('SELECT * FROM users WHERE login = ?', [login]);
    return row ? toUser(row) : null;
  }
  async byIds(ids: number[]): Promise<User[]> {
    const users: User[] = [];
    for (const chunk of idChunks(ids)) {
      const rows = await this.db.all<UserRow>(`SELECT * FROM users WHERE id IN ${placeholders(chunk.length)}`, chunk);
      users.push(...rows.map(toUser));
    }
    return users;
  }
  async list(filter: UserFilter, page: { offset: number; limit: number; order?: 'asc' | 'desc' }) {
    const [clause, values] = where(filter);
    const total = await this.db.get<{ n: number | string }>(`SELECT COUNT(*) AS n FROM users ${clause}`, values);
    const rows = await this.db.all<UserRow>(
      `SELECT * FROM users ${clause} ORDER BY id ${page.order === 'desc' ? 'DESC' : 'ASC'} LIMIT ? OFFSET ?`,
      [...values, page.limit, page.offset],
    );
    return { items: rows.map(toUser), total: Number(total?.n ?? 0) };
  }
  async update(id: number, fields: Partial<Omit<User, 'id' | 'createdAt'>>): Promise<void> {
    const [names, values] = toColumns(fields);
    if (names.length === 0) return;
    await this.db.run(`UPDATE users SET ${names.map((n) => `${n} = ?`).join(', ')} WHERE id = ?`, [...values, id]);
  }
  async count(): Promise<number> {
    const row = await this.db.get<{ n: number | string }>('SELECT COUNT(*) AS n FROM users');
    return Number(row?.n ?? 0);
  }
}
