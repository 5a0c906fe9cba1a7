// "Notify me on this device": the center's switch for system notifications on this browser.
// On: Web Push (the service worker at /sw.js shows pushes while no center is visible), or,
// where the browser has no push service, notifications the open page shows while it is
// hidden. Either way an optional short sound plays when the hidden page gets one.
import { el, toast } from './common.js';
import { t } from './i18n.js';

const PAGE_ONLY = 'notify24.devicePush.pageOnly';
const SOUND = 'notify24.devicePush.sound';

const supported = () => 'serviceWorker' in navigator && 'Notification' in window;

function plainText(bbText, render) {
  const box = document.createElement('div');
  box.append(render(String(bbText ?? '')));
  return box.textContent ?? '';
}

/** A short beep made on the spot (no sound file to fetch). */
function beep() {
  const Ctx = window.AudioContext ?? window.webkitAudioContext;
  if (!Ctx) return;
  const ctx = new Ctx();
  const tone = ctx.createOscillator();
  const gain = ctx.createGain();
  tone.frequency.value = 880;
  gain.gain.setValueAtTime(0.15, ctx.currentTime);
  gain.gain.exponentialRampToValueAtTime(0.001, ctx.currentTime + 0.25);
  tone.connect(gain).connect(ctx.destination);
  tone.start();
  tone.stop(ctx.currentTime + 0.25);
  tone.onended = () => void ctx.close();
}

/**
 * Builds the switches into `host` and answers `{notify(n, title)}`, which the center calls for
 * each new notification. `rest` is the page's REST client, `renderBb` the safe BB renderer.
 */
export async function initDevicePush({ rest, host, renderBb }) {
  const off = { notify() {} };
  if (!supported() || !host) return off;
  let registration = null;
  try {
    registration = await navigator.serviceWorker.register('/sw.js', { scope: '/' });
  } catch {
    return off;
  }
  const pushSubscription = async () => (registration.pushManager ? registration.pushManager.getSubscription().catch(() => null) : null);
  let subscription = await pushSubscription();
  if (subscription) {
    // Revoked in the console, or left by someone who signed out here: not this user's any more.
    const mine = await rest('notify24.push.list').catch(() => null);
    if (Array.isArray(mine) && !mine.some((s) => s.endpoint === subscription.endpoint)) {
      await subscription.unsubscribe().catch(() => false);
      subscription = null;
    }
  }
  const granted = () => Notification.permission === 'granted';
  const enabled = () => granted() && (subscription !== null || localStorage.getItem(PAGE_ONLY) === '1');

  const toggle = el('input', { type: 'checkbox', role: 'switch', id: 'device-push' });
  const sound = el('input', { type: 'checkbox', id: 'device-push-sound' });
  const soundLabel = el('label', { class: 'device-push-sound' }, sound, ` ${t('devicePush.sound')}`);
  const refresh = () => {
    toggle.checked = enabled();
    toggle.dataset.mode = subscription ? 'push' : enabled() ? 'page' : 'off';
    sound.checked = localStorage.getItem(SOUND) === '1';
    soundLabel.hidden = !toggle.checked;
  };

  async function switchOn() {
    if ((await Notification.requestPermission()) !== 'granted') {
      toast(t('devicePush.denied'), 'error');
      return;
    }
    try {
      const { public_key: key } = await rest('notify24.push.key');
      subscription = await registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: key });
      await rest('notify24.push.subscribe', { SUBSCRIPTION: subscription.toJSON(), USER_AGENT: navigator.userAgent });
      localStorage.removeItem(PAGE_ONLY);
      toast(t('devicePush.on'));
    } catch {
      // No push service in this browser (or it refused): the open page notifies instead.
      subscription = null;
      localStorage.setItem(PAGE_ONLY, '1');
      toast(t('devicePush.pageOnly'));
    }
  }

  async function switchOff() {
    localStorage.removeItem(PAGE_ONLY);
    const gone = subscription;
    subscription = null;
    if (!gone) return;
    await rest('notify24.push.unsubscribe', { ENDPOINT: gone.endpoint }).catch(() => false);
    await gone.unsubscribe().catch(() => false);
  }

  toggle.addEventListener('change', async () => {
    toggle.disabled = true;
    try {
      await (toggle.checked ? switchOn() : switchOff());
    } finally {
      toggle.disabled = false;
      refresh();
    }
  });
  sound.addEventListener('change', () => {
    if (sound.checked) localStorage.setItem(SOUND, '1');
    else localStorage.removeItem(SOUND);
  });
  // Signing out stops this browser's pushes: the next person to use it must not get them. The
  // subscription goes first (the session is still valid), then the sign-out proceeds.
  const logout = document.getElementById('logout-form');
  let leaving = false;
  logout?.addEventListener('submit', async (event) => {
    localStorage.removeItem(PAGE_ONLY);
    if (leaving || !subscription) return;
    event.preventDefault();
    event.stopImmediatePropagation();
    leaving = true;
    await Promise.race([switchOff(), new Promise((resolve) => setTimeout(resolve, 2000))]);
    logout.requestSubmit();
  }, { capture: true });

  host.prepend(el('span', { class: 'device-push' }, el('label', {}, toggle, ` ${t('devicePush.label')}`), soundLabel));
  refresh();

  return {
    /** A new notification arrived on the live channel. */
    notify(n, title) {
      if (document.visibilityState !== 'hidden' || !enabled()) return;
      if (localStorage.getItem(SOUND) === '1') {
        beep();
        sound.dataset.played = String(Number(sound.dataset.played ?? 0) + 1);
      }
      // With Web Push on, the service worker shows it; the page only when there is no push.
      if (subscription) return;
      const tag = n.notify_tag ? `notify24:${n.notify_tag}` : `notify24:${n.id}`;
      void registration.showNotification(title, {
        body: plainText(n.text, renderBb).slice(0, 1000),
        tag,
        icon: '/favicon.ico',
        data: { url: `/?notification=${n.id}`, id: n.id },
      });
    },
  };
}
