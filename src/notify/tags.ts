import { createHash } from 'node:crypto';
import type { Caller } from '../rest/caller.ts';

/**
 * Who owns a tag namespace. `name` is what the visible tag is derived from, as on the portal
 * (the client id, or `custom` + CLIENT_ID for a webhook); `key` is the full owner stored beside
 * the tag and compared on replace and delete, because the visible form keeps only 20 bits of a
 * hash and two owners can be made to collide in seconds.
 */
export interface TagOwner {
  name: string;
  key: string;
}

/** The real server stores an application's tags as `MP|` + 5 hex of md5(owner name) + `|` + tag. */
export function appTag(ownerName: string, tag: string): string {
  return `MP|${createHash('md5').update(ownerName).digest('hex').slice(0, 5)}|${tag}`;
}

const applicationOwner = (clientId: string): TagOwner => ({ name: clientId, key: `app:${clientId}` });

/**
 * A webhook's namespace: its user's, named by CLIENT_ID. It never reaches an application's
 * namespace (even naming that application's client id) nor another user's webhooks' tags.
 */
const webhookOwner = (userId: number, clientId: string): TagOwner => ({
  name: `custom${clientId}`,
  key: `user:${userId}:${clientId}`,
});

/**
 * The owner tags are stored under when adding: only an OAuth application's (webhook tags are
 * dropped like on the portal) unless the opt-in setting lets a webhook's CLIENT_ID count.
 */
export function addTagOwner(caller: Caller, clientIdParam: string, webhookTagsWithClientId: boolean): TagOwner | null {
  if (caller.kind === 'oauth' && caller.clientId) return applicationOwner(caller.clientId);
  if (webhookTagsWithClientId && clientIdParam) return webhookOwner(caller.userId, clientIdParam);
  return null;
}

/** For deletes: the OAuth application, else the caller's CLIENT_ID namespace, else nobody (ACCESS_DENIED). */
export function deleteTagOwner(caller: Caller, clientIdParam: string): TagOwner | null {
  if (caller.kind === 'oauth' && caller.clientId) return applicationOwner(caller.clientId);
  if (clientIdParam) return webhookOwner(caller.userId, clientIdParam);
  return null;
}
