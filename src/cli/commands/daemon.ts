/**
 * `daemon`: runs every source on its cron schedule and the delivery pass on its own schedule,
 * until SIGTERM/SIGINT; then stops taking work, lets sends in flight finish within the grace
 * period, and exits with no record left in `sending`.
 */
import { openBridge } from '../../bridge.js';
import { loadSettingsOrThrow } from '../../settings/load-settings.js';
import { Scheduler } from '../../sync/scheduler.js';
import { createLogger } from '../../util/logger.js';
import type { GlobalOptions } from '../context.js';

export async function daemonCommand(g: GlobalOptions, o: { once?: boolean }): Promise<number> {
  const config = loadSettingsOrThrow(g.config);
  const logger = createLogger({ level: g.logLevel ?? config.settings.logging.level });
  const bridge = await openBridge(config, { logger });
  const scheduler = new Scheduler(bridge, { deliverySchedule: config.settings.daemon.delivery_schedule, fullRescanSchedule: config.settings.daemon.full_rescan_schedule });
  const stopped = new Promise<string>((resolve) => {
    process.once('SIGTERM', () => resolve('SIGTERM'));
    process.once('SIGINT', () => resolve('SIGINT'));
  });
  logger.info('daemon started', { ledger: config.ledgerPath, sources: bridge.sources.map((s) => `${s.id} "${s.schedule}"`), delivery: config.settings.daemon.delivery_schedule, pid: process.pid });
  scheduler.start();
  // a first cycle right away, so a restart does not wait for the next tick
  const first = (async () => {
    for (const s of bridge.sources) await scheduler.runSource(s.id);
    await scheduler.runDelivery();
  })();
  const signal = o.once ? await first.then(() => 'once') : await stopped;
  logger.info('stopping: no new work; waiting for sends in flight', { signal, grace_ms: config.settings.daemon.shutdown_grace });
  const { drained } = await scheduler.stop(config.settings.daemon.shutdown_grace);
  const sending = bridge.ledger.recordsInState('sending', 1).length;
  await bridge.close();
  logger.info('daemon stopped', { drained, sending_left: sending });
  return sending === 0 ? 0 : 1;
}
