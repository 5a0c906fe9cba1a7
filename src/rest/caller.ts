/** How a REST call was authorized; some methods behave differently per kind. */
export type AuthKind = 'webhook' | 'oauth' | 'session';

/** Who is calling: the result of authentication, the input of every method. */
export interface Caller {
  kind: AuthKind;
  userId: number;
  /** Granted scopes; `null` means every scope (session authorization). */
  scopes: ReadonlySet<string> | null;
  /** The OAuth application's client id: the "application context". Null for webhooks and sessions. */
  clientId: string | null;
  /** Internal id of the webhook or application, for per-caller accounting. */
  credentialId: number;
  /** The access token's hash (OAuth), kept so batch sub-calls and events can refer to it. */
  tokenHash?: string;
}

/** Key for per-caller limits: one per webhook or application (Bitrix counts them separately). */
export function callerKey(caller: Caller): string {
  if (caller.kind === 'oauth') return `app:${caller.clientId}`;
  if (caller.kind === 'webhook') return `webhook:${caller.credentialId}`;
  return `session:${caller.userId}`;
}

export function hasScope(caller: Caller, scope: string): boolean {
  if (scope === '_global' || caller.scopes === null) return true;
  if (caller.scopes.has(scope)) return true;
  // `user_brief` and `user_basic` grants also open the methods of scope `user`.
  return scope === 'user' && (caller.scopes.has('user_brief') || caller.scopes.has('user_basic'));
}
