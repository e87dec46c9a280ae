/**
 * `dashboard`: the read-only audit dashboard on its own, for auditors, without the daemon.
 *
 * It needs only `ledger.path` and `dashboard.token` from bridge.yaml — the rest of the
 * configuration (LAPOR! tokens, sources) is neither validated nor resolved, so it runs on a
 * machine that holds the ledger and the dashboard token but no delivery secrets. SIGHUP reads
 * the token again (rotation). With `--json` it prints one line once listening.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { DashboardServer } from '../../server/dashboard/dashboard.js';
import { isLang, type Lang } from '../../server/dashboard/i18n.js';
import { ReadOnlyLedger } from '../../server/dashboard/queries.js';
import { resolveSecretRef, Secret, setSecretBaseDir } from '../../settings/secrets.js';
import { closeLogger } from '../../util/logger.js';
import { ledgerPathFrom, makeLogger, type GlobalOptions } from '../context.js';
import { print, UsageError } from '../output.js';
import { slaSetupFor } from './ledger.js';

export interface DashboardCommandOptions {
  readonly port: string;
  readonly host: string;
  readonly ledger?: string;
}

interface DashboardSection {
  token: string;
  lang: Lang;
}

/** `dashboard.token` (still a `${...}` reference) and `dashboard.lang` from bridge.yaml, nothing else. */
function dashboardSection(configFile: string): DashboardSection {
  const file = path.resolve(configFile);
  let doc: unknown;
  try {
    doc = parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    throw new UsageError(`cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}); pass --config`);
  }
  const d = (doc as { dashboard?: { token?: unknown; lang?: unknown } } | null)?.dashboard;
  if (!d || typeof d.token !== 'string') {
    throw new UsageError(`${file} has no dashboard.token; add e.g.\n  dashboard:\n    token: \${file:/etc/sp4n-bridge/dashboard-token}\n(see docs/dashboard.md)`);
  }
  if (d.lang !== undefined && !isLang(d.lang)) throw new UsageError(`${file}: dashboard.lang must be id or en`);
  return { token: d.token, lang: (d.lang as Lang | undefined) ?? 'id' };
}

function resolveToken(configFile: string, ref: string): Secret {
  setSecretBaseDir(path.dirname(path.resolve(configFile)));
  const r = resolveSecretRef(ref);
  if (!r.ok) throw new UsageError(`cannot resolve the dashboard token (${r.message})`);
  // a Secret registers its value with the log redactor
  return new Secret(r.value, ref.trim());
}

export async function dashboardCommand(g: GlobalOptions, o: DashboardCommandOptions): Promise<number> {
  const port = Number(o.port);
  if (!/^\d+$/.test(o.port) || port > 65535) throw new UsageError(`--port: a whole number from 0 to 65535, not "${o.port}"`);
  const section = dashboardSection(g.config);
  let token = resolveToken(g.config, section.token);
  const ledgerPath = ledgerPathFrom(g, o.ledger);
  // fail now, with the reason, rather than on the first page
  try {
    ReadOnlyLedger.open(ledgerPath).close();
  } catch (err) {
    throw new UsageError(`${(err as Error).message}; pass --ledger <file> or --config`);
  }

  const logger = makeLogger(g);
  // the configured SLA rules and calendar (LAPOR!'s defaults when the config has none)
  const sla = await slaSetupFor(g);
  const server = new DashboardServer({ host: o.host, port, ledgerPath: () => ledgerPath, token: () => token.reveal(), lang: () => section.lang, logger, sla: () => sla });
  const addr = await server.start();
  if (g.json) process.stdout.write(`${JSON.stringify({ dashboard: addr.url, host: addr.host, port: addr.port, ledger: ledgerPath, pid: process.pid })}\n`);
  else {
    print(`audit dashboard (read-only) on ${addr.url}`);
    print(`  ledger: ${ledgerPath}`);
    print(`  log in with the token from ${token.ref}; Ctrl-C to stop`);
  }

  const onHup = () => {
    try {
      token = resolveToken(g.config, dashboardSection(g.config).token);
      logger.info('dashboard token reloaded');
    } catch (err) {
      logger.error('dashboard token reload failed; the current token is kept', { error: (err as Error).message });
    }
  };
  process.on('SIGHUP', onHup);
  await new Promise<void>((resolve) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  process.off('SIGHUP', onHup);
  await server.stop();
  await closeLogger(logger);
  return 0;
}
