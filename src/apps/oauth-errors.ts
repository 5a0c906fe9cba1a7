import { RestError } from '../rest/errors.ts';

/**
 * Errors of the token endpoint, in the OAuth 2.0 shape the Bitrix24 OAuth server answers
 * (`{error, error_description}`). They are RestErrors, so the one renderer writes them.
 * b24phpsdk expects 400 for `invalid_grant` and 401 for `invalid_client`.
 */
export const oauthErrors = {
  invalidRequest: (detail: string) => new RestError('invalid_request', detail, 400),
  unsupportedGrantType: (grant: string) =>
    new RestError('unsupported_grant_type', `Grant type "${grant}" is not supported`, 400),
  invalidClient: () => new RestError('invalid_client', 'The client credentials are invalid', 401),
  invalidCode: () => new RestError('invalid_grant', 'The authorization code is unknown, already used or not issued to this client', 400),
  expiredCode: () => new RestError('invalid_grant', 'The authorization code has expired', 400),
  invalidRefresh: () => new RestError('invalid_grant', 'The refresh token is unknown, already used or revoked', 400),
  expiredRefresh: () => new RestError('invalid_grant', 'The refresh token has expired', 400),
};
