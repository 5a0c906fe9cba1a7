// The center's service worker (served at /sw.js, scope /): shows Web Push messages as system
// notifications while no notification center is visible, and opens the center when one is
// clicked. It handles no fetches: the pages work exactly as without it.
// Message shape (JSON): {v: 1, id, title, body, url, tag} — see docs/delivery.md.

self.addEventListener('install', () => self.skipWaiting());
self.addEventListener('activate', (event) => event.waitUntil(self.clients.claim()));

function readPush(data) {
  try {
    const p = data?.json();
    if (p && p.v === 1 && typeof p.title === 'string') return p;
  } catch {
    // not JSON: shown as plain text below
  }
  return { title: 'notify24', body: data?.text() ?? '', url: '/', tag: 'notify24' };
}

const isCenter = (client) => new URL(client.url).pathname === '/';

async function show(payload) {
  const windows = await self.clients.matchAll({ type: 'window', includeUncontrolled: true });
  // A visible center shows the notification itself: no second, system popup. A hidden one
  // leaves it to this worker (the page shows its own only when this device has no push).
  if (windows.some((w) => isCenter(w) && w.visibilityState === 'visible')) return;
  await self.registration.showNotification(payload.title, {
    body: payload.body,
    tag: payload.tag,
    icon: '/favicon.ico',
    data: { url: payload.url ?? '/', id: payload.id ?? null },
  });
}

self.addEventListener('push', (event) => event.waitUntil(show(readPush(event.data))));

self.addEventListener('notificationclick', (event) => {
  event.notification.close();
  event.waitUntil((async () => {
    const target = new URL(event.notification.data?.url ?? '/', self.location.origin);
    if (target.origin !== self.location.origin) return;
    const windows = await self.clients.matchAll({ type: 'window', includeUncontrolled: true });
    const open = windows.find(isCenter);
    if (open) await open.focus();
    else await self.clients.openWindow(target.href);
  })());
});
