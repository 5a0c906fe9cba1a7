// A WAI-ARIA tab list with a roving tabindex: one Tab stop for the whole list, arrow keys (and
// Home/End) move between tabs and show their panel. Tabs are read at every use, so another
// module may add a `role=tab` button (with `aria-controls` naming its panel) at any time.
export function initTabs(tablist, onSelect = () => {}) {
  const tabs = () => [...tablist.querySelectorAll('[role=tab]')];

  function select(tab, focus = false) {
    for (const other of tabs()) {
      const chosen = other === tab;
      other.setAttribute('aria-selected', String(chosen));
      other.tabIndex = chosen ? 0 : -1;
      const panel = document.getElementById(other.getAttribute('aria-controls') ?? '');
      if (panel) panel.hidden = !chosen;
    }
    if (focus) tab.focus();
    onSelect(tab.id);
  }

  tablist.addEventListener('click', (e) => {
    const tab = e.target.closest('[role=tab]');
    if (tab) select(tab);
  });
  tablist.addEventListener('keydown', (e) => {
    const list = tabs();
    const at = list.indexOf(document.activeElement);
    if (at < 0) return;
    const next = { ArrowRight: at + 1, ArrowLeft: at - 1, Home: 0, End: list.length - 1 }[e.key];
    if (next === undefined) return;
    e.preventDefault();
    select(list[(next + list.length) % list.length], true);
  });
  return { select: (id) => select(document.getElementById(id)) };
}
