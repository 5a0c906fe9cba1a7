import { isoDate } from '../lib/clock.ts';
import type { ListedNotification } from '../store/port/notifications.ts';
import type { User } from '../store/port/identity.ts';
import { keyboardJson, storedButtons } from './buttons.ts';
import { bbcodeToHtml } from './bbcode.ts';
import { parseNotifyText } from './text-parse.ts';

/**
 * A notification as im.notify.get and history.search print one, and as the push message carries
 * it. `text` is the stored text after the portal's parse (HTML → BB code, links as `[URL]`
 * codes, entities decoded); CONVERT_TEXT=Y renders that as safe HTML (docs/notify.md).
 */
export function notificationView(n: ListedNotification, chatId: number, convertText = false): Record<string, unknown> {
  const text = parseNotifyText(n.text);
  const view: Record<string, unknown> = {
    id: n.id,
    chat_id: chatId,
    author_id: n.authorId,
    date: isoDate(n.createdAt),
    notify_type: n.type,
    notify_module: n.module,
    notify_event: n.event,
    notify_tag: n.tag,
    notify_sub_tag: n.subTag,
    notify_title: n.title,
    setting_name: `${n.module}|${n.event}`,
    text: convertText ? bbcodeToHtml(text) : text,
  };
  // The portal's key order: the keyboard (confirm notifications only), params, then the read state.
  if (n.type === 1) view.notify_buttons = keyboardJson(n.id, storedButtons(n));
  view.params = n.params ? JSON.parse(n.params) : null;
  view.notify_read = n.read ? 'Y' : 'N';
  return view;
}

/** An author in the lower-case shape of the im module's user records. */
export function imUserView(u: User): Record<string, unknown> {
  const name = [u.name, u.lastName].filter(Boolean).join(' ');
  return {
    id: u.id,
    active: u.active,
    name,
    first_name: u.name,
    last_name: u.lastName,
    work_position: u.workPosition,
    color: '#df532d',
    avatar: u.photoUrl,
    avatar_hr: u.photoUrl,
    gender: u.gender === 'F' ? 'F' : 'M',
    birthday: '',
    extranet: false,
    network: false,
    bot: false,
    connector: false,
    external_auth_id: 'default',
    status: 'online',
    idle: false,
    last_activity_date: u.lastActivityAt ? isoDate(u.lastActivityAt) : false,
    mobile_last_date: false,
    desktop_last_date: false,
    absent: false,
    departments: [],
    phones: false,
    bot_data: null,
    type: 'user',
    website: '',
    email: u.email,
  };
}
