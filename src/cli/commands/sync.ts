/** `sync`: one cycle now — intake for each source, then delivery. */
import { openBridge } from '../../bridge.js';
import { loadSettingsOrThrow } from '../../settings/load-settings.js';
import { runSyncCycle, type SyncSummary } from '../../sync/sync-cycle.js';
import { intakeProgress } from '../progress.js';
import { closeLogger } from '../../util/logger.js';
import { configuredLogger, type GlobalOptions } from '../context.js';
import { formatTable, print, printJson, UsageError } from '../output.js';

export interface SyncCommandOptions {
  readonly source?: string;
  readonly dryRun?: boolean;
  readonly since?: string;
  readonly full?: boolean;
}

export function parseSince(text: string | undefined): Date | undefined {
  if (text === undefined) return undefined;
  // a date without time or offset is midnight WIB
  const iso = /^\d{4}-\d{2}-\d{2}$/.test(text) ? `${text}T00:00:00+07:00` : text;
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) throw new UsageError(`--since: "${text}" is not a date; use YYYY-MM-DD or ISO 8601`);
  return d;
}

export async function syncCommand(g: GlobalOptions, o: SyncCommandOptions): Promise<number> {
  if (o.since && o.full) throw new UsageError('--since and --full cannot be combined');
  const since = parseSince(o.since);
  const config = loadSettingsOrThrow(g.config);
  const logger = configuredLogger(config, { level: g.logLevel, stream: process.stderr });
  const bridge = await openBridge(config, { logger, recover: !o.dryRun });
  // long backfills show their progress: a bar on a terminal, plain lines otherwise
  const progress = o.since || o.full ? intakeProgress(process.stderr) : { update: () => undefined, stop: () => undefined };
  try {
    const summary = await runSyncCycle(bridge, { sourceId: o.source, dryRun: o.dryRun, since, full: o.full, onIntakeProgress: (id, s) => progress.update(id, s.pulled) });
    if (g.json) printJson({ recovered_in_doubt: bridge.recoveredAtStart, ...summary });
    else {
      if (bridge.recoveredAtStart) print(`${bridge.recoveredAtStart} interrupted send(s) found at start-up are now in doubt and were reconciled or await review.`);
      printSyncSummary(summary);
    }
    return summary.sources.every((s) => s.ok) ? 0 : 1;
  } finally {
    progress.stop();
    await bridge.close();
    await closeLogger(logger);
  }
}

export function printSyncSummary(s: SyncSummary): void {
  if (s.dry_run) print('DRY RUN — nothing was written to the ledger or sent.');
  print(
    formatTable(
      s.sources.map((r) => ({ source: r.source, ok: r.ok ? 'yes' : 'NO', pulled: r.pulled, new: r.new, changed: r.changed, unchanged: r.unchanged, quarantined: r.quarantined, warnings: r.warnings, error: r.error })),
    ),
  );
  for (const r of s.sources) for (const q of r.quarantine_reasons ?? []) print(`  quarantined ${r.source}/${q.external_id}: ${q.reason}`);
  if (s.delivery) {
    const d = s.delivery;
    print(`delivery: ${d.delivered} delivered, ${d.reconciled} reconciled, ${d.retry_wait} to retry, ${d.rejected} rejected, ${d.in_doubt} in doubt, ${d.needs_review} need review, ${d.dead} dead, ${d.updates_recorded} updates recorded${d.paused ? ' — DESTINATION PAUSED' : ''}`);
  }
  print(`ledger ${s.ledger}: ${Object.entries(s.states).map(([k, v]) => `${k}=${v}`).join(' ') || 'empty'}`);
}
