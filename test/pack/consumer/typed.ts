// Type-checked (never run) against the installed package's declarations.
import { startPortal, type Portal, type PortalUser } from 'notify24';

export async function typed(): Promise<void> {
  const portal: Portal = await startPortal({ databaseUrl: undefined, settings: { retentionDays: 30 } });
  const user: PortalUser = await portal.createUser({ login: 'x' });
  const url: string | undefined = user.webhook?.httpsWebhookUrl;
  const first: number | undefined = (await portal.notifications(user.id))[0]?.id;
  const rule = portal.faults.add({ method: 'im.notify.*', error: 'QUERY_LIMIT_EXCEEDED', times: 1 });
  const left: number | null = rule.remaining;
  await portal.advanceTime(61 * 86_400_000);
  const snapshot = await portal.snapshot();
  await portal.restore(snapshot);
  void url;
  void first;
  void left;
  // @ts-expect-error a rule's caller is one of a few kinds
  portal.faults.add({ caller: 'robot', drop: true });
  // @ts-expect-error reset() takes no arguments: the declarations are real, not `any`.
  await portal.reset(1);
  // @ts-expect-error an unknown option
  await startPortal({ databse: 'x' });
  await portal.close();
}
