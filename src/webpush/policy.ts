/**
 * Whether a notification of `type` (`module|event`) may be pushed to a user now: `send`,
 * `hold` (do not disturb or quiet hours: until `until`, or until asked again when null) or
 * `off` (push switched off for that type). The delivery settings answer; the push worker obeys.
 */
export type PushDecision = { action: 'send' } | { action: 'off' } | { action: 'hold'; until: number | null };

export interface PushPolicy {
  decide(userId: number, type: string, now: number): Promise<PushDecision>;
}

/** No settings: every notification is pushed. */
export const pushEverything: PushPolicy = { decide: async () => ({ action: 'send' }) };
