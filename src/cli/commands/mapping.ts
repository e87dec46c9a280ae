/**
 * `mapping preview` and `mapping coverage`: tools for an integration officer mapping a source.
 * Both are read-only: they never open the ledger for writing (preview does not open it at all),
 * never save a cursor, never settle a batch at the source and never call LAPOR!.
 *
 * Exit codes: 0 when the tool ran — quarantined records are findings, shown and counted, not a
 * failure of the command (`preview --strict` makes them exit 1, for a CI check of a mapping
 * change); 1 when the source cannot be read or the configuration is invalid; 2 for usage errors.
 */
import path from 'node:path';
import { createSink } from '../../bridge.js';
import { buildCoverage, formatCoverage, ledgerOutcomes, observeRecord } from '../../ops/mapping-coverage.js';
import { collectRecords, formatPreview, locateSource, mappingFieldsOf, PreviewInputError, previewRecord, summarise, summaryLine, type PreviewReport } from '../../ops/mapping-preview.js';
import { loadSettingsOrThrow, type LoadedSettings, type LoadedSource } from '../../settings/load-settings.js';
import { closeLogger } from '../../util/logger.js';
import { configuredLogger, ledgerPathFrom, type GlobalOptions } from '../context.js';
import { print, printJson, UsageError } from '../output.js';
import { parseSince } from './sync.js';

export interface MappingPreviewOptions {
  readonly source: string;
  readonly input?: string;
  readonly limit?: string;
  readonly since?: string;
  readonly full?: boolean;
  readonly strict?: boolean;
}

export interface MappingCoverageOptions {
  readonly source: string;
  readonly input?: string;
  readonly limit?: string;
  readonly since?: string;
  readonly fromLedger?: boolean;
  readonly ledger?: string;
}

function parseLimit(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\d+$/.test(text.trim()) || Number(text) < 1) throw new UsageError(`--limit: "${text}" is not a whole number of records (1 or more)`);
  return Number(text);
}

function findSource(config: LoadedSettings, id: string): LoadedSource {
  const s = config.sources.find((x) => x.id === id);
  if (!s) throw new UsageError(`no source "${id}" in ${path.join(path.dirname(config.file), config.settings.sources_dir)}; configured: ${config.sources.map((x) => x.id).join(', ') || 'none'}`);
  return s;
}

/** Collects records with input problems turned into usage errors (exit 2). */
async function collect(g: GlobalOptions, config: LoadedSettings, source: LoadedSource, o: { input?: string; limit?: number; since?: Date }) {
  const logger = configuredLogger(config, { level: g.logLevel ?? 'warn', stream: process.stderr });
  try {
    return await collectRecords(source, { input: o.input, limit: o.limit, since: o.since, logger });
  } catch (err) {
    if (err instanceof PreviewInputError) throw new UsageError(err.message);
    throw err;
  } finally {
    await closeLogger(logger);
  }
}

export async function mappingPreview(g: GlobalOptions, o: MappingPreviewOptions): Promise<number> {
  if (o.input !== undefined && o.since !== undefined) throw new UsageError('--since applies to the live source; it cannot be combined with --input');
  const limit = parseLimit(o.limit);
  const since = parseSince(o.since);
  const config = loadSettingsOrThrow(g.config);
  const source = findSource(config, o.source);
  const collected = await collect(g, config, source, { input: o.input, limit: o.input === undefined ? (limit ?? 5) : limit, since });

  // the sink only renders here: nothing is sent, and it is closed right after
  const sink = createSink(config);
  let report: PreviewReport;
  try {
    const fields = mappingFieldsOf(source.file);
    const records = collected.records.map((rec) => previewRecord(rec, { sourceId: source.id, mapping: source.mapping, sink, fields }));
    report = {
      source: source.id,
      origin: collected.origin,
      ...(collected.inputFile ? { input_file: collected.inputFile } : {}),
      limit_reached: collected.limitReached,
      dialect: sink.dialect,
      mapping_version: source.mapping.version,
      summary: summarise(records),
      records,
    };
  } finally {
    await sink.close();
  }

  if (g.json) printJson(report);
  else print(formatPreview(report, { full: o.full }));
  if (!g.json && report.summary.quarantined > 0 && o.strict) process.stderr.write(`sp4n-bridge: ${summaryLine(report.summary)}\n`);
  return o.strict && report.summary.quarantined > 0 ? 1 : 0;
}

export async function mappingCoverage(g: GlobalOptions, o: MappingCoverageOptions): Promise<number> {
  if (o.fromLedger) {
    if (o.input !== undefined || o.limit !== undefined || o.since !== undefined) throw new UsageError('--from-ledger counts what the ledger holds; it cannot be combined with --input, --limit or --since');
    // an auditor may run this without the LAPOR! tokens: bridge.yaml is read without resolving secrets
    const ledger = ledgerPathFrom(g, o.ledger);
    const where = locateSource(g.config, o.source);
    let outcomes;
    try {
      outcomes = ledgerOutcomes(ledger, o.source);
    } catch (err) {
      if (/^no ledger at /.test((err as Error).message)) throw new UsageError((err as Error).message);
      throw err;
    }
    const report = buildCoverage(outcomes, { source: o.source, origin: 'ledger', ledger, fields: where.file ? mappingFieldsOf(where.file) : undefined, lookupsDir: where.lookupsDir });
    if (g.json) printJson(report);
    else print(outcomes.length === 0 ? `the ledger ${ledger} has no records of source ${o.source}` : formatCoverage(report));
    return 0;
  }
  if (o.ledger !== undefined) throw new UsageError('--ledger applies with --from-ledger');
  if (o.input !== undefined && o.since !== undefined) throw new UsageError('--since applies to the live source; it cannot be combined with --input');
  const limit = parseLimit(o.limit);
  const since = parseSince(o.since);
  const config = loadSettingsOrThrow(g.config);
  const source = findSource(config, o.source);
  const collected = await collect(g, config, source, { input: o.input, limit: o.input === undefined ? (limit ?? 1000) : limit, since });
  const outcomes = collected.records.map((rec) => observeRecord(rec, source.mapping));
  const report = buildCoverage(outcomes, {
    source: source.id,
    origin: collected.origin,
    ...(collected.inputFile ? { input_file: collected.inputFile } : {}),
    mapping_version: source.mapping.version,
    limit_reached: collected.limitReached,
    fields: mappingFieldsOf(source.file),
    lookupsDir: config.lookupsDir,
  });
  if (g.json) printJson(report);
  else print(formatCoverage(report));
  return 0;
}
