/**
 * Queries for auditors (`ledger export`): records, attempts and events as flat rows, filtered by
 * source, state, period and agency. Personal data (reporter name, phone, e-mail) is left out
 * unless asked for; the NIK is never there in clear (the ledger only has its keyed hash).
 */
import type Database from 'better-sqlite3';

export interface AuditFilter {
  readonly sourceId?: string;
  readonly state?: string;
  /** ISO date/time: records received (source time) at or after. */
  readonly from?: string;
  /** ISO date/time: records received before. */
  readonly to?: string;
  /** LAPOR! institution id or the source's agency code. */
  readonly agency?: string;
  readonly includePersonal?: boolean;
}

export type AuditTable = 'records' | 'attempts' | 'events';
export const auditTables: readonly AuditTable[] = ['records', 'attempts', 'events'];

function where(f: AuditFilter): { sql: string; params: Record<string, unknown> } {
  const parts: string[] = [];
  const params: Record<string, unknown> = {};
  if (f.sourceId) {
    parts.push('r.source_id = @source');
    params.source = f.sourceId;
  }
  if (f.state) {
    parts.push('r.state = @state');
    params.state = f.state;
  }
  if (f.from) {
    // julianday() compares instants, whatever offset each value was written with
    parts.push('julianday(r.received_at) >= julianday(@from)');
    params.from = f.from;
  }
  if (f.to) {
    parts.push('julianday(r.received_at) < julianday(@to)');
    params.to = f.to;
  }
  if (f.agency) {
    parts.push("(CAST(json_extract(v.canonical_json, '$.target_agency.lapor_institution_id') AS TEXT) = @agency OR json_extract(v.canonical_json, '$.target_agency.source_code') = @agency)");
    params.agency = f.agency;
  }
  return { sql: parts.length ? `WHERE ${parts.join(' AND ')}` : '', params };
}

const RECORDS_SELECT = `
  SELECT r.source_id || '/' || r.external_id AS ref, r.source_id AS source, r.external_id, r.ticket, r.state, r.lapor_id,
         r.version, r.sent_version, r.attempt_count AS attempts, r.warning_count AS warnings,
         r.received_at, r.first_seen_at, r.delivered_at, r.next_attempt_at, r.last_error, r.quarantine_reason,
         json_extract(v.canonical_json, '$.title') AS title,
         json_extract(v.canonical_json, '$.category.source_code') AS category,
         json_extract(v.canonical_json, '$.location.region_code') AS region_code,
         coalesce(CAST(json_extract(v.canonical_json, '$.target_agency.lapor_institution_id') AS TEXT), json_extract(v.canonical_json, '$.target_agency.source_code')) AS agency,
         json_extract(v.canonical_json, '$.is_anonymous') AS is_anonymous,
         json_extract(v.canonical_json, '$.is_secret') AS is_secret,
         json_extract(v.canonical_json, '$.reporter.name') AS reporter_name,
         json_extract(v.canonical_json, '$.reporter.phone') AS reporter_phone,
         json_extract(v.canonical_json, '$.reporter.email') AS reporter_email
  FROM records r LEFT JOIN record_versions v ON v.record_id = r.id AND v.version = r.version`;

const PERSONAL_COLUMNS = ['reporter_name', 'reporter_phone', 'reporter_email'];

export function* auditRows(db: Database.Database, table: AuditTable, f: AuditFilter): Generator<Record<string, unknown>> {
  const w = where(f);
  let sql: string;
  if (table === 'records') sql = `${RECORDS_SELECT} ${w.sql} ORDER BY r.id`;
  else if (table === 'attempts') {
    sql = `SELECT r.source_id || '/' || r.external_id AS ref, a.at, a.operation, a.version, a.idempotency_key, a.http_status, a.outcome, a.latency_ms, a.error
           FROM attempts a JOIN records r ON r.id = a.record_id LEFT JOIN record_versions v ON v.record_id = r.id AND v.version = r.version ${w.sql} ORDER BY a.id`;
  } else {
    // events of the selected records; without a record filter, every event (runs, pauses too)
    const filtered = w.sql !== '';
    sql = filtered
      ? `SELECT e.id, e.at, r.source_id || '/' || r.external_id AS ref, e.type, e.from_state, e.to_state, e.actor, e.reason, e.hash
         FROM events e JOIN records r ON r.id = e.record_id LEFT JOIN record_versions v ON v.record_id = r.id AND v.version = r.version ${w.sql} ORDER BY e.id`
      : `SELECT e.id, e.at, r.source_id || '/' || r.external_id AS ref, e.type, e.from_state, e.to_state, e.actor, e.reason, e.hash
         FROM events e LEFT JOIN records r ON r.id = e.record_id ORDER BY e.id`;
  }
  for (const row of db.prepare(sql).iterate(w.params) as IterableIterator<Record<string, unknown>>) {
    if (table === 'records') {
      if (!f.includePersonal) for (const c of PERSONAL_COLUMNS) delete row[c];
      row.is_anonymous = row.is_anonymous === null ? null : !!row.is_anonymous;
      row.is_secret = row.is_secret === null ? null : !!row.is_secret;
    }
    yield row;
  }
}

export function auditColumns(table: AuditTable, includePersonal: boolean): string[] {
  if (table === 'records') {
    const cols = ['ref', 'source', 'external_id', 'ticket', 'state', 'lapor_id', 'version', 'sent_version', 'attempts', 'warnings', 'received_at', 'first_seen_at', 'delivered_at', 'next_attempt_at', 'last_error', 'quarantine_reason', 'title', 'category', 'region_code', 'agency', 'is_anonymous', 'is_secret'];
    return includePersonal ? [...cols, ...PERSONAL_COLUMNS] : cols;
  }
  if (table === 'attempts') return ['ref', 'at', 'operation', 'version', 'idempotency_key', 'http_status', 'outcome', 'latency_ms', 'error'];
  return ['id', 'at', 'ref', 'type', 'from_state', 'to_state', 'actor', 'reason', 'hash'];
}

export interface ReportGroup {
  source: string;
  category: string;
  received: number;
  delivered: number;
  rejected: number;
  quarantined: number;
  /** Still owed: pending, sending, retry_wait, in_doubt, needs_review. */
  undelivered: number;
  other: number;
}

export interface LatencyStats {
  count: number;
  median_hours: number | null;
  p95_hours: number | null;
}

export interface LedgerReport {
  period: { from: string | null; to: string | null };
  groups: ReportGroup[];
  totals: Omit<ReportGroup, 'source' | 'category'>;
  /** From the complaint's own time at the source to its delivery at LAPOR!. */
  receipt_to_delivery: LatencyStats;
  /** From the bridge first seeing it to its delivery (the bridge's own share). */
  seen_to_delivery: LatencyStats;
}

function percentile(sorted: number[], p: number): number | null {
  if (sorted.length === 0) return null;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return Math.round((sorted[i] as number) * 100) / 100;
}

function stats(hours: number[]): LatencyStats {
  const sorted = hours.filter((h) => Number.isFinite(h) && h >= 0).sort((a, b) => a - b);
  return { count: sorted.length, median_hours: percentile(sorted, 50), p95_hours: percentile(sorted, 95) };
}

const UNDELIVERED = new Set(['pending', 'sending', 'retry_wait', 'in_doubt', 'needs_review']);

/** Counts by source and category, and delivery latency, for records received in [from, to). */
export function ledgerReport(db: Database.Database, period: { from?: string; to?: string }): LedgerReport {
  const rows = db
    .prepare(
      `SELECT r.source_id AS source, coalesce(json_extract(v.canonical_json, '$.category.source_code'), '(none)') AS category,
              r.state, r.received_at, r.first_seen_at, r.delivered_at
       FROM records r LEFT JOIN record_versions v ON v.record_id = r.id AND v.version = r.version
       WHERE (@from IS NULL OR julianday(coalesce(r.received_at, r.first_seen_at)) >= julianday(@from))
         AND (@to IS NULL OR julianday(coalesce(r.received_at, r.first_seen_at)) < julianday(@to))`,
    )
    .all({ from: period.from ?? null, to: period.to ?? null }) as { source: string; category: string; state: string; received_at: string | null; first_seen_at: string; delivered_at: string | null }[];
  const groups = new Map<string, ReportGroup>();
  const totals = { received: 0, delivered: 0, rejected: 0, quarantined: 0, undelivered: 0, other: 0 };
  const receipt: number[] = [];
  const seen: number[] = [];
  for (const r of rows) {
    const key = `${r.source}\u0000${r.category}`;
    const g = groups.get(key) ?? { source: r.source, category: r.category, received: 0, delivered: 0, rejected: 0, quarantined: 0, undelivered: 0, other: 0 };
    groups.set(key, g);
    const bucket = r.state === 'delivered' || r.state === 'update_pending' ? 'delivered' : r.state === 'rejected' || r.state === 'quarantined' ? r.state : UNDELIVERED.has(r.state) ? 'undelivered' : 'other';
    g.received++;
    g[bucket]++;
    totals.received++;
    totals[bucket]++;
    if (r.delivered_at) {
      const d = Date.parse(r.delivered_at);
      if (r.received_at) receipt.push((d - Date.parse(r.received_at)) / 3_600_000);
      seen.push((d - Date.parse(r.first_seen_at)) / 3_600_000);
    }
  }
  return {
    period: { from: period.from ?? null, to: period.to ?? null },
    groups: [...groups.values()].sort((a, b) => a.source.localeCompare(b.source) || b.received - a.received),
    totals,
    receipt_to_delivery: stats(receipt),
    seen_to_delivery: stats(seen),
  };
}
