/** What every command gets: global options, a logger, and ways to open settings and the ledger. */
import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import type { Logger } from 'winston';
import type { LoadedSettings } from '../settings/load-settings.js';
import { SqliteLedger } from '../ledger/sqlite-ledger.js';
import { createLogger } from '../util/logger.js';
import { UsageError } from './output.js';

export interface GlobalOptions {
  readonly config: string;
  readonly json?: boolean;
  readonly logLevel?: string;
}

export const DEFAULT_CONFIG = 'config/bridge.yaml';

export function makeLogger(g: GlobalOptions, fallbackLevel = 'info'): Logger {
  return createLogger({ level: g.logLevel ?? fallbackLevel });
}

/**
 * The logger a configured command uses: level and optional rotated file from `logging`, lines to
 * `stream` (stdout for the daemon, which journald reads; stderr for one-shot commands, whose
 * stdout carries results).
 */
export function configuredLogger(config: LoadedSettings, options: { level?: string; stream: NodeJS.WritableStream }): Logger {
  const file = config.settings.logging.file;
  return createLogger({
    level: options.level ?? config.settings.logging.level,
    stream: options.stream,
    file: file ? { dir: path.resolve(config.dir, file.dir), retentionDays: file.retention_days } : undefined,
  });
}

/**
 * The ledger path from bridge.yaml without resolving secrets, so an auditor can query the
 * ledger without holding the LAPOR! tokens. `--ledger` overrides.
 */
export function ledgerPathFrom(g: GlobalOptions, override?: string): string {
  if (override) return path.resolve(override);
  const file = path.resolve(g.config);
  let doc: unknown;
  try {
    doc = parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    throw new UsageError(`cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}); pass --config or --ledger`);
  }
  const p = (doc as { ledger?: { path?: unknown } } | null)?.ledger?.path;
  return path.resolve(path.dirname(file), typeof p === 'string' ? p : '../data/ledger.sqlite');
}

function readBridgeYaml(g: GlobalOptions): unknown {
  const file = path.resolve(g.config);
  try {
    return parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    throw new UsageError(`cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}); pass --config`);
  }
}

/** The destination's ledger name (`destination.name`, default `lapor`), without resolving secrets. */
export function destinationNameFrom(g: GlobalOptions): string {
  const name = (readBridgeYaml(g) as { destination?: { name?: unknown } } | null)?.destination?.name;
  return typeof name === 'string' ? name : 'lapor';
}

/**
 * Opens the ledger without the writer lock: for queries, and for operator actions, which are
 * single state-machine-checked transactions and safe beside a running daemon.
 */
export function openLedgerReadable(g: GlobalOptions, override?: string): SqliteLedger {
  const file = ledgerPathFrom(g, override);
  if (!fs.existsSync(file)) throw new UsageError(`no ledger at ${file}; run a sync first or pass --ledger <file>`);
  return SqliteLedger.open(file);
}
