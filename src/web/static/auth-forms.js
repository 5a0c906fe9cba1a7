// Sign-in and sign-out: plain forms to /login and /logout, sent by fetch so the page can show
// a failed sign-in in place (without script the forms still work as ordinary posts).
import { currentSession, localPath, toast } from './common.js';
import { t } from './i18n.js';

export async function signIn(event) {
  event.preventDefault();
  const form = event.target;
  const res = await fetch('/login', {
    method: 'POST',
    credentials: 'same-origin',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(new FormData(form)).toString(),
    redirect: 'manual',
  });
  if (await currentSession()) {
    // Sent here to sign in first (e.g. by /oauth/authorize/): go back there, same site only.
    const next = localPath(new URLSearchParams(location.search).get('next'));
    return next ? location.assign(next) : location.reload();
  }
  toast(res.status === 429 ? t('login.throttled') : t('login.failed'), 'error');
}

export function wireSignOut(session) {
  const form = document.getElementById('logout-form');
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    await fetch('/logout', {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ sessid: session.sessid }).toString(),
      redirect: 'manual',
    });
    location.assign('/');
  });
}
