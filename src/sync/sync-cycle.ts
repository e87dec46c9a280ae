/**
 * One sync cycle: intake for each source, then delivery. The two stages meet only in the ledger.
 */
import type { Bridge } from '../bridge.js';
import type { AttemptInput } from '../ledger/ledger.js';
import { runDelivery, type DeliveryCounts } from './delivery.js';
import { runIntake, type IntakeSummary } from './intake.js';

export interface SyncOptions {
  readonly sourceId?: string;
  readonly dryRun?: boolean;
  readonly since?: Date;
  readonly full?: boolean;
  /** Skip the delivery stage (intake only). */
  readonly noDelivery?: boolean;
  /** Skip the intake stage (delivery only: retries and reconciliation). */
  readonly noIntake?: boolean;
  /** Stop taking new work (graceful shutdown); in-flight sends finish. */
  readonly stop?: AbortSignal;
  /** Abort in-flight work. */
  readonly signal?: AbortSignal;
  /** Sees every HTTP attempt to the destination (metrics). */
  readonly observeAttempt?: (a: AttemptInput) => void;
  readonly onIntakeProgress?: (sourceId: string, s: IntakeSummary) => void;
}

export interface SourceSyncResult extends Partial<IntakeSummary> {
  readonly source: string;
  readonly ok: boolean;
  readonly error?: string;
  /** Why intake did not run (a paused source). */
  readonly skipped?: string;
}

export interface SyncSummary {
  readonly dry_run: boolean;
  readonly sources: SourceSyncResult[];
  readonly delivery: DeliveryCounts | null;
  readonly states: Record<string, number>;
  readonly ledger: string;
}

export class UnknownSourceError extends Error {
  readonly code = 'UNKNOWN_SOURCE';
}

export async function runSyncCycle(bridge: Bridge, options: SyncOptions = {}): Promise<SyncSummary> {
  const { ledger, logger } = bridge;
  const configured = options.sourceId ? bridge.sources.filter((s) => s.id === options.sourceId) : bridge.sources;
  const selected = options.noIntake ? [] : configured;
  if (options.sourceId && configured.length === 0) {
    throw new UnknownSourceError(`no enabled source "${options.sourceId}"; configured: ${bridge.sources.map((s) => s.id).join(', ') || 'none'}`);
  }

  const sources: SourceSyncResult[] = [];
  for (const s of selected) {
    if (options.stop?.aborted) break;
    const pause = ledger.sourcePause(s.id);
    if (pause.paused) {
      sources.push({ source: s.id, ok: true, skipped: `paused since ${pause.since}: ${pause.reason}` });
      logger.warn('source is paused; intake skipped (sp4n-bridge resume --source)', { source: s.id });
      continue;
    }
    // a changed mapping (or lookup table) re-reads the whole source once: quarantined records
    // are re-evaluated with it, everything else is skipped by the ledger as unchanged
    const lastMapping = ledger.sourceMappingVersion(s.id);
    const mappingChanged = lastMapping !== null && lastMapping !== s.mapping.version && !s.adapter.capabilities.push;
    if (mappingChanged) logger.info('mapping changed since the last run: full re-scan to re-evaluate quarantined records', { source: s.id, from: lastMapping, to: s.mapping.version });
    // a dry run writes nothing, not even its run row
    const runId = options.dryRun ? 0 : ledger.startRun('intake', s.id);
    try {
      const summary = await runIntake({
        ledger,
        sourceId: s.id,
        adapter: s.adapter,
        mapping: s.mapping,
        sink: bridge.sink,
        logger,
        runId,
        dryRun: options.dryRun,
        stop: options.stop,
        read: { full: options.full || mappingChanged, since: options.since, signal: options.signal },
        onBatch: (sum) => options.onIntakeProgress?.(s.id, sum),
      });
      const { quarantine_reasons: _q, ...counts } = summary;
      if (!options.dryRun) {
        ledger.finishRun(runId, 'ok', counts);
        if (!options.stop?.aborted) ledger.setSourceMappingVersion(s.id, s.mapping.version, runId);
      }
      sources.push({ source: s.id, ok: true, ...summary });
      logger.info('intake finished', { source: s.id, ...counts });
    } catch (err) {
      const message = (err as Error).message;
      if (!options.dryRun) ledger.finishRun(runId, 'failed', {}, message);
      sources.push({ source: s.id, ok: false, error: message });
      logger.error('intake failed', { source: s.id, error: message });
    }
  }

  let delivery: DeliveryCounts | null = null;
  if (!options.dryRun && !options.noDelivery && !options.stop?.aborted) {
    const runId = ledger.startRun('delivery', options.sourceId ?? null);
    try {
      const d = bridge.config.settings.delivery;
      delivery = await runDelivery({
        ledger,
        sink: bridge.sink,
        logger,
        policy: bridge.retryPolicy,
        concurrency: d.concurrency,
        onInDoubt: d.on_in_doubt,
        reconcileAfterMs: d.reconcile_after,
        maxDoubtResends: d.max_doubt_resends,
        onChange: d.on_change,
        runId,
        sourceId: options.sourceId,
        breaker: bridge.breaker,
        now: bridge.now,
        observeAttempt: options.observeAttempt,
        stop: options.stop,
        signal: options.signal,
      });
      ledger.finishRun(runId, 'ok', { ...delivery });
    } catch (err) {
      ledger.finishRun(runId, 'failed', {}, (err as Error).message);
      throw err;
    }
  }
  return { dry_run: !!options.dryRun, sources, delivery, states: ledger.countsByState(), ledger: ledger.path };
}
