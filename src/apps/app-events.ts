import type { Clock } from '../lib/clock.ts';
import type { Store } from '../store/port/store.ts';
import { REFRESH_TOKEN_EVENTS } from './event-catalog.ts';

/**
 * Events for applications (Bitrix24 "event handlers"): the domain says what happened and to
 * which application; the delivery engine finds the handlers bound to that event and posts to
 * them, durably and with retries, never inside the REST call that caused it.
 */
export interface AppEvent {
  /** Upper-case event name, e.g. `ONIMNOTIFYCONFIRM`. */
  name: string;
  /** The application (OAuth client id) the event is for. */
  clientId: string;
  /** The user whose action caused the event (tokens in `auth[...]` are issued for them). */
  userId: number;
  /** Becomes `data[...]` in the delivered form body. */
  data: Record<string, unknown>;
}

export interface AppEventSink {
  /** Queues the event for every handler bound to it; resolves once queued, not once delivered. */
  emit(event: AppEvent): Promise<void>;
  /**
   * Queues it inside the caller's transaction (`store` is the transaction's handle), so the
   * event exists exactly when the change that caused it committed; true when something was
   * queued — then call `wake()` after the commit.
   */
  queueIn(store: Store, event: AppEvent): Promise<boolean>;
  wake(): void;
}

/**
 * The sink of a running server: `emit` writes one queued delivery per handler bound to the
 * event (the durable queue, in the store) and wakes the delivery job; it never posts itself.
 */
export class AppEventQueue implements AppEventSink {
  constructor(
    private readonly deps: { store: Store; clock: Clock },
    /** Asks the event delivery job to run soon (rows were just queued). */
    private readonly wakeDelivery: () => void,
  ) {}

  async emit(event: AppEvent): Promise<void> {
    if (await this.queueIn(this.deps.store, event)) this.wake();
  }

  wake(): void {
    this.wakeDelivery();
  }

  async queueIn(store: Store, event: AppEvent): Promise<boolean> {
    const { clock } = this.deps;
    const app = await store.apps.byClientId(event.clientId);
    // The portal sends nothing to a removed or not yet installed application.
    if (!app || !app.active || !app.installed) return false;
    const name = event.name.toUpperCase();
    const bindings = await store.events.bindingsFor(app.id, name);
    if (bindings.length === 0) return false;
    await store.events.enqueue(
      bindings.map((b) => ({
        appId: app.id,
        bindingId: b.id,
        event: name,
        handler: b.handler,
        // auth_type 0 = the user who caused the event; otherwise the bound user's tokens.
        userId: b.authUserId || event.userId,
        data: event.data,
        withRefresh: REFRESH_TOKEN_EVENTS.has(name),
      })),
      clock.now(),
    );
    return true;
  }
}
