import type { Migration } from './ddl.ts';

/** MESSAGE_OUT: the text for external channels (e-mail), kept beside the notification. */
export const messageOut: Migration = {
  version: 5,
  name: 'message-out',
  up: (d) => [`ALTER TABLE notifications ADD COLUMN message_out ${d.text} NOT NULL DEFAULT ''`],
};
