/** `ledger status | list | show`: what the ledger says, for operators and auditors. */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { stringify } from 'csv-stringify/sync';
import { ledgerReport } from '../../ledger/audit-queries.js';
import { recordStates } from '../../ledger/record-state.js';
import { osUser } from '../../ledger/sqlite-ledger.js';
import { verifyLedger } from '../../ledger/verify-ledger.js';
import type { GlobalOptions } from '../context.js';
import { ledgerPathFrom, openLedgerReadable } from '../context.js';
import { formatTable, print, printJson, UsageError } from '../output.js';

export function ledgerStatus(g: GlobalOptions, o: { ledger?: string }): number {
  const ledger = openLedgerReadable(g, o.ledger);
  try {
    const records = ledger.countsByState();
    const oldest = ledger.oldestUndelivered();
    const status = {
      ledger: ledger.path,
      schema_version: ledger.schemaVersion(),
      records,
      in_doubt: records.in_doubt ?? 0,
      needs_review: records.needs_review ?? 0,
      warnings: ledger.warningTotal(),
      oldest_undelivered_since: oldest,
      oldest_undelivered_age_seconds: oldest ? Math.max(0, Math.round((Date.now() - Date.parse(oldest)) / 1000)) : null,
      destinations: (ledger.db.prepare('SELECT name, paused, pause_reason, paused_at FROM destinations').all() as Record<string, unknown>[]),
      last_runs: ledger.lastRuns(5).map((r) => ({ id: r.id, kind: r.kind, source: r.source_id, started_at: r.started_at, status: r.status, counts: r.counts_json ? JSON.parse(String(r.counts_json)) : null, error: r.error })),
    };
    if (g.json) {
      printJson(status);
      return 0;
    }
    print(`ledger: ${status.ledger} (schema v${status.schema_version})`);
    const total = Object.values(status.records).reduce((a, b) => a + b, 0);
    print(`records: ${total}`);
    print(formatTable(Object.entries(status.records).map(([state, count]) => ({ state, count }))));
    print(`warnings recorded: ${status.warnings}`);
    print(`in doubt: ${status.in_doubt}   needs review: ${status.needs_review}`);
    if (status.oldest_undelivered_since) print(`oldest undelivered record: ${formatAge(status.oldest_undelivered_age_seconds ?? 0)} old (first seen ${status.oldest_undelivered_since})`);
    else print('oldest undelivered record: none — everything received has been delivered or settled');
    for (const d of status.destinations) if (d.paused) print(`DESTINATION ${String(d.name)} PAUSED since ${String(d.paused_at)}: ${String(d.pause_reason)}`);
    const review = status.records.needs_review ?? 0;
    if (review) print(`${review} record(s) need review: sp4n-bridge ledger list --state needs_review`);
    print('\nlast runs:');
    print(formatTable(status.last_runs.map((r) => ({ ...r, counts: r.counts ? Object.entries(r.counts as Record<string, unknown>).filter(([, v]) => v).map(([k, v]) => `${k}=${String(v)}`).join(' ') : '' }))));
    return 0;
  } finally {
    ledger.close();
  }
}

export function formatAge(seconds: number): string {
  const d = Math.floor(seconds / 86400);
  const h = Math.floor((seconds % 86400) / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  return d ? `${d}d ${h}h` : h ? `${h}h ${m}m` : `${m}m ${seconds % 60}s`;
}

export function ledgerList(g: GlobalOptions, o: { ledger?: string; state?: string; source?: string; limit?: string }): number {
  if (o.state && !(recordStates as readonly string[]).includes(o.state)) throw new UsageError(`--state: unknown state "${o.state}"; one of ${recordStates.join(', ')}`);
  const limit = o.limit === undefined ? 100 : Number(o.limit);
  if (!Number.isInteger(limit) || limit < 1) throw new UsageError('--limit must be a positive integer');
  const ledger = openLedgerReadable(g, o.ledger);
  try {
    const rows = ledger.listRecords({ state: o.state, sourceId: o.source, limit }).map((r) => ({
      ref: `${r.source_id}/${r.external_id}`,
      ticket: r.ticket,
      state: r.state,
      lapor_id: r.lapor_id,
      version: r.version,
      attempts: r.attempt_count,
      warnings: r.warning_count,
      updated_at: r.updated_at,
      note: r.quarantine_reason ?? r.last_error,
    }));
    if (g.json) printJson(rows);
    else print(formatTable(rows));
    return 0;
  } finally {
    ledger.close();
  }
}

export function ledgerShow(g: GlobalOptions, ref: string, o: { ledger?: string }): number {
  const ledger = openLedgerReadable(g, o.ledger);
  try {
    const r = ledger.findByRef(ref);
    if (!r) {
      print(`no record matches "${ref}" (try source/external_id, a LAPOR! id or a ticket number)`);
      return 1;
    }
    const versions = ledger.versionsFor(r.id).map((v) => {
      const complaint = JSON.parse(v.canonical_json) as Record<string, unknown>;
      // the timeline is for audit; personal data stays out of it
      if (complaint.reporter) complaint.reporter = '[personal data hidden]';
      return { version: v.version, created_at: v.created_at, content_hash: v.content_hash, mapping_version: v.mapping_version, warnings: JSON.parse(v.warnings_json) as unknown, complaint };
    });
    const events = ledger.eventsFor(r.id).map((e) => ({ at: e.at, type: e.type, from: e.from_state, to: e.to_state, actor: e.actor, reason: e.reason, data: e.data_json ? (JSON.parse(e.data_json) as unknown) : undefined }));
    const attempts = ledger.attemptsFor(r.id);
    if (g.json) {
      printJson({ record: r, versions, attempts, events });
      return 0;
    }
    print(`${r.source_id}/${r.external_id}${r.ticket ? ` (ticket ${r.ticket})` : ''}`);
    print(`  state:     ${r.state}${r.quarantine_reason ? ` — ${r.quarantine_reason}` : ''}${r.last_error && r.state !== 'delivered' ? ` — ${r.last_error}` : ''}`);
    print(`  LAPOR! id: ${r.lapor_id ?? '-'}`);
    print(`  version:   ${r.version} (sent: ${r.sent_version ?? '-'}), attempts ${r.attempt_count}, warnings ${r.warning_count}`);
    print(`  received:  ${r.received_at ?? '-'}; first seen ${r.first_seen_at}; delivered ${r.delivered_at ?? '-'}`);
    for (const v of versions) {
      print(`\nversion ${v.version} (${v.created_at}, hash ${v.content_hash.slice(0, 12)}, mapping ${v.mapping_version})`);
      const c = v.complaint as { title?: string; category?: unknown; location?: unknown };
      print(`  title: ${c.title ?? ''}`);
      for (const w of v.warnings as { field: string; message: string }[]) print(`  warning ${w.field}: ${w.message}`);
    }
    print('\nattempts:');
    print(formatTable(attempts, ['at', 'operation', 'version', 'http_status', 'outcome', 'latency_ms', 'error']));
    print('\ntimeline:');
    const detail = (e: (typeof events)[number]): string | null => {
      const warnings = (e.data as { warnings?: { field: string; message: string }[] } | undefined)?.warnings;
      const w = warnings?.length ? warnings.map((x) => `${x.field}: ${x.message}`).join('; ') : null;
      return [e.reason, w].filter(Boolean).join(' — ') || null;
    };
    print(formatTable(events.map((e) => ({ at: e.at, type: e.type, change: e.from || e.to ? `${e.from ?? ''} → ${e.to ?? ''}` : '', actor: e.actor, detail: detail(e) })), ['at', 'type', 'change', 'actor', 'detail']));
    return 0;
  } finally {
    ledger.close();
  }
}

export function ledgerVerify(g: GlobalOptions, o: { ledger?: string; anchor?: boolean; expect?: string }): number {
  if (o.expect !== undefined && !/^[0-9a-f]{64}$/.test(o.expect)) throw new UsageError('--expect takes a head hash printed by an earlier `ledger verify --anchor` (64 hex characters)');
  const ledger = openLedgerReadable(g, o.ledger);
  try {
    const r = verifyLedger(ledger.db, { anchor: o.expect });
    if (g.json) {
      printJson(r);
      return r.ok ? 0 : 1;
    }
    print(`ledger ${ledger.path}: ${r.events} events`);
    if (r.chain_break) print(`✗ the event chain is broken at event ${r.chain_break.event_id} (${r.chain_break.kind}): ${r.chain_break.detail}`);
    else print('✓ the event chain is complete and unchanged');
    if (r.state_mismatches.length) {
      print(`✗ ${r.state_mismatches.length} record(s) are not in the state their history ends in:`);
      print(formatTable(r.state_mismatches as unknown as Record<string, unknown>[]));
    } else print('✓ every record is in the state its history ends in');
    if (r.anchor) print(r.anchor.found ? `✓ the anchored head ${r.anchor.hash.slice(0, 16)}… is event ${r.anchor.event_id}` : `✗ the anchored head ${r.anchor.hash.slice(0, 16)}… is no longer in the ledger: events were removed after it was recorded`);
    if (o.anchor && r.head) print(`anchor: ${r.head.hash} (event ${r.head.id}) — record it elsewhere; check later with --expect ${r.head.hash}`);
    return r.ok ? 0 : 1;
  } finally {
    ledger.close();
  }
}

/** A month (YYYY-MM, in WIB) → [from, to) as ISO instants. */
export function monthPeriod(text: string): { from: string; to: string } {
  const m = /^(\d{4})-(\d{2})$/.exec(text);
  if (!m || Number(m[2]) < 1 || Number(m[2]) > 12) throw new UsageError(`--period: "${text}" is not a month; use YYYY-MM`);
  const y = Number(m[1]);
  const mo = Number(m[2]);
  const from = new Date(`${m[1]}-${m[2]}-01T00:00:00+07:00`);
  const next = mo === 12 ? `${y + 1}-01` : `${y}-${String(mo + 1).padStart(2, '0')}`;
  return { from: from.toISOString(), to: new Date(`${next}-01T00:00:00+07:00`).toISOString() };
}

export function ledgerReportCommand(g: GlobalOptions, o: { ledger?: string; period?: string; format?: string }): number {
  const format = o.format ?? (g.json ? 'json' : 'table');
  if (!['table', 'json', 'csv'].includes(format)) throw new UsageError('--format: table, json or csv');
  const period = o.period ? monthPeriod(o.period) : {};
  const ledger = openLedgerReadable(g, o.ledger);
  try {
    const r = ledgerReport(ledger.db, period);
    if (format === 'json') printJson(r);
    else if (format === 'csv') {
      const cols = ['source', 'category', 'received', 'delivered', 'rejected', 'quarantined', 'undelivered', 'other'] as const;
      process.stdout.write(`\uFEFF${stringify([cols, ...r.groups.map((x) => cols.map((c) => x[c]))])}`);
    } else {
      print(`report ${o.period ?? 'all time'} — ${ledger.path}`);
      print(formatTable(r.groups as unknown as Record<string, unknown>[]));
      print(`total: received ${r.totals.received}, delivered ${r.totals.delivered}, rejected ${r.totals.rejected}, quarantined ${r.totals.quarantined}, still owed ${r.totals.undelivered}`);
      const fmt = (s: { count: number; median_hours: number | null; p95_hours: number | null }) => (s.count ? `median ${s.median_hours} h, p95 ${s.p95_hours} h (n=${s.count})` : 'no deliveries');
      print(`receipt at the source → delivered to LAPOR!: ${fmt(r.receipt_to_delivery)}`);
      print(`first seen by the bridge → delivered: ${fmt(r.seen_to_delivery)}`);
    }
    return 0;
  } finally {
    ledger.close();
  }
}

export function ledgerBackup(g: GlobalOptions, file: string, o: { ledger?: string }): number {
  const target = path.resolve(file);
  if (fs.existsSync(target)) throw new UsageError(`${target} already exists; choose a new file`);
  const source = ledgerPathFrom(g, o.ledger);
  if (!fs.existsSync(source)) throw new UsageError(`no ledger at ${source}`);
  // VACUUM INTO writes a consistent copy while the daemon keeps running
  const db = new Database(source, { readonly: true, fileMustExist: true });
  try {
    db.prepare('VACUUM INTO ?').run(target);
  } finally {
    db.close();
  }
  fs.chmodSync(target, 0o600);
  const copy = new Database(target, { readonly: true });
  try {
    const v = verifyLedger(copy);
    print(`backup written to ${target} (${fs.statSync(target).size} bytes, ${v.events} events, chain ${v.ok ? 'verified' : 'NOT verified'})`);
    return v.ok ? 0 : 1;
  } finally {
    copy.close();
  }
}

/**
 * Removes reporters' personal data (name, phone, e-mail, NIK hash) from record versions older
 * than the retention period. Events and hashes are untouched, so `ledger verify` still proves
 * the history; the purge itself is an event with who and why.
 */
export function ledgerPurgePersonal(g: GlobalOptions, o: { ledger?: string; olderThan?: string; reason?: string }): number {
  const days = Number(o.olderThan);
  if (!Number.isInteger(days) || days < 1) throw new UsageError('--older-than <days>: a whole number of days, at least 1');
  if (!o.reason?.trim()) throw new UsageError('--reason "<why>" is required: the purge is recorded in the ledger');
  const ledger = openLedgerReadable(g, o.ledger);
  try {
    const before = new Date(Date.now() - days * 86_400_000).toISOString();
    const n = ledger.db
      .transaction(() => {
        // only settled records: anything still owed to LAPOR! keeps what it may need to be sent
        const changed = ledger.db
          .prepare(
            `UPDATE record_versions SET canonical_json = json_remove(canonical_json, '$.reporter')
             WHERE json_extract(canonical_json, '$.reporter') IS NOT NULL AND created_at < ?
               AND record_id IN (SELECT id FROM records WHERE state IN ('delivered', 'rejected', 'dead', 'dropped', 'quarantined') AND updated_at < ?)`,
          )
          .run(before, before).changes;
        ledger.appendEvent({ type: 'personal_data_purged', actor: osUser(), reason: o.reason, data: { older_than_days: days, versions: changed } });
        return changed;
      })
      .immediate();
    print(`removed reporter data from ${n} record version(s) older than ${days} days; the event log still verifies`);
    return 0;
  } finally {
    ledger.close();
  }
}
