import { defineError } from './rest-error.ts';

/**
 * Errors of the OAuth 2.0 server. The token endpoint answers them as JSON in the shape of the
 * Bitrix24 OAuth server (b24phpsdk expects 400 for `invalid_grant`, 401 for `invalid_client`);
 * the authorization page shows them as an error page, never redirecting (the portal does not),
 * except a user's refusal, which goes back to the application.
 */
export const oauthErrors = {
  invalidRequest: defineError(
    { code: 'invalid_request', status: 400, text: 'Parameter "{name}" is required', origin: 'oauth', when: 'token endpoint without grant_type, code or refresh_token' },
    (name: string) => ({ text: `Parameter "${name}" is required` }),
  ),
  unsupportedGrantType: defineError(
    { code: 'unsupported_grant_type', status: 400, text: 'Grant type "{grant}" is not supported', origin: 'oauth', when: 'a grant type other than authorization_code and refresh_token' },
    (grant: string) => ({ text: `Grant type "${grant}" is not supported` }),
  ),
  invalidClient: defineError({ code: 'invalid_client', status: 401, text: 'The client credentials are invalid', origin: 'oauth', when: 'unknown or removed client, wrong secret' }),
  invalidCode: defineError({ code: 'invalid_grant', status: 400, text: 'The authorization code is unknown, already used or not issued to this client', origin: 'oauth', when: 'a code that cannot be exchanged' }),
  expiredCode: defineError({ code: 'invalid_grant', status: 400, text: 'The authorization code has expired', origin: 'oauth', when: 'a code past NOTIFY24_OAUTH_CODE_TTL' }),
  invalidRefresh: defineError({ code: 'invalid_grant', status: 400, text: 'The refresh token is unknown, already used or revoked', origin: 'oauth', when: 'a refresh token that cannot be used' }),
  expiredRefresh: defineError({ code: 'invalid_grant', status: 400, text: 'The refresh token has expired', origin: 'oauth', when: 'a refresh token past NOTIFY24_OAUTH_REFRESH_TTL' }),
  // The authorization page (HTML).
  unknownApplication: defineError({ code: 'invalid_client', status: 400, text: 'Unknown application (client_id).', origin: 'oauth', when: 'authorization page: unknown or removed client_id (error page)' }),
  noRedirectUri: defineError({ code: 'invalid_request', status: 400, text: 'The application has no redirect URI registered.', origin: 'oauth', when: 'authorization page: nowhere to send the code (error page)' }),
  formExpired: defineError({ code: 'session_failed', status: 403, text: 'The form has expired; open the authorization link again.', origin: 'oauth', when: "authorization page: the consent form's sessid is not the session's (error page)" }),
  accessDenied: defineError({ code: 'access_denied', status: 302, text: 'The user denied the authorization', origin: 'oauth', when: 'the user pressed Deny: a redirect to the application with `?error=access_denied`' }),
};
