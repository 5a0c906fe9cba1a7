import type { Migration } from './ddl.ts';

/**
 * The full owner of a notification's tags (`app:<client id>` or `user:<id>:<CLIENT_ID>`),
 * compared on tag replacement and delete: the visible `MP|xxxxx|` prefix is 20 bits of a hash,
 * which different owners can be made to share. Rows tagged before this version by an OAuth
 * application get that application as owner; rows a webhook tagged keep '' and are no longer
 * matched by any tag delete (retention removes them).
 */
export const tagOwners: Migration = {
  version: 7,
  name: 'tag-owners',
  up: (d) => [
    `ALTER TABLE notifications ADD COLUMN tag_owner ${d.text} NOT NULL DEFAULT ''`,
    `UPDATE notifications SET tag_owner = 'app:' || sender_client_id
     WHERE sender_client_id <> '' AND (tag <> '' OR sub_tag <> '')`,
  ],
};
