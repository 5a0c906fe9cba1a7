import { webErrors } from '../../errors/web.ts';
import { sessionFromHeaders, type SessionDeps } from '../../identity/web-sessions.ts';
import { sameToken } from '../../lib/secrets.ts';
import { THEMES, type Theme } from '../../store/port/preferences.ts';
import { isLanguage, languages } from '../../web/i18n.ts';
import { bodyParams } from '../body.ts';
import { FORM_LIMIT, formText as text } from '../forms.ts';
import { json, type Reply } from '../reply.ts';
import type { HttpRequest } from '../request.ts';

/**
 * `GET /preferences` and `POST /preferences` (form or JSON `theme`, `language`, `sessid`): the
 * signed-in user's theme (`auto` | `light` | `dark`) and language ('' = from the browser, or a
 * code of a language file). A field left out keeps its value. Writes need the session's
 * `sessid` (field or `X-Bitrix-Csrf-Token`), like the page's REST calls.
 */
export function preferenceHandlers(deps: SessionDeps) {
  async function signed(req: HttpRequest) {
    const session = await sessionFromHeaders(deps, req.headers);
    if (!session) throw webErrors.notSignedIn();
    return session;
  }
  const answer = (prefs: { theme: Theme; language: string }) => json({ ...prefs, languages: languages(), themes: THEMES });

  return {
    async get(req: HttpRequest): Promise<Reply> {
      const session = await signed(req);
      return answer(await deps.store.preferences.get(session.userId));
    },

    async set(req: HttpRequest): Promise<Reply> {
      const params = await bodyParams(req.raw, FORM_LIMIT);
      const session = await signed(req);
      const header = req.headers['x-bitrix-csrf-token'];
      const sessid = text(params.sessid) || (typeof header === 'string' ? header : '');
      if (!sameToken(sessid, session.sessid)) throw webErrors.logoutSessidFailed();
      const prefs = await deps.store.preferences.get(session.userId);
      if (params.theme !== undefined) {
        const theme = text(params.theme);
        if (!(THEMES as readonly string[]).includes(theme)) throw webErrors.badPreference();
        prefs.theme = theme as Theme;
      }
      if (params.language !== undefined) {
        const language = text(params.language);
        if (language !== '' && !isLanguage(language)) throw webErrors.badPreference();
        prefs.language = language;
      }
      await deps.store.preferences.set(session.userId, prefs, deps.clock.now());
      return answer(prefs);
    },
  };
}
