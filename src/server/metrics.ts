/**
 * Prometheus metrics (prom-client). Gauges that describe the ledger are computed at scrape time
 * from the ledger itself, so they are right even after a restart; counters and histograms count
 * what this process did.
 */
import client from 'prom-client';
import type { AttemptInput } from '../ledger/ledger.js';
import { recordStates } from '../ledger/record-state.js';
import { defaultSlaSetup, followedByStage, slaReport, writeBacksByState } from '../ledger/sla-report.js';
import type { SqliteLedger } from '../ledger/sqlite-ledger.js';
import type { SlaSetup } from '../sla/sla-setup.js';
import type { CircuitBreaker } from '../sync/circuit-breaker.js';
import type { SyncSummary } from '../sync/sync-cycle.js';

export interface MetricsSources {
  readonly ledger: () => SqliteLedger | undefined;
  readonly breaker: () => CircuitBreaker | undefined;
  readonly destination: () => string;
  /** The clock the SLA gauges are computed at (default: the time of the scrape). */
  readonly now?: () => Date;
}

/** The SLA rules and calendar: fixed, or read on each scrape (a reload may change them). */
export type MetricsSla = SlaSetup | (() => SlaSetup | undefined);

export class BridgeMetrics {
  readonly registry = new client.Registry();
  private readonly pulled: client.Counter;
  private readonly delivered: client.Counter;
  private readonly rejected: client.Counter;
  private readonly quarantined: client.Counter;
  private readonly cycles: client.Counter;
  private readonly skipped: client.Counter;
  private readonly runDuration: client.Histogram;
  private readonly httpDuration: client.Histogram;
  private readonly lastRun: client.Gauge;

  private readonly sla: MetricsSla | undefined;

  /**
   * `sla`: the configured rules and calendar for the SLA gauges; without it, LAPOR!'s defaults
   * and the shipped calendar.
   */
  constructor(sources: MetricsSources, sla?: MetricsSla) {
    this.sla = sla;
    const r = this.registry;
    const now = sources.now ?? (() => new Date());
    const slaSetup = (): Promise<SlaSetup> | SlaSetup => this.slaSetup() ?? defaultSlaSetup();
    client.collectDefaultMetrics({ register: r, prefix: 'sp4n_' });
    new client.Gauge({
      name: 'sp4n_records',
      help: 'Records in the ledger by state',
      labelNames: ['state'],
      registers: [r],
      collect() {
        const counts = sources.ledger()?.countsByState() ?? {};
        for (const s of recordStates) this.set({ state: s }, counts[s] ?? 0);
      },
    });
    new client.Gauge({
      name: 'sp4n_in_doubt_records',
      help: 'Records whose last send may or may not have reached LAPOR!',
      registers: [r],
      collect() {
        this.set(sources.ledger()?.countsByState().in_doubt ?? 0);
      },
    });
    new client.Gauge({
      name: 'sp4n_needs_review_records',
      help: 'Records waiting for an operator (sp4n-bridge resolve)',
      registers: [r],
      collect() {
        this.set(sources.ledger()?.countsByState().needs_review ?? 0);
      },
    });
    new client.Gauge({
      name: 'sp4n_oldest_undelivered_age_seconds',
      help: 'Age of the oldest record not yet delivered (0 when none)',
      registers: [r],
      collect() {
        const t = sources.ledger()?.oldestUndelivered();
        this.set(t ? Math.max(0, (Date.now() - Date.parse(t)) / 1000) : 0);
      },
    });
    new client.Gauge({
      name: 'sp4n_destination_circuit_open',
      help: '1 while the destination circuit is open (one probe per pass)',
      labelNames: ['destination'],
      registers: [r],
      collect() {
        this.set({ destination: sources.destination() }, sources.breaker()?.state === 'open' ? 1 : 0);
      },
    });
    new client.Gauge({
      name: 'sp4n_destination_paused',
      help: '1 while delivery is paused (401/403 or an operator)',
      labelNames: ['destination'],
      registers: [r],
      collect() {
        const name = sources.destination();
        this.set({ destination: name }, sources.ledger()?.destinationPause(name).paused ? 1 : 0);
      },
    });
    new client.Gauge({
      name: 'sp4n_sla_complaints',
      help: 'Complaints followed at LAPOR! that are overdue or at risk against the SLA now, by source and agency (disposition); the numbers of `ledger report --sla`',
      labelNames: ['source', 'agency', 'state'],
      registers: [r],
      async collect() {
        const ledger = sources.ledger();
        this.reset();
        if (!ledger) return;
        const report = slaReport(ledger.db, await slaSetup(), { asOf: now() });
        for (const g of report.by_source_agency) {
          this.set({ source: g.source, agency: g.agency, state: 'overdue' }, g.overdue);
          this.set({ source: g.source, agency: g.agency, state: 'at_risk' }, g.at_risk);
        }
      },
    });
    new client.Gauge({
      name: 'sp4n_followed_complaints',
      help: 'Delivered complaints followed at LAPOR!, by follow-through stage (received = not verified or not checked yet)',
      labelNames: ['stage'],
      registers: [r],
      collect() {
        const ledger = sources.ledger();
        this.reset();
        if (!ledger) return;
        for (const [stage, n] of Object.entries(followedByStage(ledger.db))) this.set({ stage }, n);
      },
    });
    new client.Gauge({
      name: 'sp4n_write_backs',
      help: 'Status and follow-up write-backs to the sources, by state',
      labelNames: ['state'],
      registers: [r],
      collect() {
        const ledger = sources.ledger();
        this.reset();
        if (!ledger) return;
        for (const [state, n] of Object.entries(writeBacksByState(ledger.db))) this.set({ state }, n);
      },
    });
    this.pulled = new client.Counter({ name: 'sp4n_pulled_total', help: 'Records read from a source', labelNames: ['source'], registers: [r] });
    this.quarantined = new client.Counter({ name: 'sp4n_quarantined_total', help: 'Records quarantined at intake', labelNames: ['source'], registers: [r] });
    this.delivered = new client.Counter({ name: 'sp4n_delivered_total', help: 'Complaints delivered to LAPOR! (including reconciled)', registers: [r] });
    this.rejected = new client.Counter({ name: 'sp4n_rejected_total', help: 'Complaints rejected by LAPOR! (400/422)', registers: [r] });
    this.cycles = new client.Counter({ name: 'sp4n_runs_total', help: 'Completed scheduled runs', labelNames: ['job', 'result'], registers: [r] });
    this.skipped = new client.Counter({ name: 'sp4n_ticks_skipped_total', help: 'Schedule ticks skipped because the previous run of the job was still going', labelNames: ['job'], registers: [r] });
    this.runDuration = new client.Histogram({ name: 'sp4n_run_duration_seconds', help: 'Duration of scheduled runs', labelNames: ['job'], buckets: [0.1, 0.5, 1, 5, 15, 60, 300, 900], registers: [r] });
    this.httpDuration = new client.Histogram({
      name: 'sp4n_destination_request_duration_seconds',
      help: 'Latency of calls to the destination and attachment fetches',
      labelNames: ['operation', 'outcome'],
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers: [r],
    });
    this.lastRun = new client.Gauge({ name: 'sp4n_last_run_timestamp_seconds', help: 'When the last run of a job finished', labelNames: ['job', 'result'], registers: [r] });
  }

  /** The SLA setup in use, if one was given (the dashboard on the same server uses it too). */
  slaSetup(): SlaSetup | undefined {
    return typeof this.sla === 'function' ? this.sla() : this.sla;
  }

  observeRun(job: string, result: 'ok' | 'failed', seconds: number, summary?: SyncSummary): void {
    this.cycles.inc({ job, result });
    this.runDuration.observe({ job }, seconds);
    this.lastRun.set({ job, result }, Date.now() / 1000);
    for (const s of summary?.sources ?? []) {
      this.pulled.inc({ source: s.source }, s.pulled ?? 0);
      this.quarantined.inc({ source: s.source }, s.quarantined ?? 0);
    }
    if (summary?.delivery) {
      this.delivered.inc(summary.delivery.delivered + summary.delivery.reconciled);
      this.rejected.inc(summary.delivery.rejected);
    }
  }

  observeSkip(job: string): void {
    this.skipped.inc({ job });
  }

  observeAttempt(a: AttemptInput): void {
    this.httpDuration.observe({ operation: a.operation, outcome: a.outcome }, a.latencyMs / 1000);
  }
}
