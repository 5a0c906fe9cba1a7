// The unread count wherever a user looks for it: the badge (with a sentence for screen readers),
// the tab title, and the favicon, drawn with the count on top of the icon.
import { formatNumber, t } from './i18n.js';

const ICON = '/favicon.ico';
let base = null; // the plain icon as an image, loaded once

function loadBase() {
  base ??= new Promise((resolve) => {
    const img = new Image();
    img.onload = () => resolve(img);
    img.onerror = () => resolve(null);
    img.src = ICON;
  });
  return base;
}

async function drawFavicon(link, count) {
  link.dataset.count = String(count);
  if (!count) {
    link.href = ICON;
    return;
  }
  const img = await loadBase();
  if (link.dataset.count !== String(count)) return; // a newer count is being drawn
  const size = 32;
  const canvas = Object.assign(document.createElement('canvas'), { width: size, height: size });
  const g = canvas.getContext('2d');
  if (img) g.drawImage(img, 0, 0, size, size);
  const label = count > 99 ? '99+' : String(count);
  g.fillStyle = '#b3261e';
  g.beginPath();
  g.arc(size - 11, 11, 11, 0, Math.PI * 2);
  g.fill();
  g.fillStyle = '#fff';
  g.font = `bold ${label.length > 2 ? 10 : 15}px system-ui, sans-serif`;
  g.textAlign = 'center';
  g.textBaseline = 'middle';
  g.fillText(label, size - 11, 12);
  link.href = canvas.toDataURL('image/png');
}

export function showUnread(value) {
  const n = Math.max(0, Number(value) || 0);
  const badge = document.getElementById('counter');
  badge.textContent = formatNumber(n);
  badge.dataset.count = String(n);
  document.getElementById('counter-text').textContent = n ? t('center.unread', { count: n }) : t('center.unreadNone');
  document.title = n ? t('center.titleUnread', { count: n }) : t('center.title');
  const link = document.getElementById('favicon');
  if (link) void drawFavicon(link, n);
  return n;
}
