/**
 * The notify24 library: start a portal inside a test process (`startPortal`), script it, reset
 * it between tests. The server itself is `notify24 serve` (src/cli/).
 */
export { startPortal } from './testing/portal.ts';
export type { OAuthTokens, Portal, PortalApplication, PortalOptions, PortalUser, PortalUserInput, PortalWebhook } from './testing/portal.ts';
export type { Snapshot } from './snapshot/format.ts';
export type { FaultRule, FaultRuleInput } from './faults/rule.ts';
export type { NotificationRow } from './store/port/notifications.ts';
export type { Config } from './config.ts';
