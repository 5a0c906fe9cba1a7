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
}
