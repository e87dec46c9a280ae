/**
 * One follow-through run (issue #7): check the delivered complaints that are due at LAPOR!,
 * store what changed, write each change back to its source once, and refresh the SLA of every
 * followed complaint. Run by `sp4n-bridge follow` and by the daemon on `follow.schedule`.
 */
import type { Logger } from 'winston';
import type { Bridge } from '../bridge.js';
import type { SourceAdapter } from '../adapters/adapter.js';
import { AdapterError } from '../adapters/errors.js';
import type { RecordRow } from '../ledger/ledger.js';
import type { SqliteLedger } from '../ledger/sqlite-ledger.js';
import { renderRef } from '../sinks/sink-support.js';
import type { BridgeSettings } from '../settings/settings-schema.js';
import { loadSlaSetup, type SlaSetup } from '../sla/sla-setup.js';
import { statusModel } from '../status/lapor-status.js';
import { backoffDelay, isPastWindow, type RetryPolicy } from '../sync/retry-policy.js';
import { redactText } from '../util/redact.js';
import { FollowStore, type CheckSchedule, type WriteBackRow } from './follow-store.js';
import { LaporStatusClient, StatusReadError, type LaporStatusClientOptions, type StatusReader } from './lapor-status-client.js';

export interface FollowRunOptions {
  readonly ledger: SqliteLedger;
  readonly settings: BridgeSettings;
  /** Source adapters by source id (write-back goes to the ones that support it). */
  readonly adapters: ReadonlyMap<string, SourceAdapter>;
  readonly sla: SlaSetup;
  readonly logger: Logger;
  readonly policy: RetryPolicy;
  readonly now: () => Date;
  readonly sourceId?: string;
  /** Check every unfinished complaint now, whatever its next check time. */
  readonly all?: boolean;
  /** A reader of LAPOR! statuses (default: the lapor-v3 client from settings). */
  readonly reader?: StatusReader;
  /** Options of the default reader (tests shorten its retry delays). */
  readonly readerOptions?: LaporStatusClientOptions;
  readonly stop?: AbortSignal;
  readonly signal?: AbortSignal;
}

export interface FollowSummary {
  /** Why nothing was checked (legacy dialect, follow disabled), if so. */
  readonly skipped?: string;
  checked: number;
  changed: number;
  status_changes: number;
  followups: number;
  finished: number;
  failures: number;
  /** Raw LAPOR! status names the model does not know, with how often they were seen. */
  unknown_statuses: Record<string, number>;
  write_backs: { sent: number; retry: number; failed: number; waiting: number; waiting_auth?: number };
  sla: { followed: number; overdue: number; at_risk: number };
  /** Set when LAPOR! refused the credentials: checking stopped for this run. */
  auth_error?: string;
  /** Set when LAPOR! asked the bridge to slow down (429, Retry-After): checking stopped for this run. */
  throttled?: string;
}

export function checkSchedule(s: BridgeSettings['follow']): CheckSchedule {
  return { newEveryMs: s.check_new_every, activeEveryMs: s.check_active_every, quietEveryMs: s.check_quiet_every, quietAfterMs: s.quiet_after };
}

export async function runFollow(o: FollowRunOptions): Promise<FollowSummary> {
  const store = new FollowStore(o.ledger);
  const summary: FollowSummary = { checked: 0, changed: 0, status_changes: 0, followups: 0, finished: 0, failures: 0, unknown_statuses: {}, write_backs: { sent: 0, retry: 0, failed: 0, waiting: 0 }, sla: { followed: 0, overdue: 0, at_risk: 0 } };
  const follow = o.settings.follow;
  const destination = o.settings.destination;
  if (!follow.enabled) return { ...summary, skipped: 'follow.enabled is false' };
  if (destination.dialect !== 'lapor-v3' && !o.reader) return { ...summary, skipped: `the ${destination.dialect} dialect has no status API` };

  const runId = o.ledger.startRun('follow', o.sourceId ?? null);
  const reader = o.reader ?? new LaporStatusClient(destination as Extract<BridgeSettings['destination'], { dialect: 'lapor-v3' }>, { now: o.now, ...o.readerOptions });
  try {
    const recovered = store.recoverInterruptedWriteBacks();
    if (recovered) o.logger.warn('write-backs interrupted by a stop are sent again', { count: recovered });
    await checkStatuses(o, store, reader, runId, summary);
    if (follow.write_back) await sendWriteBacks(o, store, runId, summary);
    const queued = store.writeBackCounts();
    summary.write_backs.waiting = queued.pending + queued.retry_wait + queued.sending;
    summary.sla = store.refreshSla(o.sla, o.now());
    o.ledger.finishRun(runId, summary.auth_error ? 'failed' : 'ok', { ...summary }, summary.auth_error);
    return summary;
  } catch (err) {
    o.ledger.finishRun(runId, 'failed', {}, (err as Error).message);
    throw err;
  } finally {
    if (!o.reader) await reader.close();
  }
}

/** The follow run with the bridge's parts; the daemon and the command share it. */
export async function followWithBridge(
  bridge: Bridge,
  options: { sourceId?: string; all?: boolean; stop?: AbortSignal; signal?: AbortSignal; readerOptions?: LaporStatusClientOptions } = {},
): Promise<FollowSummary> {
  const sla = await loadSlaSetup(bridge.config.dir, bridge.config.settings.sla, (w) => bridge.logger.warn(w));
  return runFollow({
    ledger: bridge.ledger,
    settings: bridge.config.settings,
    adapters: new Map(bridge.sources.map((s) => [s.id, s.adapter])),
    sla,
    logger: bridge.logger,
    policy: bridge.retryPolicy,
    now: bridge.now,
    sourceId: options.sourceId,
    all: options.all,
    stop: options.stop,
    signal: options.signal,
    readerOptions: options.readerOptions,
  });
}

async function checkStatuses(o: FollowRunOptions, store: FollowStore, reader: StatusReader, runId: number, summary: FollowSummary): Promise<void> {
  const follow = o.settings.follow;
  const schedule = checkSchedule(follow);
  const model = statusModel(follow.statuses);
  // a source that is disabled or gone for now still gets its changes queued: they wait for it
  const writeBackSources = new Set(writeBackCapable(o));
  const refTemplate = o.settings.destination.dialect === 'lapor-v3' ? o.settings.destination.ref_template : undefined;
  const due = store.dueForCheck(o.now(), follow.max_per_run, { sourceId: o.sourceId, all: o.all });
  const concurrency = Math.max(1, Math.min(o.settings.delivery.concurrency, due.length));
  let next = 0;
  const stopped = () => o.stop?.aborted || summary.auth_error !== undefined || summary.throttled !== undefined;
  const worker = async (): Promise<void> => {
    while (next < due.length && !stopped()) {
      const { record } = due[next++] as (typeof due)[number];
      const laporId = record.lapor_id as string;
      summary.checked++;
      try {
        const snap = await reader.read(laporId, o.signal);
        const refLine = refTemplate === undefined ? undefined : () => refLineOf(o.ledger, record, refTemplate);
        const r = store.applySnapshot(record, snap, { now: o.now(), model, sla: o.sla, schedule, writeBack: follow.write_back && (writeBackSources.has(record.source_id) || !o.adapters.has(record.source_id)), refLine, runId });
        if (r.statusChanges + r.followups > 0) summary.changed++;
        summary.status_changes += r.statusChanges;
        summary.followups += r.followups;
        if (r.final) summary.finished++;
        for (const name of r.unknownStatuses) {
          summary.unknown_statuses[name] = (summary.unknown_statuses[name] ?? 0) + 1;
          o.logger.warn('unknown LAPOR! status kept raw; add it to follow.statuses to map it', { record: record.id, source: record.source_id, status: name });
        }
      } catch (err) {
        const message = redactText(err instanceof Error ? err.message : String(err));
        summary.failures++;
        // a refusal or a request to slow down is about the destination, not this complaint: stop, penalise nobody
        if (err instanceof StatusReadError && err.kind === 'auth') {
          summary.auth_error = message;
          o.logger.error('LAPOR! refused the credentials: status checks stop for this run', { error: message });
        } else if (err instanceof StatusReadError && err.kind === 'throttled') {
          summary.throttled = message;
          o.logger.warn('LAPOR! asked to slow down: status checks stop for this run', { error: message });
        } else {
          store.recordCheckFailure(record, laporId, message, o.now(), schedule);
          o.logger.warn('status check failed; tried again later', { record: record.id, source: record.source_id, error: message });
        }
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, () => worker()));
}

/** Sources whose adapter can take write-backs (optionally only the one asked for). */
function writeBackCapable(o: FollowRunOptions): string[] {
  return [...o.adapters].filter(([id, a]) => a.capabilities.writeBack && a.writeBack && (o.sourceId === undefined || id === o.sourceId)).map(([id]) => id);
}

/** The `Ref:` line the sink wrote for this complaint (its own follow-ups end with it too). */
function refLineOf(ledger: SqliteLedger, record: RecordRow, template: string): string | undefined {
  try {
    const c = ledger.loadComplaint(record.id, record.sent_version ?? record.version);
    return renderRef(template, c.source.system, c.source.external_id);
  } catch {
    return undefined;
  }
}

/** Each queued write-back once, in order per complaint, retried with the delivery backoff. */
async function sendWriteBacks(o: FollowRunOptions, store: FollowStore, runId: number, summary: FollowSummary): Promise<void> {
  const limit = Math.max(o.settings.follow.max_per_run * 4, 100);
  const up = new Set(writeBackCapable(o));
  // a complaint's next write-back becomes due when its previous one is sent: repeat until dry
  for (let round = 0; round < 50 && !o.stop?.aborted && up.size > 0; round++) {
    const due = store.dueWriteBacks(o.now(), limit, [...up]);
    if (due.length === 0) return;
    for (const w of due) {
      if (o.stop?.aborted) return;
      if (!up.has(w.source_id)) continue;
      const adapter = o.adapters.get(w.source_id) as SourceAdapter;
      // a source that failed is left alone for the rest of this run; its queue waits, the others go on
      if (!(await sendOne(o, store, adapter, w, runId, summary))) up.delete(w.source_id);
    }
  }
}

/** Sends one write-back; false when the source is failing (the write-back waits for a later run). */
async function sendOne(o: FollowRunOptions, store: FollowStore, adapter: SourceAdapter, w: WriteBackRow, runId: number, summary: FollowSummary): Promise<boolean> {
  store.markWriteBackSending(w.id);
  try {
    await (adapter.writeBack as NonNullable<SourceAdapter['writeBack']>)(w.external_id, { status: w.status_text, note: w.note, trackingId: w.lapor_id });
    store.markWriteBackSent(w, o.now(), runId);
    summary.write_backs.sent++;
    return true;
  } catch (err) {
    const message = redactText(err instanceof Error ? err.message : String(err));
    const now = o.now();
    if (err instanceof AdapterError && err.code === 'SOURCE_AUTH') {
      // refused credentials are the source's configuration, not this write-back's fault: it waits
      store.markWriteBackWaiting(w, message);
      summary.write_backs.waiting_auth = (summary.write_backs.waiting_auth ?? 0) + 1;
      o.logger.error('the source refused the write-back credentials; its write-backs wait', { source: w.source_id, error: message });
      return false;
    }
    const retriable = !(err instanceof AdapterError) || err.retriable;
    if (!retriable || isPastWindow(w.first_failed_at, now, o.policy)) {
      store.markWriteBackFailed(w, retriable ? `gave up after the retry window: ${message}` : message, now, runId);
      summary.write_backs.failed++;
      o.logger.error('write-back to the source failed for good (sp4n-bridge follow --retry-failed-write-backs --reason ... sends it again)', { source: w.source_id, write_back: w.id, error: message });
      return true; // the next one for this complaint may go
    }
    store.markWriteBackRetry(w, message, new Date(now.getTime() + backoffDelay(w.attempt_count + 1, o.policy)), now);
    summary.write_backs.retry++;
    o.logger.warn('write-back to the source failed; retried later', { source: w.source_id, write_back: w.id, error: message });
    return false;
  }
}
