/**
 * Queries for auditors (`ledger export`, `ledger report`, `ledger show`): records, attempts,
 * events, LAPOR! statuses and follow-ups, and write-backs as flat rows, filtered by source,
 * state, period and agency. Personal data (reporter name, phone, e-mail) is left out unless
 * asked for; the NIK is never there in clear (the ledger only has its keyed hash). The
 * follow-through tables hold no personal data: the raw LAPOR! reply (`raw_json`) is not exported,
 * the agencies' follow-up text is.
 */
import type Database from 'better-sqlite3';
import type { SlaSetup } from '../sla/sla-setup.js';
import { slaReport, slaStages, type SlaCounts } from './sla-report.js';

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

export type AuditTable = 'records' | 'attempts' | 'events' | 'statuses' | 'write_backs';
export const auditTables: readonly AuditTable[] = ['records', 'attempts', 'events', 'statuses', 'write_backs'];

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
  } else if (table === 'statuses') {
    sql = `SELECT s.id, r.source_id || '/' || r.external_id AS ref, s.lapor_id, s.kind, s.observed_at, s.occurred_at, s.status_name, s.status_code, s.stage,
                  s.disposition_id, s.disposition_name, s.followup_id, s.institution_name, s.own, s.content
           FROM statuses s JOIN records r ON r.id = s.record_id LEFT JOIN record_versions v ON v.record_id = r.id AND v.version = r.version ${w.sql} ORDER BY s.id`;
  } else if (table === 'write_backs') {
    sql = `SELECT b.id, r.source_id || '/' || r.external_id AS ref, b.status_id, s.kind, b.source_id AS source, b.state, b.status_text, b.note, b.attempt_count AS attempts,
                  b.created_at, b.sent_at, b.next_attempt_at, b.first_failed_at, b.last_error
           FROM write_backs b JOIN records r ON r.id = b.record_id JOIN statuses s ON s.id = b.status_id LEFT JOIN record_versions v ON v.record_id = r.id AND v.version = r.version ${w.sql} ORDER BY b.id`;
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
    if (table === 'statuses') row.own = !!row.own;
    yield row;
  }
}

export function auditColumns(table: AuditTable, includePersonal: boolean): string[] {
  if (table === 'records') {
    const cols = ['ref', 'source', 'external_id', 'ticket', 'state', 'lapor_id', 'version', 'sent_version', 'attempts', 'warnings', 'received_at', 'first_seen_at', 'delivered_at', 'next_attempt_at', 'last_error', 'quarantine_reason', 'title', 'category', 'region_code', 'agency', 'is_anonymous', 'is_secret'];
    return includePersonal ? [...cols, ...PERSONAL_COLUMNS] : cols;
  }
  if (table === 'attempts') return ['ref', 'at', 'operation', 'version', 'idempotency_key', 'http_status', 'outcome', 'latency_ms', 'error'];
  if (table === 'statuses') return ['id', 'ref', 'lapor_id', 'kind', 'observed_at', 'occurred_at', 'status_name', 'status_code', 'stage', 'disposition_id', 'disposition_name', 'followup_id', 'institution_name', 'own', 'content'];
  if (table === 'write_backs') return ['id', 'ref', 'status_id', 'kind', 'source', 'state', 'status_text', 'note', 'attempts', 'created_at', 'sent_at', 'next_attempt_at', 'first_failed_at', 'last_error'];
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
  /**
   * From the complaint's time at the source (or, without one, the bridge first seeing it) to the
   * agency's first follow-up at LAPOR! (never one the bridge posted itself).
   */
  receipt_to_first_followup: LatencyStats;
  /** SLA breaches now (or as of the report's time); null when no SLA rules were given. */
  sla: SlaBreaches | null;
}

/** `ledger report`'s SLA summary: the same numbers as `ledger report --sla` for the same period. */
export interface SlaBreaches {
  as_of: string;
  /** Complaints followed at LAPOR! submitted in the period. */
  followed: number;
  overdue: number;
  at_risk: number;
  by_stage: Record<string, SlaCounts>;
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

/**
 * Counts by source and category, delivery and first-follow-up latency, for records received in
 * [from, to); with `sla`, the SLA breaches as of `sla.asOf` among complaints submitted to LAPOR!
 * in the period (the period of `ledger report --sla`).
 */
export function ledgerReport(db: Database.Database, period: { from?: string; to?: string }, sla?: { setup: SlaSetup; asOf: Date }): LedgerReport {
  const rows = db
    .prepare(
      `SELECT r.source_id AS source, coalesce(json_extract(v.canonical_json, '$.category.source_code'), '(none)') AS category,
              r.state, r.received_at, r.first_seen_at, r.delivered_at, f.first_followup_at
       FROM records r LEFT JOIN record_versions v ON v.record_id = r.id AND v.version = r.version LEFT JOIN follow f ON f.record_id = r.id
       WHERE ${period.from ? 'julianday(coalesce(r.received_at, r.first_seen_at)) >= julianday(@from)' : '1'}
         AND ${period.to ? 'julianday(coalesce(r.received_at, r.first_seen_at)) < julianday(@to)' : '1'}`,
    )
    // the conditions are written out only when used, so the index on the period expression serves them
    .all({ ...(period.from ? { from: period.from } : {}), ...(period.to ? { to: period.to } : {}) }) as { source: string; category: string; state: string; received_at: string | null; first_seen_at: string; delivered_at: string | null; first_followup_at: string | null }[];
  const groups = new Map<string, ReportGroup>();
  const totals = { received: 0, delivered: 0, rejected: 0, quarantined: 0, undelivered: 0, other: 0 };
  const receipt: number[] = [];
  const seen: number[] = [];
  const followup: number[] = [];
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
    if (r.first_followup_at) followup.push((Date.parse(r.first_followup_at) - Date.parse(r.received_at ?? r.first_seen_at)) / 3_600_000);
  }
  let breaches: SlaBreaches | null = null;
  if (sla) {
    const s = slaReport(db, sla.setup, { asOf: sla.asOf, from: period.from, to: period.to });
    breaches = {
      as_of: s.as_of,
      followed: s.totals.followed,
      overdue: s.totals.overdue,
      at_risk: s.totals.at_risk,
      by_stage: Object.fromEntries(slaStages.filter((st) => st !== 'done').map((st) => [st, s.by_stage[st]])),
    };
  }
  return {
    period: { from: period.from ?? null, to: period.to ?? null },
    groups: [...groups.values()].sort((a, b) => a.source.localeCompare(b.source) || b.received - a.received),
    totals,
    receipt_to_delivery: stats(receipt),
    seen_to_delivery: stats(seen),
    receipt_to_first_followup: stats(followup),
    sla: breaches,
  };
}

export interface FollowRow {
  lapor_id: string;
  status_name: string | null;
  status_code: number | null;
  stage: string;
  disposition_id: string | null;
  disposition_name: string | null;
  submitted_at: string;
  verified_at: string | null;
  disposed_at: string | null;
  first_followup_at: string | null;
  last_followup_at: string | null;
  closed_at: string | null;
  followup_count: number;
  final: number;
  last_checked_at: string | null;
  next_check_at: string | null;
  last_error: string | null;
}

export interface StatusRow {
  id: number;
  kind: 'status' | 'followup' | string;
  lapor_id: string;
  observed_at: string;
  occurred_at: string | null;
  status_name: string | null;
  status_code: number | null;
  stage: string | null;
  disposition_id: string | null;
  disposition_name: string | null;
  followup_id: string | null;
  institution_name: string | null;
  content: string | null;
  own: number;
}

export interface WriteBackRow {
  id: number;
  status_id: number;
  kind: string;
  source_id: string;
  state: string;
  status_text: string;
  note: string;
  attempt_count: number;
  next_attempt_at: string | null;
  first_failed_at: string | null;
  last_error: string | null;
  created_at: string;
  sent_at: string | null;
}

export interface FollowThrough {
  follow: FollowRow | null;
  statuses: StatusRow[];
  write_backs: WriteBackRow[];
}

/** What LAPOR! did with one record (its follow row, status and follow-up history) and what went back to the source. */
export function followThrough(db: Database.Database, recordId: number): FollowThrough {
  return db.transaction(
    (): FollowThrough => ({
      follow:
        (db
          .prepare(
            `SELECT lapor_id, status_name, status_code, stage, disposition_id, disposition_name, submitted_at, verified_at, disposed_at, first_followup_at,
                    last_followup_at, closed_at, followup_count, final, last_checked_at, next_check_at, last_error
             FROM follow WHERE record_id = ?`,
          )
          .get(recordId) as FollowRow | undefined) ?? null,
      statuses: db
        .prepare(
          `SELECT id, kind, lapor_id, observed_at, occurred_at, status_name, status_code, stage, disposition_id, disposition_name, followup_id, institution_name, content, own
           FROM statuses WHERE record_id = ? ORDER BY id`,
        )
        .all(recordId) as StatusRow[],
      write_backs: db
        .prepare(
          `SELECT b.id, b.status_id, s.kind, b.source_id, b.state, b.status_text, b.note, b.attempt_count, b.next_attempt_at, b.first_failed_at, b.last_error, b.created_at, b.sent_at
           FROM write_backs b JOIN statuses s ON s.id = b.status_id WHERE b.record_id = ? ORDER BY b.id`,
        )
        .all(recordId) as WriteBackRow[],
    }),
  ).deferred();
}

/** When a history entry happened: LAPOR!'s own time when it gave one, else when the bridge saw it. */
export function statusTime(s: Pick<StatusRow, 'occurred_at' | 'observed_at'>): string {
  return s.occurred_at ?? s.observed_at;
}

/** When a write-back last moved: sent, else created. */
export function writeBackTime(b: Pick<WriteBackRow, 'sent_at' | 'created_at'>): string {
  return b.sent_at ?? b.created_at;
}
