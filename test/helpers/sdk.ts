import { B24Hook } from '@bitrix24/b24jssdk';

/**
 * The official SDK speaks only HTTPS; the test server's certificate is self-signed, so this
 * test process (and only it) skips certificate verification.
 */
process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0';

/** Room enough that the SDK's own client-side limiter never slows a test down. */
export const RELAXED_LIMITS = {
  rateLimit: { burstLimit: 100_000, drainRate: 100_000, adaptiveEnabled: false },
  operatingLimit: { enabled: false },
  adaptiveConfig: { enabled: false },
  // maxRetries counts attempts, so 1 means "no retry": errors reach the test at once.
  maxRetries: 1,
};

/** A B24Hook pointed at the test server's HTTPS webhook URL. */
export function sdkHook(httpsHookUrl: string): B24Hook {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const hook = B24Hook.fromWebhookUrl(httpsHookUrl, { restrictionParams: RELAXED_LIMITS as any });
  hook.offClientSideWarning();
  return hook;
}
