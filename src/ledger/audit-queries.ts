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
    parts.push('r.received_at >= @from');
    params.from = f.from;
  }
  if (f.to) {
    parts.push('r.received_at < @to');
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
