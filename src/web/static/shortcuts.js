// Keyboard use of the inbox: j/k move between notifications, e or Enter toggles read, # deletes,
// u undoes the delete, ? shows the list of keys. The current row is the list's one Tab stop
// (roving tabindex), so Tab and Shift+Tab skip over the rest of the list.

const TYPING = /^(INPUT|TEXTAREA|SELECT)$/;

export function initShortcuts({ rows, isActive, toggleRead, remove, undo }) {
  const help = document.getElementById('help');
  let currentId = null;

  function focusRow(row) {
    if (!row) return;
    for (const other of rows()) {
      other.tabIndex = other === row ? 0 : -1;
      other.classList.toggle('current', other === row);
    }
    currentId = row.dataset.id;
    row.focus();
    row.scrollIntoView({ block: 'nearest' });
  }

  function current() {
    const list = rows();
    return list.find((r) => r.dataset.id === currentId) ?? null;
  }

  function move(step) {
    const list = rows();
    if (!list.length) return;
    const at = list.indexOf(current());
    focusRow(list[at < 0 ? 0 : Math.min(list.length - 1, Math.max(0, at + step))]);
  }

  document.getElementById('help-button')?.addEventListener('click', () => help.showModal());

  document.addEventListener('focusin', (e) => {
    const row = e.target.closest?.('li.item');
    if (row && rows().includes(row)) currentId = row.dataset.id;
  });

  document.addEventListener('keydown', (e) => {
    if (e.ctrlKey || e.metaKey || e.altKey || e.defaultPrevented) return;
    if (TYPING.test(e.target.tagName) || e.target.isContentEditable || help.open) return;
    if (e.key === '?') {
      e.preventDefault();
      help.showModal();
      return;
    }
    if (!isActive()) return;
    // Enter on a button inside the row presses that button; on the row itself it toggles read.
    const onRow = e.target === document.body || e.target.matches?.('li.item');
    const row = current();
    switch (e.key) {
      case 'j': move(1); break;
      case 'k': move(-1); break;
      case 'e': if (row) toggleRead(row.dataset.id); break;
      case 'Enter': if (!onRow || !row) return; toggleRead(row.dataset.id); break;
      case '#': {
        if (!row) return;
        const list = rows();
        const next = list[list.indexOf(row) + 1] ?? list[list.indexOf(row) - 1];
        remove(row.dataset.id);
        if (next) focusRow(rows().find((r) => r.dataset.id === next.dataset.id));
        break;
      }
      case 'u': undo(); break;
      default: return;
    }
    e.preventDefault();
  });

  /** After a re-render: the same notification stays current (and focused, if it was). */
  return {
    restore(hadFocus) {
      const row = current() ?? rows()[0];
      if (!row) return;
      for (const other of rows()) {
        other.tabIndex = other === row ? 0 : -1;
        other.classList.toggle('current', other === row && currentId !== null);
      }
      if (hadFocus && current()) row.focus();
    },
  };
}
