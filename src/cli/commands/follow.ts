/** `follow`: one follow-through run now — status sync from LAPOR!, write-back to sources, SLA refresh. */
import { openBridge } from '../../bridge.js';
import { followWithBridge, type FollowSummary } from '../../follow/follow-run.js';
import { FollowStore } from '../../follow/follow-store.js';
import { osUser } from '../../ledger/sqlite-ledger.js';
import { loadSettingsOrThrow } from '../../settings/load-settings.js';
import { closeLogger } from '../../util/logger.js';
import { configuredLogger, type GlobalOptions } from '../context.js';
import { print, printJson, UsageError } from '../output.js';

export interface FollowCommandOptions {
  readonly source?: string;
  readonly all?: boolean;
  readonly retryFailedWriteBacks?: boolean;
  readonly reason?: string;
}

export async function followCommand(g: GlobalOptions, o: FollowCommandOptions): Promise<number> {
  const config = loadSettingsOrThrow(g.config);
  if (o.source && !config.sources.some((s) => s.id === o.source && s.enabled)) {
    throw new UsageError(`--source: no enabled source "${o.source}"; configured: ${config.sources.filter((s) => s.enabled).map((s) => s.id).join(', ') || 'none'}`);
  }
  if (o.retryFailedWriteBacks && !o.reason?.trim()) throw new UsageError('--retry-failed-write-backs needs --reason "<why they may go now>" (it is recorded in the ledger)');
  if (o.reason && !o.retryFailedWriteBacks) throw new UsageError('--reason goes with --retry-failed-write-backs');
  const logger = configuredLogger(config, { level: g.logLevel, stream: process.stderr });
  const bridge = await openBridge(config, { logger });
  try {
    const requeued = o.retryFailedWriteBacks ? new FollowStore(bridge.ledger).requeueFailedWriteBacks(osUser(), (o.reason as string).trim(), o.source) : undefined;
    if (requeued !== undefined && !g.json) print(`${requeued} failed write-back(s) queued again (recorded with your user name and reason)`);
    const summary = await followWithBridge(bridge, { sourceId: o.source, all: o.all });
    if (g.json) printJson({ ledger: bridge.ledger.path, ...(requeued !== undefined ? { requeued_write_backs: requeued } : {}), ...summary });
    else printFollowSummary(summary);
    return summary.auth_error ? 1 : 0;
  } finally {
    await bridge.close();
    await closeLogger(logger);
  }
}

export function printFollowSummary(s: FollowSummary): void {
  if (s.skipped) {
    print(`follow: skipped — ${s.skipped}`);
    return;
  }
  print(`follow: ${s.checked} checked at LAPOR!, ${s.changed} changed (${s.status_changes} status changes, ${s.followups} follow-ups), ${s.finished} finished, ${s.failures} failed checks`);
  print(`write-back: ${s.write_backs.sent} sent, ${s.write_backs.retry} to retry, ${s.write_backs.failed} failed, ${s.write_backs.waiting} waiting`);
  print(`SLA: ${s.sla.followed} followed, ${s.sla.overdue} overdue, ${s.sla.at_risk} at risk (details: sp4n-bridge ledger report --sla)`);
  for (const [name, n] of Object.entries(s.unknown_statuses)) print(`  unknown LAPOR! status "${name}" seen ${n}× — kept raw; map it under follow.statuses in bridge.yaml`);
  if (s.auth_error) print(`LAPOR! refused the credentials: ${s.auth_error}`);
  if (s.throttled) print(`LAPOR! asked the bridge to slow down; the rest waits for the next run: ${s.throttled}`);
  if (s.write_backs.waiting_auth) print('A source refused the write-back credentials: its write-backs wait (check the source\'s auth settings).');
}
