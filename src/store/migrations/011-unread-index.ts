import type { Migration } from './ddl.ts';

/**
 * Each user's unread notifications by id. `im.notify.read.all` (and a read "from this id on")
 * marks the unread ones: with only the `(user_id, id)` index its UPDATE walked every stored
 * notification of the user, read or not, so its cost grew with the user's history; this one
 * holds only the rows it changes.
 */
export const unreadIndex: Migration = {
  version: 11,
  name: 'unread-index',
  up: () => [`CREATE INDEX notifications_unread ON notifications(user_id, id) WHERE is_read = 0`],
};
