/** The notification types a server knows: what im.notify.schema.get lists, and the REST type. */

export interface SchemaModule {
  NAME: string;
  MODULE_ID: string;
  LIST: { ID: string; NAME: string }[];
}

/**
 * The portal builds this from its installed modules; notify24 has none of them, so it answers
 * the schema of a portal with only the messenger and main modules (docs/notify.md). Like the
 * portal, it does not list `rest|rest_notify`, the type of every REST-sent notification.
 */
export const NOTIFY_SCHEMA: Record<string, SchemaModule> = {
  im: {
    NAME: 'Chats and Calls',
    MODULE_ID: 'im',
    LIST: [
      ['message', 'Private messages'],
      ['chat', 'Group chat messages'],
      ['openChat', 'Open channel messages'],
      ['like', 'Likes'],
      ['mention', 'Mentions'],
      ['videconf_new_guest', 'New guest in a video conference'],
      ['default', 'Other notifications'],
    ].map(([event, name]) => ({ ID: `im|${event}`, NAME: name! })),
  },
  main: {
    NAME: 'Main module',
    MODULE_ID: 'main',
    LIST: [
      ['rating_vote', 'Someone liked your post'],
      ['rating_vote_mentioned', 'Someone liked a post you were mentioned in'],
    ].map(([event, name]) => ({ ID: `main|${event}`, NAME: name! })),
  },
};

/** The module and event of every notification sent through REST, and its `module|event`. */
export const REST_MODULE = 'rest';
export const REST_EVENT = 'rest_notify';
export const REST_TYPE = `${REST_MODULE}|${REST_EVENT}`;

/** `MESSAGE_OUT` that asks for no e-mail (the portal's IM_MAIL_SKIP). */
export const MAIL_SKIP = '#SKIP#';

export interface NotificationType {
  /** `module|event` */
  id: string;
  module: string;
  name: string;
}

/**
 * Every type delivery settings can name: the schema's, plus the REST type — the schema leaves
 * it out (as the portal does), but it is the type of everything sent through the API.
 */
export const NOTIFICATION_TYPES: NotificationType[] = [
  { id: REST_TYPE, module: 'rest', name: 'Notifications from applications and webhooks' },
  ...Object.values(NOTIFY_SCHEMA).flatMap((m) => m.LIST.map((e) => ({ id: e.ID, module: m.MODULE_ID, name: e.NAME }))),
];

export const typeKeyOf = (n: { module: string; event: string }): string => `${n.module}|${n.event}`;
