/** Records as the store hands them to the domain: camelCase, times in Unix milliseconds. */

export interface User {
  id: number;
  login: string;
  passwordHash: string | null;
  name: string;
  lastName: string;
  secondName: string;
  email: string;
  workPosition: string;
  gender: string;
  photoUrl: string;
  timeZone: string;
  isAdmin: boolean;
  active: boolean;
  createdAt: number;
  lastActivityAt: number | null;
}

export type NewUser = Partial<Omit<User, 'id' | 'createdAt' | 'lastActivityAt'>> & { login: string };

export interface UserFilter {
  ids?: number[];
  active?: boolean;
  /** Case-insensitive substring over login, name, last name and email. */
  search?: string;
  email?: string;
  name?: string;
  lastName?: string;
  workPosition?: string;
}

export interface UserRepo {
  create(user: NewUser, now: number): Promise<User>;
  byId(id: number): Promise<User | null>;
  byLogin(login: string): Promise<User | null>;
  byIds(ids: number[]): Promise<User[]>;
  list(filter: UserFilter, page: { offset: number; limit: number; order?: 'asc' | 'desc' }): Promise<{ items: User[]; total: number }>;
  update(id: number, fields: Partial<Omit<User, 'id' | 'createdAt'>>): Promise<void>;
  count(): Promise<number>;
}

export interface Webhook {
  id: number;
  userId: number;
  codeHash: string;
  title: string;
  scopes: string[];
  active: boolean;
  createdAt: number;
  lastUsedAt: number | null;
  lastUsedIp: string | null;
}

export interface WebhookRepo {
  create(w: { userId: number; codeHash: string; title: string; scopes: string[] }, now: number): Promise<Webhook>;
  byId(id: number): Promise<Webhook | null>;
  /** Active webhooks of a user: the caller compares code hashes itself, in constant time. */
  activeForUser(userId: number): Promise<Webhook[]>;
  list(): Promise<Webhook[]>;
  revoke(id: number): Promise<boolean>;
  touch(id: number, now: number, ip: string | null): Promise<void>;
}

/** A signed-in browser. The cookie holds a random token; the store only its hash. */
export interface WebSessionRecord {
  id: number;
  tokenHash: string;
  userId: number;
  createdAt: number;
  lastSeenAt: number;
  expiresAt: number;
  ip: string;
}

export type NewWebSession = Pick<WebSessionRecord, 'tokenHash' | 'userId' | 'createdAt' | 'expiresAt' | 'ip'>;

export interface WebSessionRepo {
  create(s: NewWebSession): Promise<WebSessionRecord>;
  /** The session with this token hash, unless it has expired by `now`. */
  byTokenHash(tokenHash: string, now: number): Promise<WebSessionRecord | null>;
  extend(id: number, now: number, expiresAt: number): Promise<void>;
  remove(tokenHash: string): Promise<boolean>;
  /** Signs a user out everywhere (password change, deactivation). */
  removeForUser(userId: number): Promise<number>;
  purgeExpired(now: number): Promise<number>;
}
