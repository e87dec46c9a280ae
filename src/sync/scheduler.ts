/**
 * The daemon's clock: each source's intake on its own cron schedule, and the delivery pass on
 * the delivery schedule (so retries fall due without waiting for a source). Never two runs of
 * one job at once: a tick that finds its job still running is skipped and counted.
 */
import cron, { type ScheduledTask } from 'node-cron';
import type { Bridge } from '../bridge.js';
import { followWithBridge } from '../follow/follow-run.js';
import type { AttemptInput } from '../ledger/ledger.js';
import { runSyncCycle, type SyncSummary } from './sync-cycle.js';

export const SCHEDULE_TIMEZONE = 'Asia/Jakarta';

export interface SchedulerOptions {
  /** When the delivery pass runs on its own (retries, in-doubt reconciliation). */
  readonly deliverySchedule: string;
  /** Full re-scan of every source (the safety net for anything an incremental walk missed). */
  readonly fullRescanSchedule?: string | false;
  /** When due complaints are checked at LAPOR! and changes written back (follow.schedule); false = never. */
  readonly followSchedule?: string | false;
}

/** Who watches the scheduler (metrics). */
export interface SchedulerObserver {
  observeRun(job: string, result: 'ok' | 'failed', seconds: number, summary?: SyncSummary): void;
  observeSkip(job: string): void;
  observeAttempt(a: AttemptInput): void;
}

export interface JobStats {
  runs: number;
  skipped: number;
  failed: number;
  lastStartedAt?: string;
  lastFinishedAt?: string;
  lastError?: string;
}

export class Scheduler {
  private readonly tasks: ScheduledTask[] = [];
  private readonly running = new Map<string, Promise<void>>();
  readonly stats = new Map<string, JobStats>();
  private readonly stopController = new AbortController();
  private readonly abortController = new AbortController();
  private deliveryRequested = false;
  private readonly sourceRequested = new Set<string>();
  /** The result of the last run of each job (for /readyz). */
  readonly lastResults = new Map<string, 'ok' | 'failed'>();

  constructor(
    private readonly bridge: Bridge,
    private readonly options: SchedulerOptions,
    private readonly observer?: SchedulerObserver,
  ) {}

  /** Whether any job is running now (readiness and reload use it). */
  get busy(): boolean {
    return this.running.size > 0;
  }

  start(): void {
    for (const s of this.bridge.sources) {
      this.tasks.push(cron.schedule(s.schedule, () => this.runSource(s.id), { timezone: SCHEDULE_TIMEZONE, name: `source:${s.id}` }));
      // a push source (webhook) is read as soon as something waits, not at the next tick
      s.adapter.onPending?.(() => void this.runSourceSoon(s.id));
    }
    this.tasks.push(cron.schedule(this.options.deliverySchedule, () => this.runDelivery(), { timezone: SCHEDULE_TIMEZONE, name: 'delivery' }));
    if (this.options.followSchedule) {
      this.tasks.push(cron.schedule(this.options.followSchedule, () => this.runFollow(), { timezone: SCHEDULE_TIMEZONE, name: 'follow' }));
    }
    if (this.options.fullRescanSchedule) {
      this.tasks.push(
        cron.schedule(this.options.fullRescanSchedule, async () => {
          for (const s of this.bridge.sources) await this.runSource(s.id, { full: true });
        }, { timezone: SCHEDULE_TIMEZONE, name: 'full-rescan' }),
      );
    }
  }

  /** Intake for one source, then a delivery pass for what it brought in. */
  async runSource(sourceId: string, options: { full?: boolean } = {}): Promise<void> {
    const job = `source:${sourceId}`;
    // a full re-scan is never skipped: it waits for an incremental run in progress
    while (options.full && this.running.has(job) && !this.stopController.signal.aborted) await this.running.get(job);
    await this.trigger(job, { sourceId, noDelivery: true, full: options.full });
    await this.runDelivery();
  }

  /**
   * Runs a source's intake now, or right after the run in progress (requests coalesce): a push
   * source's senders wait for their answer until their records are committed.
   */
  async runSourceSoon(sourceId: string): Promise<void> {
    const job = `source:${sourceId}`;
    if (this.sourceRequested.has(sourceId)) return; // a caller is already waiting to run it
    this.sourceRequested.add(sourceId);
    while (this.running.has(job)) await this.running.get(job);
    if (this.stopController.signal.aborted) return;
    this.sourceRequested.delete(sourceId);
    await this.runSource(sourceId);
  }

  /**
   * One delivery pass at a time for the whole ledger; a request while one runs is remembered
   * and served by one more pass right after, so new records never wait for the next tick.
   */
  async runDelivery(): Promise<void> {
    if (this.running.has('delivery')) {
      this.deliveryRequested = true;
      return this.running.get('delivery');
    }
    do {
      this.deliveryRequested = false;
      await this.trigger('delivery', { noIntake: true });
    } while (this.deliveryRequested && !this.stopController.signal.aborted);
  }

  /** One follow-through run (status sync, write-back, SLA refresh); never two at once. */
  runFollow(): Promise<void> {
    return this.guard('follow', async () => {
      const summary = await followWithBridge(this.bridge, { stop: this.stopController.signal, signal: this.abortController.signal });
      if (!summary.skipped) this.bridge.logger.info('follow finished', { checked: summary.checked, changed: summary.changed, write_backs_sent: summary.write_backs.sent, overdue: summary.sla.overdue, at_risk: summary.sla.at_risk });
      return !summary.auth_error;
    });
  }

  /** Runs a job now unless it is already running (then the tick is skipped and counted). */
  private trigger(job: string, what: { sourceId?: string; noIntake?: boolean; noDelivery?: boolean; full?: boolean }): Promise<void> {
    return this.guard(job, async () => {
      const summary = await runSyncCycle(this.bridge, {
        sourceId: what.sourceId,
        noIntake: what.noIntake,
        noDelivery: what.noDelivery,
        full: what.full,
        stop: this.stopController.signal,
        signal: this.abortController.signal,
        observeAttempt: this.observer ? (a) => this.observer?.observeAttempt(a) : undefined,
      });
      return { ok: summary.sources.every((s) => s.ok), summary };
    });
  }

  /** Runs `work` as `job` unless that job is already running (then the tick is skipped and counted). */
  private guard(job: string, work: () => Promise<boolean | { ok: boolean; summary: SyncSummary }>): Promise<void> {
    const stats = this.stats.get(job) ?? { runs: 0, skipped: 0, failed: 0 };
    this.stats.set(job, stats);
    const inFlight = this.running.get(job);
    if (inFlight || this.stopController.signal.aborted) {
      stats.skipped++;
      if (inFlight) this.observer?.observeSkip(job);
      if (inFlight) this.bridge.logger.warn('previous run still going; tick skipped', { job });
      return inFlight ?? Promise.resolve();
    }
    stats.runs++;
    stats.lastStartedAt = new Date().toISOString();
    const run = (async () => {
      const started = performance.now();
      try {
        const result = await work();
        const [ok, summary] = typeof result === 'boolean' ? [result, undefined] : [result.ok, result.summary];
        const failed = !ok;
        if (failed) stats.failed++;
        this.lastResults.set(job, failed ? 'failed' : 'ok');
        this.observer?.observeRun(job, failed ? 'failed' : 'ok', (performance.now() - started) / 1000, summary);
      } catch (err) {
        this.lastResults.set(job, 'failed');
        this.observer?.observeRun(job, 'failed', (performance.now() - started) / 1000);
        stats.failed++;
        stats.lastError = (err as Error).message;
        this.bridge.logger.error('scheduled run failed', { job, error: stats.lastError });
      } finally {
        stats.lastFinishedAt = new Date().toISOString();
        this.running.delete(job);
      }
    })();
    this.running.set(job, run);
    return run;
  }

  /**
   * Stops taking new work, lets in-flight runs finish within `graceMs`, then aborts what is
   * left (an aborted send becomes in_doubt, never stays `sending`).
   */
  async stop(graceMs: number): Promise<{ drained: boolean }> {
    for (const t of this.tasks) await t.stop();
    this.stopController.abort();
    const all = () => Promise.allSettled([...this.running.values()]);
    let timer: NodeJS.Timeout | undefined;
    const drained = await Promise.race([all().then(() => true), new Promise<boolean>((r) => (timer = setTimeout(() => r(false), graceMs)))]);
    clearTimeout(timer);
    if (!drained) {
      this.abortController.abort();
      await all();
    }
    for (const t of this.tasks) await t.destroy();
    return { drained };
  }
}
