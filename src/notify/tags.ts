import { createHash } from 'node:crypto';
import type { Caller } from '../rest/caller.ts';

/** The real server stores an application's tags as `MP|` + 5 hex of md5(client id) + `|` + tag. */
export function appTag(clientId: string, tag: string): string {
  return `MP|${createHash('md5').update(clientId).digest('hex').slice(0, 5)}|${tag}`;
}

/**
 * The client id tags are stored under when adding: only an OAuth application's (webhook tags are
 * dropped like on the portal) unless the opt-in setting lets a webhook's CLIENT_ID count.
 */
export function addTagOwner(caller: Caller, clientIdParam: string, webhookTagsWithClientId: boolean): string | null {
  if (caller.kind === 'oauth' && caller.clientId) return caller.clientId;
  if (webhookTagsWithClientId && clientIdParam) return `custom${clientIdParam}`;
  return null;
}

/** For deletes: the OAuth client id, else `custom` + CLIENT_ID, else nobody (ACCESS_DENIED). */
export function deleteTagOwner(caller: Caller, clientIdParam: string): string | null {
  if (caller.kind === 'oauth' && caller.clientId) return caller.clientId;
  if (clientIdParam) return `custom${clientIdParam}`;
  return null;
}
