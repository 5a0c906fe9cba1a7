import { defineError } from './rest-error.ts';

/** Errors of the web page's own endpoints: signing in and out, the console API, the push channel. */
export const webErrors = {
  // Sign-in (/login, /logout, /session), shared by the console.
  tooManyAttempts: defineError({ code: 'TOO_MANY_ATTEMPTS', status: 429, text: 'Too many failed sign-ins, try again later', origin: 'login', when: 'a sign-in attempt during the wait that failed sign-ins impose: per login and address after 5 failures (1 s, doubling, up to 15 min), per address after 50 (up to 30 s); `Retry-After` gives the seconds left' }, (waitMs: number) => ({
    headers: { 'Retry-After': String(Math.max(1, Math.ceil(waitMs / 1000))) },
  })),
  wrongLogin: defineError({ code: 'WRONG_LOGIN', status: 401, text: 'Wrong login or password', origin: 'login', when: 'sign-in refused (a plain form post is sent back to `/?login=failed` instead)' }),
  logoutSessidFailed: defineError({ code: 'session_failed', status: 403, text: 'Sessid check failed', origin: 'login', when: "sign-out or saving preferences without the session's sessid" }),
  notSignedIn: defineError({ code: 'NOT_SIGNED_IN', status: 401, text: 'User not authorized', origin: 'login', when: '/session or a console call without a live session' }),
  // The user's page preferences (/preferences).
  badPreference: defineError({ code: 'BAD_PREFERENCE', status: 400, text: 'Theme is auto, light or dark; language is empty or one the server has', origin: 'login', when: 'saving a theme or language the server does not know' }),
  // The console API (/console/api/...).
  adminOnly: defineError({ code: 'ACCESS_DENIED', status: 403, text: 'Only administrators may use the console', origin: 'console', when: 'a signed-in user who is not an administrator' }),
  wrongSessid: defineError({ code: 'WRONG_SESSID', status: 403, text: "The X-Sessid header is missing or not the session's", origin: 'console', when: 'a console write without the CSRF token' }),
  badLogin: defineError({ code: 'BAD_LOGIN', status: 400, text: 'A login is 1 to 64 letters, digits, dots, @, _ or -', origin: 'console', when: 'creating a user with such a login' }),
  loginTaken: defineError({ code: 'LOGIN_TAKEN', status: 409, text: 'This login is taken', origin: 'console', when: 'creating a user whose login exists' }),
  userNotFound: defineError({ code: 'USER_NOT_FOUND', status: 400, text: 'No such user', origin: 'console', when: 'a user id that does not exist (editing a user, creating a webhook for one)' }),
  badField: defineError<[field: string, reason: string]>(
    { code: 'BAD_FIELD', status: 400, text: '{field}: {reason}', origin: 'console', when: 'a console write with a value its field cannot take (name, e-mail, password, URL, scopes)' },
    (field, reason) => ({ text: `${field}: ${reason}` }),
  ),
  cannotChangeSelf: defineError({ code: 'CANNOT_CHANGE_SELF', status: 409, text: 'You cannot deactivate yourself or take away your own administrator rights', origin: 'console', when: "an administrator deactivating or demoting their own account (another administrator can)" }),
  appNotFound: defineError({ code: 'APP_NOT_FOUND', status: 404, text: 'No such application, or it was removed', origin: 'console', when: 'editing, reinstalling or removing an application that does not exist or was removed' }),
  deliveryNotFound: defineError({ code: 'DELIVERY_NOT_FOUND', status: 404, text: 'No such event delivery', origin: 'console', when: 'retrying a delivery that does not exist (or was purged)' }),
  deliveryNotFailed: defineError({ code: 'DELIVERY_NOT_FAILED', status: 409, text: 'Only a failed delivery can be retried', origin: 'console', when: 'retrying a delivery that is pending or delivered' }),
  callNotKept: defineError({ code: 'CALL_NOT_KEPT', status: 404, text: 'The inspector no longer keeps this call', origin: 'console', when: 'opening an inspected call older than the last 200' }),
  badJson: defineError({ code: 'INVALID_JSON', status: 400, text: 'The request body must be a JSON object', origin: 'console', when: 'a console write whose body is not JSON, or JSON but not an object' }),
  pushSubscriptionNotFound: defineError({ code: 'PUSH_SUBSCRIPTION_NOT_FOUND', status: 404, text: 'No such push subscription', origin: 'console', when: 'revoking a push subscription that does not exist (revoked already, or dropped by its push service)' }),
  notFound: defineError({ code: 'NOT_FOUND', status: 404, text: 'No such console call', origin: 'console', when: 'any other path under /console/api/' }),
  // Integration tests: fault injection and time control (/console/api/faults, /console/api/clock).
  testModeOff: defineError({ code: 'TEST_MODE_OFF', status: 404, text: 'This server was not started for testing (NOTIFY24_TEST_MODE=1 enables faults and time control)', origin: 'console', when: 'faults or the clock asked of any other server' }),
  badFaultRule: defineError({ code: 'BAD_FAULT_RULE', status: 400, text: '{reason}', origin: 'console', when: 'a fault rule the server cannot follow (the text says why)' }, (reason: string) => ({ text: reason })),
  badClockMove: defineError({ code: 'BAD_CLOCK_MOVE', status: 400, text: 'advance_ms is a number of milliseconds from 0 up', origin: 'console', when: 'moving the clock backwards or by something that is not a number' }),
  // The push channel: a WebSocket refusal is a bare status line (the handshake has no body).
  crossOrigin: defineError({ code: 'CROSS_ORIGIN', status: 403, text: 'The push channel opens only from this server\'s own pages', origin: 'push', when: 'an `Origin` header of another site (cross-site WebSocket hijacking)' }),
  pushNotSignedIn: defineError({ code: 'NOT_SIGNED_IN', status: 401, text: 'User not authorized', origin: 'push', when: 'opening the channel without a live session' }),
  // Prometheus metrics (/metrics).
  metricsToken: defineError({ code: 'WRONG_METRICS_TOKEN', status: 401, text: "The metrics need this server's bearer token", origin: 'metrics', when: '`NOTIFY24_METRICS_TOKEN` is set and the scrape lacks `Authorization: Bearer <that token>`' }),
  // The e-mail outbox in the console (/console/api/outbox...).
  mailNotFound: defineError({ code: 'MAIL_NOT_FOUND', status: 404, text: 'No such e-mail in the outbox', origin: 'console', when: 'showing or retrying an outbox item that does not exist (or was purged)' }),
  mailNotFailed: defineError({ code: 'MAIL_NOT_FAILED', status: 409, text: 'Only a failed e-mail can be retried', origin: 'console', when: 'retrying an outbox item that is not in the failed state' }),
  // Links in e-mails (/mail/unsubscribe).
  badUnsubscribeLink: defineError({ code: 'BAD_UNSUBSCRIBE_LINK', status: 400, text: 'This unsubscribe link is not valid', origin: 'mail', when: 'an unsubscribe link whose signature does not match its user and types (altered or from another server)' }),
};
