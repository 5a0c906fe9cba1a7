/**
 * The one error type of notify24. Anything below the HTTP edge throws a RestError;
 * the edge (and batch, for sub-calls) renders it once as {error, error_description}.
 *
 * Statuses follow the real server, not the documentation's tables: every
 * authentication failure is 401 (see shared spec platform-reference §6.4).
 */
export class RestError extends Error {
  constructor(
    readonly code: string,
    readonly description: string,
    readonly status: number = 400,
    /** Extra top-level keys of the error body, e.g. `argument` for ERROR_ARGUMENT. */
    readonly extra: Record<string, unknown> = {},
  ) {
    super(`${code}: ${description}`);
    this.name = 'RestError';
  }

  body(): Record<string, unknown> {
    return { error: this.code, error_description: this.description, ...this.extra };
  }
}

/** Factories for the platform's own errors, so a code always travels with its status and text. */
export const errors = {
  methodNotFound: () => new RestError('ERROR_METHOD_NOT_FOUND', 'Method not found!', 404),
  noAuthFound: () => new RestError('NO_AUTH_FOUND', 'Wrong authorization data', 401),
  invalidCredentials: () => new RestError('INVALID_CREDENTIALS', 'Invalid request credentials', 401),
  httpsRequired: () => new RestError('INVALID_REQUEST', 'Https required.', 401),
  insufficientScope: (by: 'webhook' | 'access' = 'webhook') =>
    new RestError(
      'insufficient_scope',
      `The request requires higher privileges than provided by the ${by === 'webhook' ? 'webhook' : 'access'} token`,
      401,
    ),
  expiredToken: () => new RestError('expired_token', 'The access token provided has expired.', 401),
  invalidToken: () => new RestError('invalid_token', 'The access token provided is invalid.', 401),
  applicationNotFound: () => new RestError('APPLICATION_NOT_FOUND', 'Application not found', 401),
  authorizationError: () => new RestError('authorization_error', 'Unable to authorize user', 401),
  internal: () => new RestError('INTERNAL_SERVER_ERROR', 'Internal server error', 500),
  queryLimitExceeded: () => new RestError('QUERY_LIMIT_EXCEEDED', 'Too many requests', 503),
  operationTimeLimit: () =>
    new RestError('OPERATION_TIME_LIMIT', 'Method is blocked due to operation time limit.', 429),
  batchLengthExceeded: () => new RestError('ERROR_BATCH_LENGTH_EXCEEDED', 'Max batch length exceeded', 400),
  batchMethodNotAllowed: () =>
    new RestError('ERROR_BATCH_METHOD_NOT_ALLOWED', 'Method is not allowed for batch usage', 405),
  accessDenied: (detail = '') =>
    new RestError('ACCESS_DENIED', detail ? `Access denied! ${detail}` : 'Access denied!', 403),
  wrongAuthType: (text = 'Current authorization type is denied for this method') =>
    new RestError('WRONG_AUTH_TYPE', text, 403),
  argumentNull: (name: string) =>
    new RestError('ERROR_ARGUMENT', `Argument '${name}' is null or empty`, 400, { argument: name }),
  requestTooLarge: (limit: number) =>
    new RestError('ERROR_REQUEST_TOO_LARGE', `Request body exceeds the limit of ${limit} bytes`, 413),
  wrongEncoding: () => new RestError('WRONG_ENCODING', 'Wrong request encoding', 400),
};
