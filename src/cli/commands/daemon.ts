/**
 * `daemon`: runs every source on its cron schedule and the delivery pass on its own schedule,
 * serves /healthz, /readyz, /metrics (and /dashboard when configured), until SIGTERM/SIGINT;
 * then stops taking work, lets sends in flight finish within the grace period, and exits with
 * no record left in `sending`.
 * SIGHUP reloads the configuration; an invalid new configuration is rejected and the running
 * one kept.
 */
import { openBridge, type Bridge } from '../../bridge.js';
import { BridgeHttpServer } from '../../server/http-server.js';
import { BridgeMetrics } from '../../server/metrics.js';
import { formatProblem, loadSettings, loadSettingsOrThrow, type LoadedSettings } from '../../settings/load-settings.js';
import { loadSlaSetup } from '../../sla/sla-setup.js';
import { Scheduler } from '../../sync/scheduler.js';
import { closeLogger } from '../../util/logger.js';
import { configuredLogger, type GlobalOptions } from '../context.js';

interface Running {
  config: LoadedSettings;
  bridge: Bridge;
  scheduler: Scheduler;
}

export async function daemonCommand(g: GlobalOptions, o: { once?: boolean }): Promise<number> {
  const config = loadSettingsOrThrow(g.config);
  // journald reads stdout; the daemon prints nothing else there
  const logger = configuredLogger(config, { level: g.logLevel, stream: process.stdout });
  let current: Running | undefined;

  const metrics = new BridgeMetrics({
    ledger: () => current?.bridge.ledger,
    breaker: () => current?.bridge.breaker,
    destination: () => current?.config.settings.destination.name ?? config.settings.destination.name,
  }, await loadSlaSetup(config.dir, config.settings.sla, (w) => logger.warn(w)));

  const start = async (cfg: LoadedSettings): Promise<Running> => {
    const bridge = await openBridge(cfg, { logger });
    const follow = cfg.settings.follow;
    const scheduler = new Scheduler(
      bridge,
      { deliverySchedule: cfg.settings.daemon.delivery_schedule, fullRescanSchedule: cfg.settings.daemon.full_rescan_schedule, followSchedule: follow.enabled ? follow.schedule : false },
      metrics,
    );
    scheduler.start();
    logger.info('daemon running', { ledger: cfg.ledgerPath, sources: bridge.sources.map((s) => `${s.id} "${s.schedule}"`), delivery: cfg.settings.daemon.delivery_schedule, pid: process.pid });
    return { config: cfg, bridge, scheduler };
  };
  const stopRunning = async (r: Running): Promise<{ drained: boolean; sending: number }> => {
    const { drained } = await r.scheduler.stop(r.config.settings.daemon.shutdown_grace);
    const sending = r.bridge.ledger.recordsInState('sending', 1).length;
    await r.bridge.close();
    return { drained, sending };
  };

  current = await start(config);
  const http = config.settings.daemon.http;
  const server = http
    ? new BridgeHttpServer({
        host: http.host,
        port: http.port,
        metrics,
        readiness: {
          ledger: () => current?.bridge.ledger,
          destination: () => current?.config.settings.destination.name ?? 'lapor',
          sources: () => current?.bridge.sources.map((s) => s.id) ?? [],
          lastResult: (job) => current?.scheduler.lastResults.get(job),
        },
        // the dashboard is mounted when configured at start; a reload can rotate its token
        dashboard: config.settings.dashboard
          ? {
              ledgerPath: () => (current?.config ?? config).ledgerPath,
              token: () => (current?.config ?? config).settings.dashboard?.token.reveal(),
              lang: () => (current?.config ?? config).settings.dashboard?.lang ?? 'id',
              logger,
            }
          : undefined,
      })
    : undefined;
  if (config.settings.dashboard && !http) logger.warn('dashboard is configured but daemon.http is false: no dashboard (or run `sp4n-bridge dashboard`)');
  if (server) {
    const addr = await server.start();
    logger.info('http listening', { host: addr.host, port: addr.port, endpoints: ['/healthz', '/readyz', '/metrics', ...(config.settings.dashboard ? ['/dashboard'] : [])] });
  }

  // SIGHUP: validate the new configuration first; only a valid one replaces the running one
  let reloading = Promise.resolve();
  const onHup = () => {
    reloading = reloading.then(async () => {
      const next = loadSettings(g.config);
      if (!next.ok) {
        logger.error('configuration reload rejected; the running configuration is kept', { problems: next.problems.map(formatProblem) });
        return;
      }
      logger.info('reloading configuration');
      const old = current as Running;
      current = undefined;
      await stopRunning(old);
      try {
        current = await start(next.value);
      } catch (err) {
        logger.error('the new configuration could not start; going back to the previous one', { error: (err as Error).message });
        current = await start(old.config);
      }
    });
  };
  process.on('SIGHUP', onHup);

  const stopped = new Promise<string>((resolve) => {
    process.once('SIGTERM', () => resolve('SIGTERM'));
    process.once('SIGINT', () => resolve('SIGINT'));
  });
  // a first cycle right away, so a restart does not wait for the next tick
  const first = (async () => {
    const r = current as Running;
    for (const s of r.bridge.sources) await r.scheduler.runSource(s.id);
    await r.scheduler.runDelivery();
    if (r.config.settings.follow.enabled) await r.scheduler.runFollow();
  })();
  const signal = o.once ? await first.then(() => 'once') : await stopped;
  process.off('SIGHUP', onHup);
  await reloading;
  logger.info('stopping: no new work; waiting for sends in flight', { signal, grace_ms: current?.config.settings.daemon.shutdown_grace });
  const { drained, sending } = current ? await stopRunning(current) : { drained: true, sending: 0 };
  await server?.stop();
  logger.info('daemon stopped', { drained, sending_left: sending });
  await closeLogger(logger);
  return sending === 0 ? 0 : 1;
}
