// A pushed notification's link (/?notification=<id>) brings that notification into view once
// the list shows it: scrolled to, focused, marked. The address loses the parameter, so a reload
// or a bookmark does not jump again. One outside the first pages is not searched for.
const WATCH_MS = 10_000;

export function showLinkedNotification(list = document.getElementById('list')) {
  const id = new URLSearchParams(location.search).get('notification');
  if (!list || !id || !/^\d+$/.test(id)) return;
  history.replaceState(null, '', location.pathname + location.hash);
  const find = () => list.querySelector(`li.item[data-id="${id}"]`);
  const reveal = (item) => {
    if (!item.hasAttribute('tabindex')) item.tabIndex = -1;
    item.classList.add('linked');
    item.scrollIntoView({ block: 'center' });
    item.focus({ preventScroll: true });
  };
  const now = find();
  if (now) return reveal(now);
  const watch = new MutationObserver(() => {
    const item = find();
    if (!item) return;
    watch.disconnect();
    reveal(item);
  });
  watch.observe(list, { childList: true, subtree: true });
  setTimeout(() => watch.disconnect(), WATCH_MS);
}
