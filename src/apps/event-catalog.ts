/**
 * Events an application may bind, each with the scope a token must hold to bind it
 * (`_global`: any application). `event.bind` refuses the others with ERROR_EVENT_NOT_FOUND.
 */
export const EVENT_SCOPES: Readonly<Record<string, string>> = {
  ONAPPINSTALL: '_global',
  ONAPPUNINSTALL: '_global',
  ONIMNOTIFYCONFIRM: 'im',
  ONIMNOTIFYANSWER: 'im',
};

/** Events whose deliveries carry `auth[refresh_token]` (the portal's "send refresh token" flag). */
export const REFRESH_TOKEN_EVENTS = new Set(['ONAPPINSTALL']);

/** Events delivered even though the application is no longer active. */
export const AFTER_REMOVAL_EVENTS = new Set(['ONAPPUNINSTALL']);
