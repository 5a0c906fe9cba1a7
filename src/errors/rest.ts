import type { Logger } from '../lib/log.ts';
import { StoreUnavailable } from '../store/engine/unavailable.ts';
import { defineError, RestError } from './rest-error.ts';

/**
 * Errors of the REST API (`/rest/...`): the platform's own, then the methods'. Codes, texts and
 * statuses are the real server's, not the documentation's tables: every authentication failure
 * is 401, refusals of the limits are 503 and 429.
 */
export const errors = {
  // The platform: routing, authentication, scopes, limits, the request itself.
  methodNotFound: defineError({ code: 'ERROR_METHOD_NOT_FOUND', status: 404, text: 'Method not found!', origin: 'rest', when: 'no such method (checked before authentication), or a /rest path of another shape' }),
  noAuthFound: defineError({ code: 'NO_AUTH_FOUND', status: 401, text: 'Wrong authorization data', origin: 'rest', when: 'the call carries no credential at all' }),
  invalidCredentials: defineError({ code: 'INVALID_CREDENTIALS', status: 401, text: 'Invalid request credentials', origin: 'rest', when: 'unknown, revoked or mistyped webhook code' }),
  httpsRequired: defineError({ code: 'INVALID_REQUEST', status: 401, text: 'Https required.', origin: 'rest', when: 'a webhook over plain HTTP while NOTIFY24_WEBHOOK_REQUIRES_HTTPS=1' }),
  insufficientScope: defineError(
    { code: 'insufficient_scope', status: 401, text: 'The request requires higher privileges than provided by the {webhook|access} token', origin: 'rest', when: "the grant lacks the method's scope (inside batch the text is empty)" },
    (by: 'webhook' | 'access' = 'webhook', inBatch = false) => ({
      text: inBatch ? '' : `The request requires higher privileges than provided by the ${by} token`,
    }),
  ),
  expiredToken: defineError({ code: 'expired_token', status: 401, text: 'The access token provided has expired.', origin: 'rest', when: 'OAuth access token past its lifetime' }),
  invalidToken: defineError({ code: 'invalid_token', status: 401, text: 'The access token provided is invalid.', origin: 'rest', when: 'unknown or revoked OAuth access token' }),
  applicationNotFound: defineError({ code: 'APPLICATION_NOT_FOUND', status: 401, text: 'Application not found', origin: 'rest', when: "the token's application was removed" }),
  authorizationError: defineError({ code: 'authorization_error', status: 401, text: 'Unable to authorize user', origin: 'rest', when: "the credential's user is deactivated" }),
  sessionUnauthorized: defineError(
    { code: 'access_denied', status: 401, text: 'User not authorized', origin: 'rest', when: 'a page call with `sessid` but no live session (body adds `sessid: ""`, `extended_error`)' },
    () => ({ extra: { sessid: '', extended_error: 'user_not_authorized' } }),
  ),
  sessionFailed: defineError(
    { code: 'session_failed', status: 401, text: 'Sessid check failed', origin: 'rest', when: "a page call whose `sessid` is not its session's (body adds the right `sessid`)" },
    (sessid: string) => ({ extra: { sessid } }),
  ),
  internal: defineError({ code: 'INTERNAL_SERVER_ERROR', status: 500, text: 'Internal server error', origin: 'rest', when: 'anything unexpected (logged; no detail leaves the server)' }),
  queryLimitExceeded: defineError({ code: 'QUERY_LIMIT_EXCEEDED', status: 503, text: 'Too many requests', origin: 'rest', when: 'the leaky bucket of the source address is full' }),
  operationTimeLimit: defineError({ code: 'OPERATION_TIME_LIMIT', status: 429, text: 'Method is blocked due to operation time limit.', origin: 'rest', when: 'the operating-time limit of this caller and method is used up' }),
  batchLengthExceeded: defineError({ code: 'ERROR_BATCH_LENGTH_EXCEEDED', status: 400, text: 'Max batch length exceeded', origin: 'rest', when: 'a batch command past the 50th (in `result_error`)' }),
  batchMethodNotAllowed: defineError({ code: 'ERROR_BATCH_METHOD_NOT_ALLOWED', status: 405, text: 'Method is not allowed for batch usage', origin: 'rest', when: '`batch` (or another unbatchable method) inside a batch' }),
  accessDenied: defineError(
    { code: 'ACCESS_DENIED', status: 403, text: 'Access denied!', origin: 'rest', when: 'the caller may not do this; some methods add a reason after the text' },
    (detail = '') => ({ text: detail ? `Access denied! ${detail}` : 'Access denied!' }),
  ),
  wrongAuthType: defineError(
    { code: 'WRONG_AUTH_TYPE', status: 403, text: 'Current authorization type is denied for this method', origin: 'rest', when: 'the method refuses this kind of caller (event.* without OAuth)' },
  ),
  sessionNotAllowed: defineError({ code: 'WRONG_AUTH_TYPE', status: 403, text: 'Access for this method not allowed by session authorization.', origin: 'rest', when: 'sending or deleting by tag from a browser session' }),
  argumentNull: defineError(
    { code: 'ERROR_ARGUMENT', status: 400, text: "Argument '{name}' is null or empty", origin: 'rest', when: 'a required argument is missing (body adds `argument`)' },
    (name: string) => ({ text: `Argument '${name}' is null or empty`, extra: { argument: name } }),
  ),
  requestTooLarge: defineError(
    { code: 'ERROR_REQUEST_TOO_LARGE', status: 413, text: 'Request body exceeds the limit of {limit} bytes', origin: 'rest', when: 'a body over NOTIFY24_BODY_LIMIT (or over the small limit of a form or console call)' },
    (limit: number) => ({ text: `Request body exceeds the limit of ${limit} bytes` }),
  ),
  paramsTooDeep: defineError(
    { code: 'ERROR_PARAMS_TOO_DEEP', status: 400, text: 'Parameters are nested deeper than {depth} levels', origin: 'rest', when: 'a parameter set (or a JSON-encoded parameter such as ATTACH) nested deeper than the bound (docs/limits.md)' },
    (depth: number) => ({ text: `Parameters are nested deeper than ${depth} levels` }),
  ),
  paramsTooLarge: defineError(
    { code: 'ERROR_PARAMS_TOO_LARGE', status: 400, text: 'Parameters hold more than {limit} values', origin: 'rest', when: 'a parameter set (or a JSON-encoded parameter) with more maps, lists and values than the bound (docs/limits.md)' },
    (limit: number) => ({ text: `Parameters hold more than ${limit} values` }),
  ),
  listTooLong: defineError(
    { code: 'ERROR_LIST_TOO_LONG', status: 400, text: "'{name}' holds more than {limit} different values", origin: 'rest', when: 'a filter list (user.get `ID`, search `SEARCH_TYPES`, `SEARCH_AUTHORS`, the words of `SEARCH_TEXT`) over its bound (body adds `argument`)' },
    (name: string, limit: number) => ({ text: `'${name}' holds more than ${limit} different values`, extra: { argument: name } }),
  ),
  wrongEncoding: defineError({ code: 'WRONG_ENCODING', status: 400, text: 'Wrong request encoding', origin: 'rest', when: 'a multipart body that cannot be parsed' }),

  // im.notify.*: the checks of the notification methods, in the portal's words.
  paramsError: defineError(
    { code: 'PARAMS_ERROR', status: 400, text: 'Incorrect params', origin: 'rest', when: 'im.notify.delete without ID, TAG or SUB_TAG; im.notify.read.list without IDS' },
    (text: string = 'Incorrect params') => ({ text }),
  ),
  userIdEmpty: defineError({ code: 'USER_ID_EMPTY', status: 400, text: "User ID can't be empty", origin: 'rest', when: 'sending without a recipient' }),
  messageEmpty: defineError({ code: 'MESSAGE_EMPTY', status: 400, text: "Message can't be empty", origin: 'rest', when: 'sending without MESSAGE' }),
  attachError: defineError({ code: 'ATTACH_ERROR', status: 400, text: 'Incorrect attach params', origin: 'rest', when: 'an ATTACH with no valid block left' }),
  attachOversize: defineError({ code: 'ATTACH_OVERSIZE', status: 400, text: 'You have exceeded the maximum allowable size of attach', origin: 'rest', when: 'an ATTACH over 60,000 characters once encoded' }),
  lastIdAndLastType: defineError({ code: 'LAST_ID_AND_LAST_TYPE', status: 400, text: 'Parameters LAST_ID and LAST_TYPE should be used together.', origin: 'rest', when: 'im.notify.get with only one of the two' }),
  lastIdString: defineError({ code: 'LAST_ID_STRING', status: 400, text: "Last notification ID can't be string", origin: 'rest', when: 'a LAST_ID that is not digits' }),
  idError: defineError({ code: 'ID_ERROR', status: 400, text: "Notification ID can't be empty", origin: 'rest', when: 'im.notify.confirm / answer without ID' }),
  notifyValueError: defineError({ code: 'NOTIFY_VALUE_ERROR', status: 400, text: "Notification Value  can't be empty", origin: 'rest', when: 'im.notify.confirm without NOTIFY_VALUE' }),
  answerTextError: defineError({ code: 'ANSWER_TEXT_ERROR', status: 400, text: "ANSWER_TEXT can't be empty", origin: 'rest', when: 'im.notify.answer without ANSWER_TEXT' }),
  searchTextError: defineError({ code: 'SEARCH_TEXT_ERROR', status: 400, text: "SEARCH_TEXT can't be less then 3 symbols", origin: 'rest', when: 'history search with a short text and no other filter' }),
  incorrectDate: defineError(
    { code: 'ERROR_CORE', status: 400, text: 'Incorrect date/time: {value}', origin: 'rest', when: 'history search with a date that does not parse' },
    (value: string) => ({ text: `Incorrect date/time: ${value}` }),
  ),

  // event.*: binding application events.
  eventNotFound: defineError({ code: 'ERROR_EVENT_NOT_FOUND', status: 400, text: 'Event not found', origin: 'rest', when: 'an event this server does not offer, or outside the grant' }),
  handlerAlreadyBound: defineError({ code: 'ERROR_CORE', status: 400, text: 'Unable to set event handler: Handler already binded', origin: 'rest', when: 'event.bind of a binding that exists' }),
  wrongHandlerUrl: defineError({ code: 'ERROR_WRONG_HANDLER_URL', status: 400, text: 'Wrong handler URL', origin: 'rest', when: 'a handler that is not a URL, or whose host has no dot' }),
  unsupportedProtocol: defineError({ code: 'ERROR_UNSUPPORTED_PROTOCOL', status: 400, text: 'Unsupported event handler protocol', origin: 'rest', when: 'a handler URL that is not http(s)' }),
  storeUnavailable: defineError({ code: 'SERVICE_UNAVAILABLE', status: 503, text: 'The database is unavailable, try again later', origin: 'rest', when: 'the database cannot be reached or dropped the connection (a restart, a failover); a write that was refused this way was not stored' }),
  limiterUnavailable: defineError({ code: 'SERVICE_UNAVAILABLE', status: 503, text: 'The rate limiter is unavailable, try again later', origin: 'rest', when: 'Redis cannot be reached while NOTIFY24_RATE_LIMIT_FAIL=closed' }),
  handlerNetworkRefused: defineError(
    { code: 'ERROR_WRONG_HANDLER_URL', status: 400, text: 'Wrong handler URL: {reason}', origin: 'rest', when: 'event.bind with a handler whose address (or any address its name resolves to) is on a network NOTIFY24_HANDLER_NETWORKS does not allow: loopback, link-local, ... by default' },
    (reason: string) => ({ text: `Wrong handler URL: ${reason}` }),
  ),
  unsupportedEventType: defineError({ code: 'ERROR_UNSUPPORTED_EVENT_TYPE', status: 400, text: 'Offline events are not supported by this server', origin: 'rest', when: 'event.bind with EVENT_TYPE=offline by an administrator' }),
  // notify24.*: the extension methods (no portal equivalent).
  invalidSetting: defineError(
    { code: 'INVALID_SETTING', status: 400, text: 'Invalid setting: {detail}', origin: 'rest', when: 'notify24.settings.set / defaults.set with an unknown type or channel, a value other than Y/N, or quiet hours not written HH:MM' },
    (detail: string) => ({ text: `Invalid setting: ${detail}` }),
  ),

  // notify24.push.*: Web Push subscriptions (extension methods, docs/delivery.md).
  pushSubscriptionError: defineError(
    { code: 'PUSH_SUBSCRIPTION_ERROR', status: 400, text: 'Incorrect push subscription: {reason}', origin: 'rest', when: 'notify24.push.subscribe with a subscription that is missing, malformed or whose endpoint is not https' },
    (reason: string) => ({ text: `Incorrect push subscription: ${reason}` }),
  ),
};

/**
 * The one conversion of anything thrown into an answerable error: a RestError stays itself;
 * anything else is logged (when a logger is given) and becomes INTERNAL_SERVER_ERROR, without
 * its message, which may hold internals.
 */
export function toRestError(err: unknown, log?: Pick<Logger, 'error'>): RestError {
  if (err instanceof RestError) return err;
  if (err instanceof StoreUnavailable) {
    log?.error('database unavailable', { error: err.message });
    return errors.storeUnavailable();
  }
  log?.error('unexpected error', { err });
  return errors.internal();
}
