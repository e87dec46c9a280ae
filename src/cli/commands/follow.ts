/** `follow`: one follow-through run now — status sync from LAPOR!, write-back to sources, SLA refresh. */
import { openBridge } from '../../bridge.js';
import { followWithBridge, type FollowSummary } from '../../follow/follow-run.js';
import { loadSettingsOrThrow } from '../../settings/load-settings.js';
import { closeLogger } from '../../util/logger.js';
import { configuredLogger, type GlobalOptions } from '../context.js';
import { print, printJson, UsageError } from '../output.js';

export interface FollowCommandOptions {
  readonly source?: string;
  readonly all?: boolean;
}

export async function followCommand(g: GlobalOptions, o: FollowCommandOptions): Promise<number> {
  const config = loadSettingsOrThrow(g.config);
  if (o.source && !config.sources.some((s) => s.id === o.source && s.enabled)) {
    throw new UsageError(`--source: no enabled source "${o.source}"; configured: ${config.sources.filter((s) => s.enabled).map((s) => s.id).join(', ') || 'none'}`);
  }
  const logger = configuredLogger(config, { level: g.logLevel, stream: process.stderr });
  const bridge = await openBridge(config, { logger });
  try {
    const summary = await followWithBridge(bridge, { sourceId: o.source, all: o.all });
    if (g.json) printJson({ ledger: bridge.ledger.path, ...summary });
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
}
