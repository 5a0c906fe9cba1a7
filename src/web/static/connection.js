// Connection state you can't miss: the small badge in the bar, and while the server cannot be
// reached a banner that counts down to the next attempt, with a button to try at once.
import { el } from './common.js';
import { t } from './i18n.js';

/** Transient drops (a restart, a network blip) heal within this; only longer outages show the banner. */
const BANNER_AFTER_MS = 1_000;

export function connectionView({ retryNow }) {
  const badge = document.getElementById('link-state');
  const banner = document.getElementById('offline-banner');
  let since = null; // when the page went offline
  let retryAt = 0;
  let ticker = null;

  function paint() {
    const seconds = Math.max(0, Math.ceil((retryAt - Date.now()) / 1000));
    if (since === null || Date.now() - since < BANNER_AFTER_MS) return;
    const text = seconds > 0 ? t('connection.retryIn', { count: seconds }) : t('connection.retrying');
    const message = banner.querySelector('.banner-text');
    if (message) {
      // Only the sentence changes each second, not the element a screen reader announced.
      message.textContent = text;
    } else {
      banner.replaceChildren(
        el('strong', {}, t('connection.lost')),
        el('span', { class: 'banner-text' }, text),
        el('button', { type: 'button', class: 'retry-now', onclick: () => retryNow() }, t('connection.retryNow')),
      );
    }
    banner.hidden = false;
  }

  return function onState(state, info = {}) {
    badge.dataset.state = state;
    badge.textContent = t(`link.${state}`);
    if (state === 'offline') {
      since ??= Date.now();
      retryAt = info.retryAt ?? Date.now();
      clearInterval(ticker);
      ticker = setInterval(paint, 250);
      paint();
      return;
    }
    since = null;
    clearInterval(ticker);
    banner.hidden = true;
    banner.replaceChildren();
  };
}
