/** `ledger status | list | show | verify | report | backup`: what the ledger says, for operators and auditors. */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { stringify } from 'csv-stringify/sync';
import { DateTime } from 'luxon';
import { parse } from 'yaml';
import { followThrough, ledgerReport, statusTime, writeBackTime, type LatencyStats } from '../../ledger/audit-queries.js';
import { recordStates } from '../../ledger/record-state.js';
import { defaultSlaSetup, followedByStage, NO_AGENCY, slaCsvColumns, slaReport, writeBacksByState, type SlaComplaint, type SlaReport } from '../../ledger/sla-report.js';
import { osUser } from '../../ledger/sqlite-ledger.js';
import { verifyLedger } from '../../ledger/verify-ledger.js';
import { slaSettingsSchema } from '../../settings/settings-schema.js';
import { loadSlaSetup, type SlaSetup } from '../../sla/sla-setup.js';
import { redactText } from '../../util/redact.js';
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
      follow: followStatus(ledger.db),
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
    const f = status.follow;
    print(`\nat LAPOR! (follow-through): ${Object.entries(f.stages).filter(([, n]) => n).map(([k, n]) => `${k}=${n}`).join('  ') || 'nothing delivered yet'}`);
    print(`  SLA as of the last follow run: ${f.sla_overdue} overdue, ${f.sla_at_risk} at risk (sp4n-bridge ledger report --sla)`);
    print(`  write-backs: ${Object.entries(f.write_backs).filter(([, n]) => n).map(([k, n]) => `${k}=${n}`).join('  ') || 'none'}${f.write_backs.failed ? ' — failed ones: sp4n-bridge follow --retry-failed-write-backs --reason ...' : ''}`);
    print('\nlast runs:');
    print(formatTable(status.last_runs.map((r) => ({ ...r, counts: r.counts ? Object.entries(r.counts as Record<string, unknown>).filter(([, v]) => v && !(typeof v === 'object' && Object.keys(v).length === 0)).map(([k, v]) => `${k}=${typeof v === 'object' ? JSON.stringify(v) : String(v)}`).join(' ') : '' }))));
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
    const follow = followThrough(ledger.db, r.id);
    if (g.json) {
      printJson({ record: r, versions, attempts, events, follow: follow.follow, statuses: follow.statuses, write_backs: follow.write_backs });
      return 0;
    }
    print(`${r.source_id}/${r.external_id}${r.ticket ? ` (ticket ${r.ticket})` : ''}`);
    print(`  state:     ${r.state}${r.quarantine_reason ? ` — ${r.quarantine_reason}` : ''}${r.last_error && r.state !== 'delivered' ? ` — ${r.last_error}` : ''}`);
    print(`  LAPOR! id: ${r.lapor_id ?? '-'}`);
    print(`  version:   ${r.version} (sent: ${r.sent_version ?? '-'}), attempts ${r.attempt_count}, warnings ${r.warning_count}`);
    print(`  received:  ${r.received_at ?? '-'}; first seen ${r.first_seen_at}; delivered ${r.delivered_at ?? '-'}`);
    const f = follow.follow;
    if (f) {
      print(`  at LAPOR!: ${f.status_name ?? '-'} (stage ${f.stage}${f.final ? ', final' : ''}); agency ${f.disposition_name ?? f.disposition_id ?? NO_AGENCY}; follow-ups ${f.followup_count}; last checked ${f.last_checked_at ?? '-'}`);
    } else if (r.lapor_id && (r.state === 'delivered' || r.state === 'update_pending')) print('  at LAPOR!: not checked yet (stage received)');
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
    type Line = { at: string; type: string; change: string; actor: string; detail: string | null };
    const lines: Line[] = [
      ...events.map((e) => ({ at: e.at, type: e.type, change: e.from || e.to ? `${e.from ?? ''} → ${e.to ?? ''}` : '', actor: e.actor, detail: detail(e) })),
      ...follow.statuses.map(
        (st): Line =>
          st.kind === 'followup'
            ? {
                at: statusTime(st),
                type: st.own ? 'lapor_followup_own' : 'lapor_followup',
                change: '',
                actor: st.institution_name ?? (st.own ? 'bridge' : 'LAPOR!'),
                detail: [st.content ? redactText(st.content) : null, st.occurred_at ? `seen ${st.observed_at}` : null].filter(Boolean).join(' — ') || null,
              }
            : {
                at: statusTime(st),
                type: 'lapor_status',
                change: `${st.status_name ?? '?'} (${st.stage ?? 'unknown'})`,
                actor: 'LAPOR!',
                detail: [st.disposition_name || st.disposition_id ? `agency ${st.disposition_name ?? st.disposition_id}` : null, st.occurred_at ? `seen ${st.observed_at}` : null].filter(Boolean).join(' — ') || null,
              },
      ),
      ...follow.write_backs.map(
        (b): Line => ({
          at: writeBackTime(b),
          type: 'write_back',
          change: `${b.kind} → ${b.source_id}: ${b.state}`,
          actor: 'system',
          detail: [b.status_text, b.note ? redactText(b.note) : null, b.attempt_count ? `attempts ${b.attempt_count}` : null, b.last_error && b.state !== 'sent' ? redactText(b.last_error) : null].filter(Boolean).join(' — ') || null,
        }),
      ),
    ];
    // stable: entries at the same instant keep events, then statuses, then write-backs
    const ordered = lines.map((l, i) => ({ l, i, t: Date.parse(l.at) })).sort((a, b) => (Number.isNaN(a.t) || Number.isNaN(b.t) ? 0 : a.t - b.t) || a.i - b.i);
    // one clock in the column (UTC, like the events); LAPOR!'s own WIB times are in --json
    print(formatTable(ordered.map((x) => ({ ...x.l, at: Number.isNaN(x.t) ? x.l.at : new Date(x.t).toISOString() })), ['at', 'type', 'change', 'actor', 'detail']));
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

/**
 * The SLA rules and calendar for a ledger command: the `sla:` section of bridge.yaml when the
 * file exists (read without resolving any secret, like `ledger.path`), else LAPOR!'s defaults
 * and the shipped calendar. Calendar warnings (a year not in the file) go to stderr.
 */
export async function slaSetupFor(g: GlobalOptions): Promise<SlaSetup> {
  const file = path.resolve(g.config);
  if (!fs.existsSync(file)) return defaultSlaSetup();
  let doc: unknown;
  try {
    doc = parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    throw new UsageError(`cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}); pass --config`);
  }
  const parsed = slaSettingsSchema.safeParse((doc as { sla?: unknown } | null)?.sla ?? {});
  if (!parsed.success) throw new UsageError(`${file}: sla: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(section)'}: ${i.message}`).join('; ')}`);
  return loadSlaSetup(path.dirname(file), parsed.data, (w) => process.stderr.write(`sp4n-bridge: warning: ${w}\n`));
}

/** `--as-of`: an ISO 8601 date/time (a bare YYYY-MM-DD is 00:00 WIB that day); default now. */
export function asOfTime(text: string | undefined): Date {
  if (text === undefined) return new Date();
  const iso = /^\d{4}-\d{2}-\d{2}$/.test(text) ? `${text}T00:00:00+07:00` : text;
  const d = DateTime.fromISO(iso, { zone: 'Asia/Jakarta' });
  if (!d.isValid) throw new UsageError(`--as-of: "${text}" is not a date/time; use ISO 8601, e.g. 2025-04-11T09:00:00+07:00`);
  return d.toJSDate();
}

export interface ReportOptions {
  readonly ledger?: string;
  readonly period?: string;
  readonly format?: string;
  readonly sla?: boolean;
  readonly source?: string;
  readonly asOf?: string;
}

export async function ledgerReportCommand(g: GlobalOptions, o: ReportOptions): Promise<number> {
  const format = o.format ?? (g.json ? 'json' : 'table');
  if (!['table', 'json', 'csv'].includes(format)) throw new UsageError('--format: table, json or csv');
  if (o.source !== undefined && !o.sla) throw new UsageError('--source goes with --sla');
  const period = o.period ? monthPeriod(o.period) : {};
  const asOf = asOfTime(o.asOf);
  const setup = await slaSetupFor(g);
  const ledger = openLedgerReadable(g, o.ledger);
  try {
    if (o.sla) {
      const r = slaReport(ledger.db, setup, { asOf, ...period, sourceId: o.source });
      if (format === 'json') printJson(r);
      else if (format === 'csv') process.stdout.write(`\uFEFF${stringify([[...slaCsvColumns], ...r.complaints.map((c) => slaCsvColumns.map((k) => csvValue(c[k])))])}`);
      else printSlaTable(r, { period: o.period, ledger: ledger.path });
      return 0;
    }
    const r = ledgerReport(ledger.db, period, { setup, asOf });
    if (format === 'json') printJson(r);
    else if (format === 'csv') {
      const cols = ['source', 'category', 'received', 'delivered', 'rejected', 'quarantined', 'undelivered', 'other'] as const;
      process.stdout.write(`\uFEFF${stringify([cols, ...r.groups.map((x) => cols.map((c) => x[c]))])}`);
    } else {
      print(`report ${o.period ?? 'all time'} — ${ledger.path}`);
      print(formatTable(r.groups as unknown as Record<string, unknown>[]));
      print(`total: received ${r.totals.received}, delivered ${r.totals.delivered}, rejected ${r.totals.rejected}, quarantined ${r.totals.quarantined}, still owed ${r.totals.undelivered}`);
      const fmt = (s: LatencyStats, none: string) => (s.count ? `median ${s.median_hours} h, p95 ${s.p95_hours} h (n=${s.count})` : none);
      print(`receipt at the source → delivered to LAPOR!: ${fmt(r.receipt_to_delivery, 'no deliveries')}`);
      print(`first seen by the bridge → delivered: ${fmt(r.seen_to_delivery, 'no deliveries')}`);
      print(`receipt at the source → first agency follow-up: ${fmt(r.receipt_to_first_followup, 'no follow-ups yet')}`);
      if (r.sla) {
        const st = Object.entries(r.sla.by_stage)
          .filter(([, c]) => c.overdue || c.at_risk)
          .map(([stage, c]) => `${stage} ${c.overdue} overdue / ${c.at_risk} at risk`)
          .join(', ');
        print(`SLA as of ${wib(r.sla.as_of)}: ${r.sla.overdue} overdue, ${r.sla.at_risk} at risk, of ${r.sla.followed} followed at LAPOR!${st ? ` (${st})` : ''} — details: ledger report --sla${o.period ? ` --period ${o.period}` : ''}`);
      }
    }
    return 0;
  } finally {
    ledger.close();
  }
}

function csvValue(v: unknown): unknown {
  return v === null || v === undefined ? '' : v;
}

/** An ISO instant as `2025-04-11 09:00 WIB`. */
function wib(iso: string | null): string {
  if (!iso) return '-';
  const d = DateTime.fromISO(iso, { setZone: true });
  return d.isValid ? `${d.setZone('Asia/Jakarta').toFormat('yyyy-MM-dd HH:mm')} WIB` : iso;
}

/** A deadline (always 23:59:59.999 WIB) as its date. */
function deadlineDay(iso: string | null): string {
  if (!iso) return '-';
  const d = DateTime.fromISO(iso, { setZone: true });
  return d.isValid ? (d.setZone('Asia/Jakarta').toISODate() ?? iso) : iso;
}

function printSlaTable(r: SlaReport, o: { period?: string; ledger: string }): void {
  print(`SLA report as of ${wib(r.as_of)} — submitted ${o.period ?? 'any time'}${r.source ? `, source ${r.source}` : ''} — ${o.ledger}`);
  print(`rules: verification ${r.rules.verification_days}, first follow-up ${r.rules.first_followup_days}, closure ${r.rules.closure_days} working days; at risk from ${Math.round(r.rules.at_risk_fraction * 100)} %; outer limit ${r.rules.outer_limit_days} days`);
  print(`followed at LAPOR!: ${r.totals.followed} (closed ${r.totals.done}) — overdue ${r.totals.overdue}, at risk ${r.totals.at_risk}`);
  print('\nby agency:');
  print(formatTable(r.by_agency.map((a) => ({ agency: a.agency, overdue: a.overdue, at_risk: a.at_risk, followed: a.followed }))));
  print('\nby source:');
  print(formatTable(r.by_source.map((s) => ({ source: s.source, overdue: s.overdue, at_risk: s.at_risk, followed: s.followed }))));
  const row = (c: SlaComplaint) => ({
    sla: c.sla_state === 'overdue' ? 'OVERDUE' : 'at risk',
    ref: c.ref,
    ticket: c.ticket,
    lapor_id: c.lapor_id,
    stage: c.sla_stage,
    deadline: deadlineDay(c.deadline),
    reason: c.overdue_reason,
    age_wd: c.age_working_days,
    used: `${c.working_days_elapsed}/${c.working_days_budget}`,
    status: c.status_name ?? '(not checked yet)',
  });
  for (const a of r.by_agency) {
    const list = r.complaints.filter((c) => c.agency === a.agency);
    if (!list.length) continue;
    print(`\n${a.agency}${a.agency_id && a.agency_id !== a.agency ? ` [${a.agency_id}]` : ''} — ${a.overdue} overdue, ${a.at_risk} at risk (of ${a.followed} followed)`);
    print(formatTable(list.map(row)));
  }
  if (!r.complaints.length) print('\nno complaint is overdue or at risk');
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
        // a sent write-back's note quotes the agency's answer, which may name people: it has done its job
        const notes = ledger.db.prepare("UPDATE write_backs SET note = '[purged]' WHERE state = 'sent' AND sent_at < ? AND note <> '[purged]'").run(before).changes;
        ledger.appendEvent({ type: 'personal_data_purged', actor: osUser(), reason: o.reason, data: { older_than_days: days, versions: changed, write_back_notes: notes } });
        return { changed, notes };
      })
      .immediate();
    print(`removed reporter data from ${n.changed} record version(s) and ${n.notes} sent write-back note(s) older than ${days} days; the event log still verifies`);
    return 0;
  } finally {
    ledger.close();
  }
}

/** Follow-through at a glance: complaints by follow stage, SLA flags as last computed, write-backs by state. */
function followStatus(db: Database.Database): { stages: Record<string, number>; sla_overdue: number; sla_at_risk: number; write_backs: Record<string, number> } {
  const sla = db.prepare('SELECT coalesce(sum(sla_overdue), 0) AS overdue, coalesce(sum(sla_at_risk), 0) AS at_risk FROM follow WHERE final = 0').get() as { overdue: number; at_risk: number };
  return { stages: followedByStage(db), sla_overdue: sla.overdue, sla_at_risk: sla.at_risk, write_backs: writeBacksByState(db) };
}
