/** `ledger status | list | show`: what the ledger says, for operators and auditors. */
import { recordStates } from '../../ledger/record-state.js';
import { verifyLedger } from '../../ledger/verify-ledger.js';
import type { GlobalOptions } from '../context.js';
import { openLedgerReadable } from '../context.js';
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
