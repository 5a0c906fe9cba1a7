import { isoDate } from '../lib/clock.ts';
import { defineMethod } from '../rest/registry.ts';
import type { MethodContext } from '../rest/method.ts';
import { intval, isMap, strval } from '../rest/php.ts';
import { upperKeys, type RawParams } from '../rest/params.ts';
import { boundedList } from '../rest/shape.ts';
import type { User, UserFilter } from '../store/port/identity.ts';
import { PagedList } from '../rest/invoke.ts';
import { errors } from '../errors/rest.ts';

const PAGE = 50;

/** A user as the `user.*` methods print one: ids as strings, dates ISO, like the portal's legacy fields. */
export function userFields(u: User): Record<string, unknown> {
  return {
    ID: String(u.id),
    XML_ID: '',
    ACTIVE: u.active,
    NAME: u.name,
    LAST_NAME: u.lastName,
    SECOND_NAME: u.secondName,
    EMAIL: u.email,
    LAST_LOGIN: u.lastActivityAt ? isoDate(u.lastActivityAt) : '',
    DATE_REGISTER: isoDate(u.createdAt),
    IS_ONLINE: 'N',
    TIME_ZONE: u.timeZone,
    TIMESTAMP_X: isoDate(u.createdAt),
    LAST_ACTIVITY_DATE: u.lastActivityAt ? isoDate(u.lastActivityAt) : '',
    PERSONAL_GENDER: u.gender,
    PERSONAL_PHOTO: u.photoUrl,
    WORK_POSITION: u.workPosition,
    UF_DEPARTMENT: [],
    USER_TYPE: 'employee',
  };
}

async function currentUser(ctx: MethodContext): Promise<User> {
  const user = await ctx.deps.store.users.byId(ctx.caller.userId);
  if (!user) throw errors.accessDenied('User authorization required');
  return user;
}

export const userCurrent = defineMethod({
  name: 'user.current',
  scope: 'user',
  handler: async (ctx) => userFields(await currentUser(ctx)),
});

/** `FILTER` keys (and, for the legacy form, the same keys at the top level) → a store filter. */
function userFilter(params: RawParams): UserFilter {
  const source = upperKeys(isMap(params.FILTER) ? params.FILTER : params);
  const filter: UserFilter = {};
  if (source.ID !== undefined) {
    const ids = Array.isArray(source.ID) || isMap(source.ID) ? Object.values(source.ID) : [source.ID];
    filter.ids = boundedList('ID', ids.map(intval).filter((id) => id > 0));
  }
  if (source.ACTIVE !== undefined) filter.active = source.ACTIVE === true || source.ACTIVE === 'Y' || source.ACTIVE === 'true' || source.ACTIVE === '1' || source.ACTIVE === 1;
  if (source.EMAIL !== undefined) filter.email = strval(source.EMAIL);
  if (source.NAME !== undefined) filter.name = strval(source.NAME);
  if (source.LAST_NAME !== undefined) filter.lastName = strval(source.LAST_NAME);
  if (source.WORK_POSITION !== undefined) filter.workPosition = strval(source.WORK_POSITION);
  if (source.FIND !== undefined) filter.search = strval(source.FIND);
  return filter;
}

export const userGet = defineMethod({
  name: 'user.get',
  scope: 'user',
  handler: async (ctx) => {
    const order = strval(ctx.params.get('ORDER')).toUpperCase() === 'DESC' ? 'desc' : 'asc';
    // start=-1: the first page without counting, reported as total 0 and no next (as on the portal).
    const uncounted = ctx.start === -1;
    const offset = Math.max(0, ctx.start);
    const { items, total } = await ctx.deps.store.users.list(userFilter(ctx.params.values), { offset, limit: PAGE, order });
    // An empty list carries no paging, as on the portal.
    if (items.length === 0) return [];
    return uncounted ? new PagedList(items.map(userFields), 0) : PagedList.at(items.map(userFields), offset, total);
  },
});

export const profile = defineMethod({
  name: 'profile',
  scope: '_global',
  handler: async (ctx) => {
    const user = await currentUser(ctx);
    if (!user.active) return [];
    const out: Record<string, unknown> = {
      ID: user.id,
      ADMIN: user.isAdmin,
      NAME: user.name,
      LAST_NAME: user.lastName,
      PERSONAL_GENDER: user.gender,
    };
    if (user.photoUrl) out.PERSONAL_PHOTO = user.photoUrl;
    out.TIME_ZONE = user.timeZone;
    out.TIME_ZONE_OFFSET = user.timeZone ? 0 : -new Date(ctx.deps.clock.now()).getTimezoneOffset() * 60;
    return out;
  },
});

export const userMethods = [userCurrent, userGet, profile];
