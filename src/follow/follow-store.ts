/**
 * The ledger side of follow-through (migration 005): which delivered complaints are due for a
 * status check, how a LAPOR! status snapshot becomes history rows (each change stored once),
 * the follow row the SLA reads, and the write-back queue. Every change is one SQLite transaction
 * with its hash-chained events, like the rest of the ledger.
 */
import type { Actor, RecordRow } from '../ledger/ledger.js';
import type { SqliteLedger } from '../ledger/sqlite-ledger.js';
import type { SlaResult } from '../sla/sla-rules.js';
import type { SlaSetup } from '../sla/sla-setup.js';
import type { FollowStage, StatusModel } from '../status/lapor-status.js';
import { redactText } from '../util/redact.js';
import { stableStringify } from '../util/stable-json.js';
import { followSla, type FollowTimes } from './follow-sla.js';
import type { LaporStatusSnapshot } from './lapor-status-client.js';

/** The record states in which a complaint is at LAPOR! and followed. */
export const FOLLOWED_STATES = ['delivered', 'update_pending'] as const;

export interface FollowRow extends FollowTimes {
  record_id: number;
  lapor_id: string;
  status_name: string | null;
  status_code: number | null;
  disposition_id: string | null;
  disposition_name: string | null;
  first_followup_at: string | null;
  followup_count: number;
  log_count: number;
  final: number;
  last_checked_at: string | null;
  last_change_at: string | null;
  next_check_at: string | null;
  check_failures: number;
  last_error: string | null;
  sla_overdue_reason: string | null;
}

export interface DueRecord {
  readonly record: RecordRow;
  readonly follow: FollowRow | undefined;
}

export interface CheckSchedule {
  readonly newEveryMs: number;
  readonly activeEveryMs: number;
  readonly quietEveryMs: number;
  readonly quietAfterMs: number;
}

export interface ApplyContext {
  readonly now: Date;
  readonly model: StatusModel;
  readonly sla: SlaSetup;
  readonly schedule: CheckSchedule;
  /** Queue write-backs for this record's source. */
  readonly writeBack: boolean;
  /** The `Ref:` line the sink ends this complaint's content (and its own follow-ups) with; asked only when needed. */
  readonly refLine?: () => string | undefined;
  readonly runId?: number;
}

export interface ApplyResult {
  readonly statusChanges: number;
  readonly followups: number;
  /** Raw status names the model does not know (kept raw, reported). */
  readonly unknownStatuses: readonly string[];
  readonly writeBacksQueued: number;
  readonly final: boolean;
  readonly sla: SlaResult;
}

export const writeBackStates = ['pending', 'sending', 'retry_wait', 'sent', 'failed'] as const;
export type WriteBackState = (typeof writeBackStates)[number];

export interface WriteBackRow {
  id: number;
  status_id: number;
  record_id: number;
  source_id: string;
  state: WriteBackState;
  status_text: string;
  note: string;
  attempt_count: number;
  next_attempt_at: string | null;
  first_failed_at: string | null;
  last_error: string | null;
  created_at: string;
  sent_at: string | null;
  external_id: string;
  lapor_id: string;
}

/** One history row about to be stored. */
interface Change {
  kind: 'status' | 'followup';
  key: string;
  occurredAt: string | null;
  statusName: string | null;
  statusCode: number | null;
  stage: FollowStage | 'unknown' | null;
  dispositionId: string | null;
  dispositionName: string | null;
  followupId: string | null;
  institutionName: string | null;
  content: string | null;
  own: boolean;
  raw: unknown;
}

const AFTER_VERIFICATION: ReadonlySet<string> = new Set(['verified', 'disposed', 'in_progress', 'closed']);
const FINAL: ReadonlySet<string> = new Set(['closed', 'rejected']);
/** The intro of the follow-ups the sink posts for a change after delivery (lapor-v3-sink.ts). */
const OWN_FOLLOWUP_INTRO = 'Pembaruan dari ';

export class FollowStore {
  constructor(private readonly ledger: SqliteLedger) {}

  private get db() {
    return this.ledger.db;
  }

  /**
   * Followed complaints whose check is due (never checked, or next_check_at passed; `all`
   * ignores next_check_at), oldest due first. Every delivered complaint has a follow row from the
   * moment it is delivered (the ledger creates it), so this reads the `follow_due` index only.
   */
  dueForCheck(now: Date, limit: number, options: { sourceId?: string; all?: boolean } = {}): DueRecord[] {
    const rows = this.db
      .prepare(
        `SELECT f.record_id AS rid FROM follow f JOIN records r ON r.id = f.record_id
         WHERE f.final = 0 AND (:all = 1 OR f.next_check_at IS NULL OR f.next_check_at <= :now)
           AND r.state IN ('delivered', 'update_pending') AND r.lapor_id IS NOT NULL
           AND (:source IS NULL OR r.source_id = :source)
         ORDER BY f.final, f.next_check_at, f.record_id
         LIMIT :limit`,
      )
      .all({ now: now.toISOString(), all: options.all ? 1 : 0, source: options.sourceId ?? null, limit }) as { rid: number }[];
    return rows.map((r) => ({ record: this.ledger.getRecord(r.rid), follow: this.follow(r.rid) }));
  }

  follow(recordId: number): FollowRow | undefined {
    return this.db.prepare('SELECT * FROM follow WHERE record_id = ?').get(recordId) as FollowRow | undefined;
  }

  statusesFor(recordId: number): Record<string, unknown>[] {
    return this.db.prepare('SELECT * FROM statuses WHERE record_id = ? ORDER BY id').all(recordId) as Record<string, unknown>[];
  }

  /** Follow-up ids the bridge posted itself (delivery.on_change: followup), from its attempts' replies. */
  private ownFollowupIds(recordId: number): Set<string> {
    const ids = new Set<string>();
    const rows = this.db.prepare("SELECT reply FROM attempts WHERE record_id = ? AND operation = 'followup' AND reply IS NOT NULL").all(recordId) as { reply: string }[];
    for (const { reply } of rows) for (const id of replyIds(reply)) ids.add(id);
    return ids;
  }

  /**
   * Stores what a status read found: new history rows (each change once), the follow row with
   * the SLA timestamps, queued write-backs and the next check time — in one transaction.
   */
  applySnapshot(record: RecordRow, snap: LaporStatusSnapshot, ctx: ApplyContext): ApplyResult {
    return this.db.transaction((): ApplyResult => {
      const nowIso = ctx.now.toISOString();
      let f = this.follow(record.id);
      if (!f || f.lapor_id !== snap.laporId) {
        // normally done at delivery; kept here so a row the ledger did not create is followed too
        this.ledger.startFollowing(record);
        f = this.follow(record.id) as FollowRow;
      }
      const changes = this.diff(record, f, snap, ctx);
      const unknown = new Set<string>();
      let statusChanges = 0;
      let followups = 0;
      let writeBacksQueued = 0;
      const t = { verified_at: f.verified_at, disposed_at: f.disposed_at, first_followup_at: f.first_followup_at, last_followup_at: f.last_followup_at, closed_at: f.closed_at };
      const previousStage = f.stage;
      let stage = f.stage as FollowStage;
      let dispositionId = f.disposition_id;
      let dispositionName = f.disposition_name;
      let statusName = f.status_name;
      for (const c of changes) {
        const inserted = this.db
          .prepare(
            `INSERT OR IGNORE INTO statuses (record_id, lapor_id, kind, change_key, observed_at, occurred_at, status_name, status_code, stage, disposition_id, disposition_name, followup_id, institution_name, content, own, raw_json)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
          )
          // the agency's text is kept for the audit with phone numbers, NIKs and e-mail addresses masked
          // (the table is append-only); the write-back below still carries it whole to the citizen's app
          .run(record.id, snap.laporId, c.kind, c.key, nowIso, c.occurredAt, c.statusName, c.statusCode, c.stage, c.dispositionId, c.dispositionName, c.followupId, c.institutionName, c.content === null ? null : redactText(c.content), c.own ? 1 : 0, stableStringify(c.raw ?? null));
        if (inserted.changes === 0) continue;
        const statusId = Number(inserted.lastInsertRowid);
        const when = c.occurredAt ?? nowIso;
        if (c.kind === 'status') {
          statusChanges++;
          if (c.stage === 'unknown' && c.statusName) unknown.add(c.statusName);
          if (c.stage && c.stage !== 'unknown') {
            if (AFTER_VERIFICATION.has(c.stage)) t.verified_at = earlier(t.verified_at, when);
            if (c.stage === 'disposed') t.disposed_at = earlier(t.disposed_at, when);
            if (FINAL.has(c.stage)) t.closed_at = earlier(t.closed_at, when);
            stage = c.stage;
          }
          // forwarded to the agency after verification: the first-follow-up clock starts
          if (c.dispositionId !== null && t.verified_at && !t.disposed_at) t.disposed_at = when;
          if (c.dispositionId !== null) {
            dispositionId = c.dispositionId;
            dispositionName = c.dispositionName ?? dispositionName;
          }
          statusName = c.statusName ?? statusName;
          this.ledger.appendEvent({
            type: 'status_changed',
            recordId: record.id,
            sourceId: record.source_id,
            runId: ctx.runId ?? null,
            reason: c.stage === 'unknown' ? `unknown LAPOR! status "${c.statusName}" (kept raw)` : null,
            data: { lapor_id: snap.laporId, status_name: c.statusName, stage: c.stage, disposition_id: c.dispositionId, disposition_name: c.dispositionName, occurred_at: c.occurredAt },
          });
        } else {
          followups++;
          if (!c.own) {
            t.first_followup_at = earlier(t.first_followup_at, when);
            t.last_followup_at = later(t.last_followup_at, when);
          }
          this.ledger.appendEvent({
            type: 'followup_received',
            recordId: record.id,
            sourceId: record.source_id,
            runId: ctx.runId ?? null,
            data: { lapor_id: snap.laporId, followup_id: c.followupId, institution_name: c.institutionName, occurred_at: c.occurredAt, own: c.own },
          });
        }
        if (ctx.writeBack && !c.own) {
          this.db
            .prepare("INSERT INTO write_backs (status_id, record_id, source_id, state, status_text, note, created_at) VALUES (?, ?, ?, 'pending', ?, ?, ?)")
            .run(statusId, record.id, record.source_id, writeBackStatus(c, statusName), writeBackNote(c, snap.laporId), nowIso);
          writeBacksQueued++;
        }
      }
      if (snap.dispositionId !== null) {
        dispositionId = snap.dispositionId;
        dispositionName = snap.dispositionName ?? dispositionName;
      }
      const changed = statusChanges + followups > 0;
      // closed or rejected: one more check after check_active_every catches a closing note posted
      // just after the status, then the complaint is finished and never read again
      const final = FINAL.has(stage) && FINAL.has(previousStage) && !changed;
      const lastChangeAt = changed ? nowIso : (f.last_change_at ?? f.submitted_at);
      const times: FollowTimes = { submitted_at: f.submitted_at, verified_at: t.verified_at, disposed_at: t.disposed_at, last_followup_at: t.last_followup_at, closed_at: t.closed_at, stage };
      const sla = followSla(times, ctx.sla, ctx.now);
      const next = final ? null : FINAL.has(stage) ? new Date(ctx.now.getTime() + ctx.schedule.activeEveryMs).toISOString() : nextCheck(ctx.now, stage, lastChangeAt, ctx.schedule);
      this.db
        .prepare(
          `UPDATE follow SET status_name = ?, status_code = ?, stage = ?, disposition_id = ?, disposition_name = ?,
             verified_at = ?, disposed_at = ?, first_followup_at = ?, last_followup_at = ?, closed_at = ?,
             followup_count = followup_count + ?, log_count = ?, final = ?, last_checked_at = ?, last_change_at = ?, next_check_at = ?,
             check_failures = 0, last_error = NULL,
             sla_stage = ?, sla_deadline = ?, sla_next_deadline = ?, sla_at_risk = ?, sla_overdue = ?, sla_overdue_reason = ?, sla_computed_at = ?
           WHERE record_id = ?`,
        )
        .run(
          snap.statusName ?? statusName,
          snap.statusCode,
          stage,
          dispositionId,
          dispositionName,
          t.verified_at,
          t.disposed_at,
          t.first_followup_at,
          t.last_followup_at,
          t.closed_at,
          followups,
          snap.dataLogs.length,
          final ? 1 : 0,
          nowIso,
          lastChangeAt,
          next,
          sla.stage,
          sla.deadline,
          sla.next_deadline,
          sla.at_risk ? 1 : 0,
          sla.overdue ? 1 : 0,
          sla.overdue_reason,
          nowIso,
          record.id,
        );
      if (final) this.ledger.appendEvent({ type: 'follow_finished', recordId: record.id, sourceId: record.source_id, runId: ctx.runId ?? null, data: { lapor_id: snap.laporId, stage, closed_at: t.closed_at } });
      return { statusChanges, followups, unknownStatuses: [...unknown], writeBacksQueued, final, sla };
    }).immediate();
  }

  /**
   * What is new in a snapshot. When LAPOR! gives `data_logs`, the log is the status history:
   * each entry is stored once, known by its content (name, time and how many identical entries
   * came before it), whatever order LAPOR! lists them in. Without a log, a change of status name
   * is recorded when seen. A disposition is carried by the newest new entry that disposes or
   * repeats the previous status name (LAPOR! logs forwarding that way); failing that, by a row
   * of its own. Follow-ups are known by their id.
   */
  private diff(record: RecordRow, f: FollowRow, snap: LaporStatusSnapshot, ctx: ApplyContext): Change[] {
    const out: Change[] = [];
    const stageOf = (name: string | null) => (name === null ? null : ctx.model.stageOf(name));
    const known = new Set((this.db.prepare('SELECT change_key FROM statuses WHERE record_id = ? AND lapor_id = ?').all(record.id, snap.laporId) as { change_key: string }[]).map((r) => r.change_key));
    const logs = chronological(snap.dataLogs);
    const seen = new Map<string, number>();
    const logRows: { change: Change; index: number }[] = [];
    logs.forEach((log, index) => {
      const base = `${log.statusName}|${log.at ?? ''}`;
      const n = seen.get(base) ?? 0;
      seen.set(base, n + 1);
      const key = `log:${base}|${n}`;
      if (known.has(key)) return;
      const current = index === logs.length - 1 && log.statusName === snap.statusName;
      logRows.push({
        index,
        change: {
          kind: 'status',
          key,
          occurredAt: log.at,
          statusName: log.statusName,
          statusCode: current ? snap.statusCode : null,
          stage: stageOf(log.statusName),
          dispositionId: null,
          dispositionName: null,
          followupId: null,
          institutionName: null,
          content: null,
          own: false,
          raw: { status_name: log.statusName, created_at: log.at },
        },
      });
    });
    out.push(...logRows.map((r) => r.change));

    const firstCheck = f.last_checked_at === null;
    const dispositionChanged = snap.dispositionId !== null && snap.dispositionId !== f.disposition_id;
    let carried = false;
    if (dispositionChanged) {
      const carrier =
        [...logRows].reverse().find((r) => r.change.stage === 'disposed') ??
        [...logRows].reverse().find((r) => r.index > 0 && logs[r.index - 1]?.statusName === r.change.statusName);
      if (carrier) {
        carrier.change.dispositionId = snap.dispositionId;
        carrier.change.dispositionName = snap.dispositionName;
        carried = true;
      }
    }
    const lastName = logs.length ? (logs[logs.length - 1] as { statusName: string }).statusName : f.status_name;
    const noLog = snap.dataLogs.length === 0;
    const nameChanged = noLog && snap.statusName !== null && (firstCheck || snap.statusName !== lastName);
    // on the first check a disposition without a log entry is most likely the one we sent: not a change
    const dispositionRow = dispositionChanged && !carried && !firstCheck;
    if (nameChanged || dispositionRow) {
      out.push({
        kind: 'status',
        key: `seen:${ctx.now.toISOString()}:${snap.statusName ?? ''}:${snap.dispositionId ?? ''}`,
        occurredAt: null,
        statusName: snap.statusName,
        statusCode: snap.statusCode,
        stage: stageOf(snap.statusName) ?? 'unknown',
        dispositionId: dispositionRow ? snap.dispositionId : null,
        dispositionName: dispositionRow ? snap.dispositionName : null,
        followupId: null,
        institutionName: null,
        content: null,
        own: false,
        raw: { status_code: snap.statusCode, status_name: snap.statusName, disposition_id: snap.dispositionId, disposition_name: snap.dispositionName },
      });
    }

    const ownIds = this.ownFollowupIds(record.id);
    let refLine: string | undefined | null = null; // read from the stored complaint on first need
    const endsWithRef = (content: string): boolean => {
      if (refLine === null) refLine = ctx.refLine?.()?.trim();
      return refLine !== undefined && lastLine(content) === refLine;
    };
    for (const fu of snap.followups) {
      const key = `followup:${fu.id}`;
      if (known.has(key)) continue;
      const own = ownIds.has(fu.id) || (fu.content.startsWith(OWN_FOLLOWUP_INTRO) && endsWithRef(fu.content));
      out.push({
        kind: 'followup',
        key,
        occurredAt: fu.at,
        statusName: null,
        statusCode: null,
        stage: null,
        dispositionId: null,
        dispositionName: null,
        followupId: fu.id,
        institutionName: fu.institutionName,
        content: fu.content,
        own,
        raw: { id: fu.id, created_at: fu.at, institution_name: fu.institutionName },
      });
    }
    return out;
  }

  /** A failed check: try again later (backing off), remember why. */
  recordCheckFailure(record: RecordRow, laporId: string, error: string, now: Date, schedule: CheckSchedule): void {
    this.db.transaction(() => {
      const existing = this.follow(record.id);
      if (!existing || existing.lapor_id !== laporId) this.ledger.startFollowing(record);
      const f = this.follow(record.id) as FollowRow;
      const failures = f.check_failures + 1;
      const delay = Math.min(schedule.newEveryMs * 2 ** Math.min(failures - 1, 20), schedule.quietEveryMs);
      this.db
        .prepare('UPDATE follow SET check_failures = ?, last_error = ?, next_check_at = ? WHERE record_id = ?')
        .run(failures, error, new Date(now.getTime() + delay).toISOString(), record.id);
    }).immediate();
  }

  /**
   * Recomputes the cached SLA of the followed, unfinished complaints as of `now`; returns the
   * counts. A complaint past the outer limit stays overdue until its status changes (which
   * recomputes it), so it is counted without being computed again.
   */
  refreshSla(setup: SlaSetup, now: Date): { overdue: number; at_risk: number; followed: number } {
    const rows = this.db.prepare("SELECT * FROM follow WHERE final = 0 AND (sla_overdue_reason IS NULL OR sla_overdue_reason <> 'outer_limit')").all() as FollowRow[];
    const stuck = (this.db.prepare("SELECT count(*) AS n FROM follow WHERE final = 0 AND sla_overdue_reason = 'outer_limit'").get() as { n: number }).n;
    const update = this.db.prepare(
      'UPDATE follow SET sla_stage = ?, sla_deadline = ?, sla_next_deadline = ?, sla_at_risk = ?, sla_overdue = ?, sla_overdue_reason = ?, sla_computed_at = ? WHERE record_id = ?',
    );
    let overdue = stuck;
    let atRisk = 0;
    const results = rows.map((f) => ({ id: f.record_id, sla: followSla(f, setup, now) }));
    const nowIso = now.toISOString();
    for (let i = 0; i < results.length; i += 1000) {
      // short transactions: the ledger stays available to intake and delivery meanwhile
      this.db.transaction(() => {
        for (const { id, sla } of results.slice(i, i + 1000)) update.run(sla.stage, sla.deadline, sla.next_deadline, sla.at_risk ? 1 : 0, sla.overdue ? 1 : 0, sla.overdue_reason, nowIso, id);
      }).immediate();
    }
    for (const { sla } of results) {
      if (sla.overdue) overdue++;
      if (sla.at_risk) atRisk++;
    }
    return { overdue, at_risk: atRisk, followed: rows.length + stuck };
  }

  // ------------------------------------------------------------------ write-back queue

  /**
   * Write-backs due now for these sources, oldest first; one complaint's write-backs go strictly
   * in order, so a later one waits while an earlier one is still unsent.
   */
  dueWriteBacks(now: Date, limit: number, sources: readonly string[]): WriteBackRow[] {
    if (sources.length === 0) return [];
    return this.db
      .prepare(
        `SELECT w.*, r.external_id, r.lapor_id FROM write_backs w JOIN records r ON r.id = w.record_id
         WHERE w.state IN ('pending', 'retry_wait') AND (w.next_attempt_at IS NULL OR w.next_attempt_at <= ?)
           AND w.source_id IN (${sources.map(() => '?').join(', ')})
           AND NOT EXISTS (SELECT 1 FROM write_backs e WHERE e.record_id = w.record_id AND e.id < w.id AND e.state IN ('pending', 'sending', 'retry_wait'))
         ORDER BY w.id LIMIT ?`,
      )
      .all(now.toISOString(), ...sources, limit) as WriteBackRow[];
  }

  /** Committed before the call, so a crash mid-call is found at the next start. */
  markWriteBackSending(id: number): void {
    this.db.prepare("UPDATE write_backs SET state = 'sending', attempt_count = attempt_count + 1 WHERE id = ?").run(id);
  }

  markWriteBackSent(w: WriteBackRow, now: Date, runId?: number): void {
    this.db.transaction(() => {
      this.db.prepare("UPDATE write_backs SET state = 'sent', sent_at = ?, last_error = NULL, next_attempt_at = NULL WHERE id = ?").run(now.toISOString(), w.id);
      this.ledger.appendEvent({ type: 'write_back_sent', recordId: w.record_id, sourceId: w.source_id, runId: runId ?? null, data: { write_back_id: w.id, status_id: w.status_id, status: w.status_text, attempts: w.attempt_count + 1 } });
    }).immediate();
  }

  markWriteBackRetry(w: WriteBackRow, error: string, nextAt: Date, now: Date): void {
    this.db
      .prepare("UPDATE write_backs SET state = 'retry_wait', last_error = ?, next_attempt_at = ?, first_failed_at = COALESCE(first_failed_at, ?) WHERE id = ?")
      .run(error, nextAt.toISOString(), now.toISOString(), w.id);
  }

  /** The source could not take it now (refused credentials, down): back in the queue as it was. */
  markWriteBackWaiting(w: WriteBackRow, error: string): void {
    this.db.prepare("UPDATE write_backs SET state = ?, last_error = ? WHERE id = ?").run(w.state === 'retry_wait' ? 'retry_wait' : 'pending', error, w.id);
  }

  markWriteBackFailed(w: WriteBackRow, error: string, now: Date, runId?: number): void {
    this.db.transaction(() => {
      this.db.prepare("UPDATE write_backs SET state = 'failed', last_error = ?, next_attempt_at = NULL, first_failed_at = COALESCE(first_failed_at, ?) WHERE id = ?").run(error, now.toISOString(), w.id);
      this.ledger.appendEvent({ type: 'write_back_failed', recordId: w.record_id, sourceId: w.source_id, runId: runId ?? null, reason: error, data: { write_back_id: w.id, status_id: w.status_id, attempts: w.attempt_count + 1 } });
    }).immediate();
  }

  /**
   * An operator's decision to try failed write-backs again (e.g. after the source fixed what it
   * refused); each is logged as an event with who and why.
   */
  requeueFailedWriteBacks(actor: Actor, reason: string, sourceId?: string): number {
    return this.db.transaction(() => {
      const rows = this.db.prepare("SELECT id, record_id, source_id FROM write_backs WHERE state = 'failed' AND (? IS NULL OR source_id = ?) ORDER BY id").all(sourceId ?? null, sourceId ?? null) as { id: number; record_id: number; source_id: string }[];
      for (const r of rows) {
        this.db.prepare("UPDATE write_backs SET state = 'pending', next_attempt_at = NULL, first_failed_at = NULL WHERE id = ?").run(r.id);
        this.ledger.appendEvent({ type: 'write_back_requeued', recordId: r.record_id, sourceId: r.source_id, actor, reason, data: { write_back_id: r.id } });
      }
      return rows.length;
    }).immediate();
  }

  /**
   * Write-backs left `sending` by a process that died mid-call go out once more: the source's
   * write-back sets a status, so a repeat changes nothing there (see docs/follow-through.md).
   */
  recoverInterruptedWriteBacks(): number {
    return this.db.transaction(() => {
      const rows = this.db.prepare("SELECT id, record_id, source_id FROM write_backs WHERE state = 'sending'").all() as { id: number; record_id: number; source_id: string }[];
      for (const r of rows) {
        this.db.prepare("UPDATE write_backs SET state = 'pending' WHERE id = ?").run(r.id);
        this.ledger.appendEvent({ type: 'write_back_interrupted', recordId: r.record_id, sourceId: r.source_id, reason: 'the process stopped during the call; it is sent again', data: { write_back_id: r.id } });
      }
      return rows.length;
    }).immediate();
  }

  writeBackCounts(): Record<WriteBackState, number> {
    const out = Object.fromEntries(writeBackStates.map((st) => [st, 0])) as Record<WriteBackState, number>;
    for (const r of this.db.prepare('SELECT state, COUNT(*) AS n FROM write_backs GROUP BY state').all() as { state: WriteBackState; n: number }[]) out[r.state] = r.n;
    return out;
  }
}

/** Unverified complaints often, active ones regularly, quiet ones (no change for quiet_after) rarely. */
export function nextCheck(now: Date, stage: FollowStage, lastChangeAt: string, s: CheckSchedule): string {
  const quiet = now.getTime() - Date.parse(lastChangeAt) >= s.quietAfterMs;
  const every = quiet ? s.quietEveryMs : stage === 'received' ? s.newEveryMs : s.activeEveryMs;
  return new Date(now.getTime() + every).toISOString();
}

/** Log entries oldest first when LAPOR! dates them all (some deployments list newest first). */
function chronological<T extends { at: string | null }>(logs: readonly T[]): T[] {
  const times = logs.map((l) => (l.at === null ? Number.NaN : Date.parse(l.at)));
  if (times.some((t) => Number.isNaN(t))) return [...logs];
  return logs.map((l, i) => ({ l, t: times[i] as number, i })).sort((a, b) => a.t - b.t || a.i - b.i).map((x) => x.l);
}

function earlier(a: string | null, b: string): string {
  return a === null || Date.parse(b) < Date.parse(a) ? b : a;
}

function later(a: string | null, b: string): string {
  return a === null || Date.parse(b) > Date.parse(a) ? b : a;
}

function lastLine(text: string): string {
  const lines = text.trimEnd().split('\n');
  return (lines[lines.length - 1] ?? '').trim();
}

/** Ids in a follow-up create reply: `followup_id`, or `id` under `data` / `results`, at any of those places. */
function replyIds(reply: string): string[] {
  let json: unknown;
  try {
    json = JSON.parse(reply);
  } catch {
    return [];
  }
  const out: string[] = [];
  const visit = (v: unknown, depth: number): void => {
    if (v === null || typeof v !== 'object' || depth > 3) return;
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
      if ((k === 'followup_id' || (k === 'id' && depth > 0)) && (typeof x === 'string' || typeof x === 'number')) out.push(String(x));
      else visit(x, depth + 1);
    }
  };
  visit(json, 0);
  return out;
}

/** What the source is told the status is: LAPOR!'s own status name, raw. */
function writeBackStatus(c: Change, currentStatus: string | null): string {
  return (c.kind === 'status' ? c.statusName : currentStatus) ?? 'Diteruskan ke SP4N-LAPOR!';
}

/** The note sent with a write-back (Bahasa Indonesia, for the citizen's app). */
function writeBackNote(c: Change, laporId: string): string {
  if (c.kind === 'followup') {
    const who = c.institutionName ? `Tindak lanjut dari ${c.institutionName}` : 'Tindak lanjut';
    return `${who} (SP4N-LAPOR! #${laporId}): ${c.content ?? ''}`.trim();
  }
  const disposed = c.dispositionId ? `; didisposisikan ke ${c.dispositionName ?? `instansi ${c.dispositionId}`}` : '';
  return `Status pengaduan di SP4N-LAPOR! #${laporId}: ${c.statusName ?? 'tidak diketahui'}${disposed}.`;
}
