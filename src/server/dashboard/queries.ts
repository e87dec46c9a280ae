/**
 * The dashboard's view of the ledger, read-only by construction: its own better-sqlite3
 * connection opened with `readonly: true` (SQLite refuses every write on it) and
 * `PRAGMA query_only`, never `SqliteLedger.open` (which creates the file and migrates).
 * Only SELECTs live here.
 */
import fs from 'node:fs';
import Database from 'better-sqlite3';
import { followThrough, type FollowThrough } from '../../ledger/audit-queries.js';
import type { EventRow, RecordRow } from '../../ledger/ledger.js';
import { LATEST_VERSION } from '../../ledger/migrations/index.js';
import { slaReport, type SlaReport, type SlaReportOptions } from '../../ledger/sla-report.js';
import type { RecordVersionRow } from '../../ledger/sqlite-ledger.js';
import type { SlaSetup } from '../../sla/sla-setup.js';

export const UNDELIVERED_STATES = ['pending', 'sending', 'retry_wait', 'in_doubt', 'needs_review'] as const;
export const FAILURE_STATES = ['rejected', 'dead', 'retry_wait', 'quarantined', 'in_doubt', 'needs_review'] as const;

export class DashboardLedgerError extends Error {}

export interface RunRow {
  id: number;
  kind: string;
  source_id: string | null;
  started_at: string;
  finished_at: string | null;
  status: string;
  counts_json: string | null;
  error: string | null;
}

export interface PauseRow {
  name: string;
  paused: number;
  pause_reason: string | null;
  paused_at: string | null;
}

export interface SourceRow extends PauseRow {
  kind: string;
  mapping_version: string | null;
  cursor_at: string | null;
}

export interface Overview {
  counts: Record<string, number>;
  total: number;
  warnings: number;
  oldestUndelivered: string | null;
  destinations: PauseRow[];
  sources: SourceRow[];
  lastRuns: RunRow[];
  failedRuns: RunRow[];
  head: { id: number; hash: string } | null;
  schemaVersion: number;
}

export interface AttemptRow {
  at: string;
  operation: string;
  version: number;
  idempotency_key: string | null;
  http_status: number | null;
  outcome: string;
  latency_ms: number;
  error: string | null;
}

export class ReadOnlyLedger {
  private constructor(
    readonly path: string,
    readonly db: Database.Database,
  ) {}

  static open(file: string): ReadOnlyLedger {
    if (!fs.existsSync(file)) throw new DashboardLedgerError(`no ledger at ${file} (the bridge creates it on its first sync)`);
    const db = new Database(file, { readonly: true, fileMustExist: true });
    try {
      db.pragma('query_only = ON');
      db.pragma('busy_timeout = 5000');
      const version = db.pragma('user_version', { simple: true }) as number;
      if (version === 0) throw new DashboardLedgerError(`${file} is not an SP4N Bridge ledger (no schema)`);
      if (version < LATEST_VERSION) throw new DashboardLedgerError(`${file} has schema v${version}, older than this bridge (v${LATEST_VERSION}); run any ledger command once (e.g. \`sp4n-bridge ledger status\`) to upgrade it`);
    } catch (err) {
      db.close();
      throw err;
    }
    return new ReadOnlyLedger(file, db);
  }

  close(): void {
    if (this.db.open) this.db.close();
  }

  private all<T>(sql: string, ...params: unknown[]): T[] {
    return this.db.prepare(sql).all(...params) as T[];
  }

  private get<T>(sql: string, ...params: unknown[]): T | undefined {
    return this.db.prepare(sql).get(...params) as T | undefined;
  }

  schemaVersion(): number {
    return this.db.pragma('user_version', { simple: true }) as number;
  }

  /** Everything on the overview page, read in one transaction (one consistent snapshot). */
  overview(): Overview {
    return this.db.transaction((): Overview => {
      const counts = Object.fromEntries(this.all<{ state: string; n: number }>('SELECT state, count(*) AS n FROM records GROUP BY state ORDER BY state').map((r) => [r.state, r.n]));
      return {
        counts,
        total: Object.values(counts).reduce((a, b) => a + b, 0),
        warnings: (this.get<{ n: number }>('SELECT coalesce(sum(warning_count), 0) AS n FROM records') as { n: number }).n,
        oldestUndelivered: this.get<{ t: string | null }>(`SELECT min(first_seen_at) AS t FROM records WHERE state IN (${UNDELIVERED_STATES.map(() => '?').join(',')})`, ...UNDELIVERED_STATES)?.t ?? null,
        destinations: this.all<PauseRow>('SELECT name, paused, pause_reason, paused_at FROM destinations ORDER BY name'),
        sources: this.all<SourceRow>(
          'SELECT s.id AS name, s.kind, s.paused, s.pause_reason, s.paused_at, s.mapping_version, c.updated_at AS cursor_at FROM sources s LEFT JOIN cursors c ON c.source_id = s.id ORDER BY s.id',
        ),
        lastRuns: this.all<RunRow>('SELECT * FROM runs ORDER BY id DESC LIMIT 10'),
        // the latest finished run of each kind and source, where it failed
        failedRuns: this.all<RunRow>(
          "SELECT * FROM runs WHERE id IN (SELECT max(id) FROM runs WHERE finished_at IS NOT NULL GROUP BY kind, coalesce(source_id, '')) AND status = 'failed' ORDER BY id",
        ),
        head: this.head(),
        schemaVersion: this.schemaVersion(),
      };
    }).deferred();
  }

  head(): { id: number; hash: string } | null {
    return this.get<{ id: number; hash: string }>('SELECT id, hash FROM events ORDER BY id DESC LIMIT 1') ?? null;
  }

  /**
   * Records matching a reference of any kind: `source/external_id`, LAPOR! id (also an earlier
   * one superseded by a forced resend), source ticket (any case), external id in any source,
   * idempotency key, or ledger row number.
   */
  search(q: string, limit = 50): RecordRow[] {
    const ref = q.trim();
    if (!ref) return [];
    const slash = ref.indexOf('/');
    const source = slash > 0 ? ref.slice(0, slash) : null;
    const external = slash > 0 ? ref.slice(slash + 1) : null;
    const rowId = /^\d{1,15}$/.test(ref) ? Number(ref) : null;
    return this.all<RecordRow>(
      `SELECT * FROM records WHERE id IN (
         SELECT id FROM records WHERE source_id = @source AND external_id = @external
         UNION SELECT id FROM records WHERE lapor_id = @ref
         UNION SELECT id FROM records WHERE ticket = @ref COLLATE NOCASE
         UNION SELECT id FROM records WHERE external_id = @ref
         UNION SELECT id FROM records WHERE idempotency_key = @ref
         UNION SELECT id FROM records WHERE id = @rowId
         UNION SELECT record_id FROM events WHERE type = 'operator_resend_forced' AND json_extract(data_json, '$.previous_lapor_id') = @ref
       ) ORDER BY id LIMIT @limit`,
      { source, external, ref, rowId, limit },
    );
  }

  /** One record by the reference its timeline URL carries (the same order as `ledger show`). */
  findRecord(ref: string): RecordRow | undefined {
    const slash = ref.indexOf('/');
    if (slash > 0) {
      const hit = this.get<RecordRow>('SELECT * FROM records WHERE source_id = ? AND external_id = ?', ref.slice(0, slash), ref.slice(slash + 1));
      if (hit) return hit;
    }
    return (
      this.get<RecordRow>('SELECT * FROM records WHERE lapor_id = ? OR ticket = ? ORDER BY id LIMIT 1', ref, ref) ??
      (/^\d{1,15}$/.test(ref) ? this.get<RecordRow>('SELECT * FROM records WHERE id = ?', Number(ref)) : undefined)
    );
  }

  timeline(recordId: number): { versions: RecordVersionRow[]; attempts: AttemptRow[]; events: EventRow[]; previousLaporIds: string[] } {
    return this.db.transaction(() => ({
      versions: this.all<RecordVersionRow>('SELECT * FROM record_versions WHERE record_id = ? ORDER BY version', recordId),
      attempts: this.all<AttemptRow>('SELECT at, operation, version, idempotency_key, http_status, outcome, latency_ms, error FROM attempts WHERE record_id = ? ORDER BY id', recordId),
      events: this.all<EventRow>('SELECT * FROM events WHERE record_id = ? ORDER BY id', recordId),
      previousLaporIds: this.all<{ id: string | null }>("SELECT json_extract(data_json, '$.previous_lapor_id') AS id FROM events WHERE record_id = ? AND type = 'operator_resend_forced'", recordId)
        .map((r) => r.id)
        .filter((id): id is string => !!id),
    })).deferred();
  }

  /** What LAPOR! did with one record: follow row, statuses and follow-ups, write-backs. */
  followThrough(recordId: number): FollowThrough {
    return followThrough(this.db, recordId);
  }

  /** The SLA report (the numbers of `ledger report --sla`), read in one snapshot. */
  sla(setup: SlaSetup, o: SlaReportOptions): SlaReport {
    return this.db.transaction(() => slaReport(this.db, setup, o)).deferred();
  }

  /** A page of records (newest first) in the given states (all states when empty), with their titles. */
  listRecords(f: { states: readonly string[]; sourceId?: string; limit: number; offset: number }): { total: number; rows: (RecordRow & { title: string | null })[] } {
    const stateSql = f.states.length ? `r.state IN (${f.states.map(() => '?').join(',')})` : '1';
    const params = [...f.states, f.sourceId ?? null, f.sourceId ?? null];
    return this.db.transaction(() => ({
      total: (this.get<{ n: number }>(`SELECT count(*) AS n FROM records r WHERE ${stateSql} AND (? IS NULL OR r.source_id = ?)`, ...params) as { n: number }).n,
      rows: this.all<RecordRow & { title: string | null }>(
        `SELECT r.*, json_extract(v.canonical_json, '$.title') AS title
         FROM records r LEFT JOIN record_versions v ON v.record_id = r.id AND v.version = r.version
         WHERE ${stateSql} AND (? IS NULL OR r.source_id = ?) ORDER BY r.id DESC LIMIT ? OFFSET ?`,
        ...params,
        f.limit,
        f.offset,
      ),
    })).deferred();
  }

  countsInStates(states: readonly string[]): Record<string, number> {
    const rows = this.all<{ state: string; n: number }>(`SELECT state, count(*) AS n FROM records WHERE state IN (${states.map(() => '?').join(',')}) GROUP BY state`, ...states);
    return Object.fromEntries(states.map((s) => [s, rows.find((r) => r.state === s)?.n ?? 0]));
  }

  runs(limit: number, offset: number): { total: number; rows: RunRow[] } {
    return this.db.transaction(() => ({
      total: (this.get<{ n: number }>('SELECT count(*) AS n FROM runs') as { n: number }).n,
      rows: this.all<RunRow>('SELECT * FROM runs ORDER BY id DESC LIMIT ? OFFSET ?', limit, offset),
    })).deferred();
  }
}
