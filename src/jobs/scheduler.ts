import type { Logger } from '../lib/log.ts';
import type { ServerMetrics } from '../observability/metrics.ts';

/** A background task the server runs periodically (jobs.ts lists them all). */
export interface Job {
  /** Names it in logs and in `wake`. */
  name: string;
  /** Pause between the end of one run and the start of the next, ms. */
  everyMs: number;
  /**
   * One run. `signal` is aborted when the server stops: a run should end soon after
   * (cut network calls short; rows it claimed are retried, by this node or another).
   */
  run(signal: AbortSignal): Promise<unknown>;
}

interface Slot {
  job: Job;
  timer: NodeJS.Timeout | null;
  running: Promise<void> | null;
  /** A wake came while it ran: run again as soon as this run ends. */
  again: boolean;
}

/**
 * The one scheduler of the process. Each job runs once at start, then `everyMs` after its
 * previous run ended; runs of one job never overlap. A failing run is logged and the job keeps
 * its schedule. Timers never keep the process alive.
 */
export class Scheduler {
  private readonly slots = new Map<string, Slot>();
  private readonly stopping = new AbortController();

  constructor(
    private readonly log: Pick<Logger, 'warn'>,
    private readonly metrics: Pick<ServerMetrics, 'jobRuns'> | null = null,
  ) {}

  start(jobs: Job[]): void {
    for (const job of jobs) {
      if (this.slots.has(job.name)) throw new Error(`job ${job.name} registered twice`);
      const slot: Slot = { job, timer: null, running: null, again: false };
      this.slots.set(job.name, slot);
      this.schedule(slot, 0);
    }
  }

  /** Runs the job soon (e.g. the event delivery job after rows were queued); ignored before start. */
  wake(name: string): void {
    const slot = this.slots.get(name);
    if (!slot || this.stopping.signal.aborted) return;
    if (slot.running) slot.again = true;
    else this.schedule(slot, 0);
  }

  /**
   * Runs the job now — after the run in flight, if any — and resolves when that run ended (the
   * CLI and tests use it to act on what is due without waiting for the interval).
   */
  async runNow(name: string): Promise<void> {
    const slot = this.slots.get(name);
    if (!slot) throw new Error(`no job ${name}`);
    while (slot.running) await slot.running;
    if (this.stopping.signal.aborted) return;
    if (slot.timer) clearTimeout(slot.timer);
    slot.timer = null;
    const run = this.runOnce(slot).finally(() => {
      slot.running = null;
      this.schedule(slot, slot.job.everyMs);
    });
    slot.running = run;
    await run;
  }

  /**
   * Runs every job once now and resolves when all have finished (after a test moved the clock,
   * expiry and retention take effect at once).
   */
  async runAllNow(): Promise<void> {
    await Promise.all([...this.slots.keys()].map((name) => this.runNow(name)));
  }

  /** No new runs; runs in flight see their signal aborted and are awaited. */
  async stop(): Promise<void> {
    this.stopping.abort();
    for (const slot of this.slots.values()) {
      if (slot.timer) clearTimeout(slot.timer);
      slot.timer = null;
    }
    await Promise.all([...this.slots.values()].map((slot) => slot.running));
  }

  private schedule(slot: Slot, ms: number): void {
    if (this.stopping.signal.aborted) return;
    if (slot.timer) clearTimeout(slot.timer);
    slot.timer = setTimeout(() => {
      slot.timer = null;
      slot.running = this.runOnce(slot).finally(() => {
        slot.running = null;
        const soon = slot.again;
        slot.again = false;
        this.schedule(slot, soon ? 0 : slot.job.everyMs);
      });
    }, ms);
    slot.timer.unref();
  }

  private async runOnce(slot: Slot): Promise<void> {
    const job = slot.job.name;
    try {
      await slot.job.run(this.stopping.signal);
      this.metrics?.jobRuns.inc({ job, outcome: 'ok' });
    } catch (err) {
      // The store being away is logged and retried next time; the schedule itself never dies.
      this.log.warn(`job ${job} failed: ${(err as Error).message}`, { job });
      this.metrics?.jobRuns.inc({ job, outcome: 'failed' });
    }
  }
}
