const ignore = () => undefined;

/**
 * Reads of the same thing shared by the callers that asked for it before the read started:
 * while one read of a key runs, callers of that key wait for the next one, which starts when
 * it ends and serves all of them. A caller never gets a read that started before it asked, so
 * it sees every write committed before its call (what a read of its own would see), while at
 * most two reads of a key run or wait at a time, however many callers ask.
 */
export class FreshReads<K, T> {
  private readonly flights = new Map<K, { waiting: Promise<T> | null; last: Promise<void> }>();

  get(key: K, read: () => Promise<T>): Promise<T> {
    let flight = this.flights.get(key);
    if (flight?.waiting) return flight.waiting;
    if (!flight) this.flights.set(key, (flight = { waiting: null, last: Promise.resolve() }));
    const f = flight;
    const answer = f.last.then(() => {
      // Started: callers from now on wait for the next read.
      f.waiting = null;
      return read();
    });
    f.waiting = answer;
    const settled: Promise<void> = answer.then(ignore, ignore).then(() => {
      if (f.last === settled) this.flights.delete(key);
    });
    f.last = settled;
    return answer;
  }
}
