import type { Config } from '../../config.ts';
import { webErrors } from '../../errors/web.ts';
import { createUser, createWebhook, setPassword, updateUser, webhookUrls, type UserChanges } from '../../identity/accounts.ts';
import type { SessionDeps } from '../../identity/web-sessions.ts';
import type { User, Webhook } from '../../store/port/identity.ts';
import { requestBaseUrls, type BaseUrls } from '../addresses.ts';
import { readJsonObject } from '../body.ts';
import { json, type Reply } from '../reply.ts';
import type { HttpRequest } from '../request.ts';
import { publicUser, type Signed } from './console-api.ts';
import { field } from './console-fields.ts';

export interface AccountsDeps extends SessionDeps {
  config: SessionDeps['config'] & Pick<Config, 'publicUrl'>;
  /** The listeners' base URLs (known once the server listens), for webhook URLs in both forms. */
  listening: () => BaseUrls;
}

function publicWebhook(w: Webhook, owner: User | undefined) {
  return {
    id: w.id, user_id: w.userId, title: w.title, scopes: w.scopes, active: w.active,
    created_at: w.createdAt, last_used_at: w.lastUsedAt, last_used_ip: w.lastUsedIp,
    user: owner ? { id: owner.id, login: owner.login, name: [owner.name, owner.lastName].filter(Boolean).join(' ') } : null,
  };
}

/** Users and incoming webhooks in the console. */
export function consoleAccounts(deps: AccountsDeps) {
  const { store, clock } = deps;

  async function userOf(req: HttpRequest): Promise<User> {
    const user = await store.users.byId(field.id(req.params.id));
    if (!user) throw webErrors.userNotFound();
    return user;
  }

  return {
    async users(): Promise<Reply> {
      const { items } = await store.users.list({}, { offset: 0, limit: 500 });
      return json({ users: items.map(publicUser) });
    },

    async addUser(req: HttpRequest): Promise<Reply> {
      const body = await readJsonObject(req.raw);
      const login = String(body.login ?? '').trim();
      if (!/^[\w.@-]{1,64}$/.test(login)) throw webErrors.badLogin();
      const name = field.text(body, 'name', 100) || login;
      const email = field.email(body, 'email') ?? '';
      const password = field.password(body, 'password', false);
      if (await store.users.byLogin(login)) throw webErrors.loginTaken();
      const user = await createUser(store, { login, name, email, isAdmin: body.is_admin === true, password }, clock.now());
      return json({ user: publicUser(user) });
    },

    /** Name, last name, e-mail, active, administrator: whichever the body names. */
    async editUser(req: HttpRequest, { me }: Signed): Promise<Reply> {
      const body = await readJsonObject(req.raw);
      const user = await userOf(req);
      const changes: UserChanges = {
        name: field.text(body, 'name', 100),
        lastName: field.text(body, 'last_name', 100),
        email: field.email(body, 'email'),
        active: field.flag(body, 'active'),
        isAdmin: field.flag(body, 'is_admin'),
      };
      if (changes.name === '') throw webErrors.badField('name', 'required');
      // The last word on the console must not lock its own author out.
      if (user.id === me.id && (changes.active === false || changes.isAdmin === false)) throw webErrors.cannotChangeSelf();
      const defined = Object.fromEntries(Object.entries(changes).filter(([, v]) => v !== undefined)) as UserChanges;
      await updateUser(store, user.id, defined);
      return json({ user: publicUser((await store.users.byId(user.id))!) });
    },

    /** A new password; every browser signed in as that user is signed out. */
    async setUserPassword(req: HttpRequest): Promise<Reply> {
      const body = await readJsonObject(req.raw);
      const password = field.password(body, 'password', true)!;
      const user = await userOf(req);
      await setPassword(store, user.id, password);
      return json({ result: true });
    },

    async webhooks(): Promise<Reply> {
      const hooks = await store.webhooks.list();
      const owners = new Map((await store.users.byIds([...new Set(hooks.map((w) => w.userId))])).map((u) => [u.id, u]));
      return json({ webhooks: hooks.map((w) => publicWebhook(w, owners.get(w.userId))) });
    },

    async addWebhook(req: HttpRequest): Promise<Reply> {
      const body = await readJsonObject(req.raw);
      const userId = Number(body.user_id);
      const user = Number.isInteger(userId) ? await store.users.byId(userId) : null;
      if (!user) throw webErrors.userNotFound();
      const scopes = field.scopes(body, 'scopes') ?? ['im'];
      const title = field.text(body, 'title', 200) ?? '';
      const { webhook, code } = await createWebhook(store, { userId, scopes, title }, clock.now());
      // The code exists only now: the store keeps its hash, so this is the one chance to copy the URL.
      const urls = webhookUrls(requestBaseUrls(deps.listening(), req.origin, deps.config.publicUrl), userId, code);
      return json({ webhook: publicWebhook(webhook, user), url: urls.http ?? urls.https, urls });
    },

    async revokeWebhook(req: HttpRequest): Promise<Reply> {
      req.raw.resume();
      const id = field.id(req.params.id);
      if (!id) throw webErrors.notFound();
      return json({ revoked: await store.webhooks.revoke(id) });
    },
  };
}
