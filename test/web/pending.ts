/**
 * The web tests need parts other issues deliver: web sessions (/login, GET /session, session
 * REST auth) and the im.notify.* methods. Until their files exist the tests that need them are
 * reported SKIPPED with the reason; once a file exists, the tests run and fail for real.
 */
import { existsSync } from 'node:fs';
import type { TestContext } from 'node:test';

const PARTS = {
  sessions: 'src/http/login-routes.ts',
  notify: 'src/methods/im-notify.ts',
} as const;

/** False (and the test marked skipped) when a needed part has not landed yet. */
export function partsReady(t: TestContext, ...needs: (keyof typeof PARTS)[]): boolean {
  const missing = needs.filter((part) => !existsSync(PARTS[part]));
  if (missing.length) t.skip(`waiting for ${missing.map((p) => PARTS[p]).join(', ')}`);
  return missing.length === 0;
}
