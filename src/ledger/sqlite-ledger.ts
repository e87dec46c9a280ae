/**
 * The SQLite ledger (better-sqlite3, WAL, foreign keys, numbered migrations applied at open).
 *
 * Invariants kept here:
 * - a source's cursor only moves in the same transaction that makes its records durable;
 * - every state change is checked against the state machine and appends a hash-chained event;
 * - the NIK never reaches the database in clear: it is replaced by a keyed hash before storage.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { CanonicalComplaint } from '../mapping/canonical.js';
import { redactText } from '../util/redact.js';
import { hmacSha256, sha256, stableStringify } from '../util/stable-json.js';
import type {
  Actor,
  AttemptInput,
  AttemptStart,
  EventRow,
  IntakeCounts,
  IntakeItem,
  IntakeOutcome,
  RecordRow,
  TransitionOptions,
  Warning,
} from './ledger.js';
import { LATEST_VERSION, migrations } from './migrations/index.js';
import { assertForcedTransition, assertTransition, type RecordState } from './record-state.js';

export const GENESIS_HASH = '0'.repeat(64);

/** The records columns `transition()` may set (see TransitionOptions.set), plus state and updated_at. */
const TRANSITION_COLUMNS: ReadonlySet<string> = new Set([
  'state',
  'updated_at',
  'lapor_id',
  'next_attempt_at',
  'first_failed_at',
  'last_error',
  'sent_version',
  'delivered_at',
  'attempt_count',
  'sending_version',
  'idempotency_key',
  'send_generation',
]);

export interface SqliteLedgerOptions {
  /** Key for the NIK hash (a secret from config); without it NIKs are dropped, never stored. */
  readonly piiKey?: string;
  readonly now?: () => Date;
}

/** What the ledger stores instead of the canonical complaint: the NIK is a keyed hash. */
export type StoredComplaint = Omit<CanonicalComplaint, 'reporter'> & {
  reporter?: Omit<NonNullable<CanonicalComplaint['reporter']>, 'nik'> & { nik_hash?: string };
};

export interface RecordVersionRow {
  record_id: number;
  version: number;
  content_hash: string;
  canonical_json: string;
  warnings_json: string;
  mapping_version: string;
  created_at: string;
}

export class LedgerError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(`[ledger] ${message}`);
  }
}

export function osUser(): string {
  try {
    return os.userInfo().username;
  } catch {
    return process.env.USER ?? 'unknown';
  }
}

export class SqliteLedger {
  readonly db: Database.Database;
  private readonly now: () => Date;
  private readonly piiKey: string | undefined;

  private constructor(
    readonly path: string,
    db: Database.Database,
    options: SqliteLedgerOptions,
  ) {
    this.db = db;
    this.now = options.now ?? (() => new Date());
    this.piiKey = options.piiKey;
  }

  static open(file: string, options: SqliteLedgerOptions = {}): SqliteLedger {
    if (file !== ':memory:') {
      fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
      if (!fs.existsSync(file)) fs.closeSync(fs.openSync(file, 'a', 0o600));
    }
    const db = new Database(file);
    db.pragma('journal_mode = WAL');
    db.pragma('foreign_keys = ON');
    // NORMAL in WAL mode: a commit survives a killed process; a power cut may lose the newest
    // commits, which is safe for everything except a send intent (an outcome lost is a `sending`
    // row, hence in doubt and reconciled; an intake batch lost is read again). Intents are
    // committed FULL (`durably`), and a FULL commit also flushes every earlier one.
    db.pragma('synchronous = NORMAL');
    db.pragma('busy_timeout = 5000');
    const ledger = new SqliteLedger(file, db, options);
    ledger.migrate();
    return ledger;
  }

  close(): void {
    if (this.db.open) this.db.close();
  }

  private readonly statements = new Map<string, Database.Statement>();

  /** Prepared statements are compiled once per SQL text and reused (hot paths run per record). */
  private stmt(sql: string): Database.Statement {
    let s = this.statements.get(sql);
    if (!s) {
      s = this.db.prepare(sql);
      this.statements.set(sql, s);
    }
    return s;
  }

  schemaVersion(): number {
    return this.db.pragma('user_version', { simple: true }) as number;
  }

  private migrate(): void {
    const current = this.schemaVersion();
    if (current > LATEST_VERSION) {
      throw new LedgerError('LEDGER_TOO_NEW', `${this.path} has schema version ${current}, newer than this bridge knows (${LATEST_VERSION}); upgrade the bridge`);
    }
    for (const m of migrations) {
      if (m.version <= current) continue;
      this.db.transaction(() => {
        this.db.exec(m.sql);
        this.db.pragma(`user_version = ${m.version}`);
      }).immediate();
    }
  }

  private iso(): string {
    return this.now().toISOString();
  }

  // ---------------------------------------------------------------- events

  /** Appends one hash-chained event. Must run inside the caller's transaction. */
  appendEvent(e: {
    type: string;
    recordId?: number | null;
    sourceId?: string | null;
    runId?: number | null;
    fromState?: string | null;
    toState?: string | null;
    actor?: Actor;
    reason?: string | null;
    data?: Record<string, unknown> | null;
  }): EventRow {
    const prev = this.stmt('SELECT id, hash FROM events ORDER BY id DESC LIMIT 1').get() as { id: number; hash: string } | undefined;
    const row = {
      id: (prev?.id ?? 0) + 1,
      at: this.iso(),
      record_id: e.recordId ?? null,
      source_id: e.sourceId ?? null,
      run_id: e.runId ?? null,
      type: e.type,
      from_state: e.fromState ?? null,
      to_state: e.toState ?? null,
      actor: e.actor ?? 'system',
      // free text from servers and operators passes the redactor before it becomes permanent
      reason: e.reason ? redactText(e.reason) : null,
      data_json: e.data ? stableStringify(e.data) : null,
      prev_hash: prev?.hash ?? GENESIS_HASH,
    };
    const hash = eventHash(row);
    this.stmt(
        `INSERT INTO events (id, at, record_id, source_id, run_id, type, from_state, to_state, actor, reason, data_json, prev_hash, hash)
         VALUES (@id, @at, @record_id, @source_id, @run_id, @type, @from_state, @to_state, @actor, @reason, @data_json, @prev_hash, @hash)`,
      )
      .run({ ...row, hash });
    return { ...row, hash };
  }

  // ---------------------------------------------------------------- sources, cursors, runs

  ensureSource(id: string, kind: string): void {
    this.stmt('INSERT INTO sources (id, kind, created_at) VALUES (?, ?, ?) ON CONFLICT(id) DO UPDATE SET kind = excluded.kind').run(id, kind, this.iso());
  }

  getCursor<C>(sourceId: string): C | undefined {
    const row = this.stmt('SELECT cursor_json FROM cursors WHERE source_id = ?').get(sourceId) as { cursor_json: string } | undefined;
    return row ? (JSON.parse(row.cursor_json) as C) : undefined;
  }

  startRun(kind: string, sourceId: string | null): number {
    return this.db.transaction(() => {
      const id = Number(this.stmt("INSERT INTO runs (kind, source_id, started_at, status) VALUES (?, ?, ?, 'running')").run(kind, sourceId, this.iso()).lastInsertRowid);
      this.appendEvent({ type: 'run_started', sourceId, runId: id, data: { kind } });
      return id;
    }).immediate();
  }

  finishRun(runId: number, status: 'ok' | 'failed', counts: Record<string, unknown>, error?: string): void {
    this.db.transaction(() => {
      this.stmt('UPDATE runs SET finished_at = ?, status = ?, counts_json = ?, error = ? WHERE id = ?').run(this.iso(), status, stableStringify(counts), error ? redactText(error) : null, runId);
      this.appendEvent({ type: 'run_finished', runId, reason: error ?? null, data: { status, ...counts } });
    }).immediate();
  }

  // ---------------------------------------------------------------- intake

  /**
   * Makes one batch durable and moves the source's cursor, in ONE transaction (DESIGN §2):
   * a crash before the commit loses nothing, because the cursor has not moved either.
   */
  commitBatch(sourceId: string, runId: number, items: readonly IntakeItem[], cursor: unknown): { counts: IntakeCounts; outcomes: IntakeOutcome[] } {
    return this.db.transaction(() => {
      const counts: IntakeCounts = { new: 0, changed: 0, unchanged: 0, quarantined: 0, warnings: 0 };
      const outcomes: IntakeOutcome[] = [];
      for (const item of items) {
        const outcome = item.kind === 'mapped' ? this.intakeMapped(sourceId, runId, item) : this.intakeQuarantined(sourceId, runId, item);
        counts[outcome]++;
        if (item.kind === 'mapped' && outcome !== 'unchanged') counts.warnings += item.warnings.length;
        outcomes.push(outcome);
      }
      const counted = counts.new + counts.changed + counts.unchanged + counts.quarantined;
      if (counted !== items.length) throw new LedgerError('ACCOUNTING', `batch of ${items.length} records counted as ${counted}; nothing committed`);
      if (cursor !== undefined) {
        this.stmt('INSERT INTO cursors (source_id, cursor_json, updated_at) VALUES (?, ?, ?) ON CONFLICT(source_id) DO UPDATE SET cursor_json = excluded.cursor_json, updated_at = excluded.updated_at')
          .run(sourceId, JSON.stringify(cursor), this.iso());
      }
      return { counts, outcomes };
    }).immediate();
  }

  /** What `commitBatch` would do, with every write rolled back (`sync --dry-run`). */
  previewBatch(sourceId: string, runId: number, items: readonly IntakeItem[]): { counts: IntakeCounts; outcomes: IntakeOutcome[] } {
    let result: { counts: IntakeCounts; outcomes: IntakeOutcome[] } | undefined;
    const rollback = new Error('rollback');
    try {
      this.db.transaction(() => {
        result = this.commitBatch(sourceId, runId, items, undefined);
        throw rollback;
      }).immediate();
    } catch (err) {
      if (err !== rollback) throw err;
    }
    return result as { counts: IntakeCounts; outcomes: IntakeOutcome[] };
  }

  private findRecord(sourceId: string, externalId: string): RecordRow | undefined {
    return this.stmt('SELECT * FROM records WHERE source_id = ? AND external_id = ?').get(sourceId, externalId) as RecordRow | undefined;
  }

  private intakeMapped(sourceId: string, runId: number, item: Extract<IntakeItem, { kind: 'mapped' }>): IntakeOutcome {
    const now = this.iso();
    const existing = this.findRecord(sourceId, item.externalId);
    const c = item.complaint;
    if (!existing) {
      const id = Number(
        this.stmt(
            `INSERT INTO records (source_id, external_id, ticket, state, version, content_hash, warning_count, received_at, first_seen_at, updated_at)
             VALUES (?, ?, ?, 'pending', 1, ?, ?, ?, ?, ?)`,
          )
          .run(sourceId, item.externalId, c.source.ticket ?? null, item.contentHash, item.warnings.length, c.source.received_at, now, now).lastInsertRowid,
      );
      this.insertVersion(id, 1, item);
      this.appendEvent({
        type: 'received',
        recordId: id,
        sourceId,
        runId,
        fromState: 'new',
        toState: 'pending',
        data: { version: 1, content_hash: item.contentHash, mapping_version: item.mappingVersion, warnings: item.warnings },
      });
      return 'new';
    }
    if (existing.content_hash === item.contentHash && existing.state !== 'quarantined') return 'unchanged';

    const version = existing.version + 1;
    const ref = `${sourceId}/${item.externalId}`;
    let to: RecordState = existing.state;
    let type = 'changed';
    switch (existing.state) {
      case 'pending':
      case 'retry_wait':
      case 'rejected':
      case 'dead':
      case 'quarantined':
        // never sent (or sent and refused): the new version replaces the old one and goes out fresh
        to = 'pending';
        break;
      case 'delivered': {
        // the same source record mapped differently (a new mapping or lookup): nothing happened to
        // the complaint itself, so there is no update to report — only a new version on record
        const prior = this.stmt('SELECT source_hash FROM record_versions WHERE record_id = ? AND version = ?').get(existing.id, existing.version) as { source_hash: string | null } | undefined;
        if (item.sourceHash && prior?.source_hash === item.sourceHash) {
          type = 'remapped_after_delivery';
          break;
        }
        // keeps its LAPOR! id; never sent again as a new complaint
        to = 'update_pending';
        type = 'changed_after_delivery';
        break;
      }
      case 'update_pending':
        type = 'changed_after_delivery';
        break;
      default:
        // sending / in_doubt / needs_review / dropped: the version is stored, the state is left to
        // the in-flight send or the operator
        type = 'changed_in_flight';
    }
    if (to !== existing.state) assertTransition(existing.state, to, ref);
    const resetRetry = to === 'pending';
    this.stmt(
        `UPDATE records SET state = ?, version = ?, content_hash = ?, ticket = ?, warning_count = warning_count + ?, received_at = ?, updated_at = ?,
           quarantine_reason = NULL, quarantine_hash = NULL,
           attempt_count = CASE WHEN ? THEN 0 ELSE attempt_count END,
           next_attempt_at = CASE WHEN ? THEN NULL ELSE next_attempt_at END,
           first_failed_at = CASE WHEN ? THEN NULL ELSE first_failed_at END,
           last_error = CASE WHEN ? THEN NULL ELSE last_error END
         WHERE id = ?`,
      )
      .run(to, version, item.contentHash, c.source.ticket ?? null, item.warnings.length, c.source.received_at, now, +resetRetry, +resetRetry, +resetRetry, +resetRetry, existing.id);
    this.insertVersion(existing.id, version, item);
    this.appendEvent({
      type,
      recordId: existing.id,
      sourceId,
      runId,
      fromState: existing.state,
      toState: to,
      data: { version, previous_hash: existing.content_hash, content_hash: item.contentHash, mapping_version: item.mappingVersion, warnings: item.warnings },
    });
    return existing.state === 'quarantined' && existing.content_hash === null ? 'new' : 'changed';
  }

  private intakeQuarantined(sourceId: string, runId: number, item: Extract<IntakeItem, { kind: 'quarantined' }>): IntakeOutcome {
    const now = this.iso();
    const existing = this.findRecord(sourceId, item.externalId);
    if (!existing) {
      const id = Number(
        this.stmt(
            `INSERT INTO records (source_id, external_id, state, version, quarantine_reason, quarantine_hash, first_seen_at, updated_at)
             VALUES (?, ?, 'quarantined', 0, ?, ?, ?, ?)`,
          )
          .run(sourceId, item.externalId, item.reason, item.failureHash, now, now).lastInsertRowid,
      );
      this.appendEvent({ type: 'quarantined', recordId: id, sourceId, runId, fromState: 'new', toState: 'quarantined', reason: item.reason, data: { mapping_version: item.mappingVersion } });
      return 'quarantined';
    }
    const row = this.stmt('SELECT quarantine_hash FROM records WHERE id = ?').get(existing.id) as { quarantine_hash: string | null };
    if (row.quarantine_hash === item.failureHash) return 'unchanged';
    const stillUnsent = ['pending', 'retry_wait', 'rejected', 'dead', 'quarantined'].includes(existing.state);
    if (stillUnsent) {
      if (existing.state !== 'quarantined') assertTransition(existing.state, 'quarantined', `${sourceId}/${item.externalId}`);
      this.stmt("UPDATE records SET state = 'quarantined', quarantine_reason = ?, quarantine_hash = ?, next_attempt_at = NULL, updated_at = ? WHERE id = ?")
        .run(item.reason, item.failureHash, now, existing.id);
      this.appendEvent({ type: 'quarantined', recordId: existing.id, sourceId, runId, fromState: existing.state, toState: 'quarantined', reason: item.reason, data: { mapping_version: item.mappingVersion } });
      return 'quarantined';
    }
    // already at LAPOR! (or on its way): the bad update is recorded, the delivered complaint stands
    this.stmt('UPDATE records SET quarantine_reason = ?, quarantine_hash = ?, warning_count = warning_count + 1, updated_at = ? WHERE id = ?').run(item.reason, item.failureHash, now, existing.id);
    this.appendEvent({ type: 'update_quarantined', recordId: existing.id, sourceId, runId, fromState: existing.state, toState: existing.state, reason: item.reason, data: { mapping_version: item.mappingVersion } });
    return 'quarantined';
  }

  private insertVersion(recordId: number, version: number, item: Extract<IntakeItem, { kind: 'mapped' }>): void {
    this.stmt('INSERT INTO record_versions (record_id, version, content_hash, canonical_json, warnings_json, mapping_version, created_at, source_hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
      .run(recordId, version, item.contentHash, JSON.stringify(this.toStored(item.complaint)), JSON.stringify(item.warnings), item.mappingVersion, this.iso(), item.sourceHash ?? null);
  }

  /** Replaces the NIK by a keyed hash (or drops it when no key is configured). */
  toStored(c: CanonicalComplaint): StoredComplaint {
    if (!c.reporter) return c;
    const { nik, ...rest } = c.reporter;
    const reporter: NonNullable<StoredComplaint['reporter']> = { ...rest };
    if (nik && this.piiKey) reporter.nik_hash = `hmac-sha256:${hmacSha256(this.piiKey, nik)}`;
    return { ...c, reporter };
  }

  // ---------------------------------------------------------------- delivery

  getRecord(id: number): RecordRow {
    const row = this.stmt('SELECT * FROM records WHERE id = ?').get(id) as RecordRow | undefined;
    if (!row) throw new LedgerError('NO_SUCH_RECORD', `no record with id ${id}`);
    return row;
  }

  getVersion(recordId: number, version: number): RecordVersionRow {
    const row = this.stmt('SELECT * FROM record_versions WHERE record_id = ? AND version = ?').get(recordId, version) as RecordVersionRow | undefined;
    if (!row) throw new LedgerError('NO_SUCH_VERSION', `record ${recordId} has no version ${version}`);
    return row;
  }

  loadComplaint(recordId: number, version: number): StoredComplaint {
    return JSON.parse(this.getVersion(recordId, version).canonical_json) as StoredComplaint;
  }

  /** Records the delivery loop should send now, oldest first. */
  dueRecords(limit: number, sourceId?: string, afterId = 0): RecordRow[] {
    const now = this.iso();
    return this.stmt(
        `SELECT * FROM records
         WHERE (state = 'pending' OR (state = 'retry_wait' AND next_attempt_at <= ?))
           AND (? IS NULL OR source_id = ?) AND id > ?
         ORDER BY id LIMIT ?`,
      )
      .all(now, sourceId ?? null, sourceId ?? null, afterId, limit) as RecordRow[];
  }

  recordsInState(state: RecordState, limit = 1000, sourceId?: string): RecordRow[] {
    return this.stmt('SELECT * FROM records WHERE state = ? AND (? IS NULL OR source_id = ?) ORDER BY id LIMIT ?')
      .all(state, sourceId ?? null, sourceId ?? null, limit) as RecordRow[];
  }

  /**
   * Writes the durable intent before a send, in one immediate transaction: re-reads the row,
   * takes it only if it is still in one of the `expected` states (another pass, intake or an
   * operator may have moved it since it was listed), and moves it to `sending` with the version
   * and idempotency key `choose` picks from the row as it is now.
   */
  claimForSend(
    recordId: number,
    expected: readonly RecordState[],
    choose: (fresh: RecordRow) => { version: number; key: string },
    options: { runId?: number; eventType: string },
  ): { row: RecordRow; version: number; key: string } | undefined {
    return this.claimManyForSend([recordId], expected, choose, options)[0];
  }

  /**
   * The send intents of several records in ONE durable commit (one fsync for a whole wave of
   * concurrent sends): each record still as expected moves to `sending` with its key; the others
   * (moved meanwhile by intake, another pass or an operator) are left out.
   */
  claimManyForSend(
    recordIds: readonly number[],
    expected: readonly RecordState[],
    choose: (fresh: RecordRow) => { version: number; key: string },
    options: { runId?: number; eventType: string },
  ): { row: RecordRow; version: number; key: string }[] {
    return this.durably(() =>
      this.db.transaction(() => {
        const claims: { row: RecordRow; version: number; key: string }[] = [];
        for (const recordId of recordIds) {
          const fresh = this.getRecord(recordId);
          if (!expected.includes(fresh.state)) continue;
          const { version, key } = choose(fresh);
          this.transition(recordId, 'sending', {
            runId: options.runId,
            eventType: options.eventType,
            set: { sending_version: version, idempotency_key: key, attempt_count: fresh.attempt_count + 1 },
            data: { version, idempotency_key: key },
          });
          claims.push({ row: fresh, version, key });
        }
        return claims;
      }).immediate(),
    );
  }

  /** How many times a record version was already sent again after an in-doubt lookup found nothing. */
  resendsAfterDoubt(recordId: number, key: string): number {
    return (
      this.stmt("SELECT count(*) AS n FROM events WHERE record_id = ? AND type IN ('resend_after_lookup', 'resend_in_doubt') AND json_extract(data_json, '$.idempotency_key') = ?")
        .get(recordId, key) as { n: number }
    ).n;
  }

  /**
   * Moves a record to a new state (checked against the state machine), applying column updates
   * and appending the event, in one transaction.
   */
  transition(recordId: number, to: RecordState, options: TransitionOptions = {}): RecordRow {
    return this.db.transaction(() => {
      const row = this.getRecord(recordId);
      const ref = `${row.source_id}/${row.external_id}`;
      if (options.force) {
        if (!options.actor || !options.reason) throw new LedgerError('FORCE_NEEDS_REASON', `record ${ref}: a forced change needs who and why`);
        assertForcedTransition(row.state, to, ref);
      } else assertTransition(row.state, to, ref);
      const set: Record<string, unknown> = { ...options.set, state: to, updated_at: this.iso() };
      if (typeof set.last_error === 'string') set.last_error = redactText(set.last_error);
      const cols = Object.keys(set);
      // column names go into the SQL text: only the known ones (values are always bound)
      for (const c of cols) if (!TRANSITION_COLUMNS.has(c)) throw new LedgerError('BAD_COLUMN', `transition: "${c}" is not a records column that a transition may set`);
      this.stmt(`UPDATE records SET ${cols.map((c) => `${c} = @${c}`).join(', ')} WHERE id = @id`).run({ ...set, id: recordId });
      this.appendEvent({
        type: options.eventType ?? `state_${to}`,
        recordId,
        sourceId: row.source_id,
        runId: options.runId,
        fromState: row.state,
        toState: to,
        actor: options.actor,
        reason: options.reason,
        data: options.data,
      });
      const after = this.getRecord(recordId);
      if ((to === 'delivered' || to === 'update_pending') && after.lapor_id) this.startFollowing(after);
      return after;
    }).immediate();
  }

  /**
   * A complaint at LAPOR! is followed from the moment it is delivered (issue #7): its `follow` row
   * is due for a first check at once. Sent again under a new LAPOR! id (resend --force), it is
   * followed afresh; the history of the earlier id stays in `statuses`.
   */
  startFollowing(r: RecordRow): void {
    this.stmt(
      `INSERT INTO follow (record_id, lapor_id, submitted_at, stage) VALUES (?, ?, ?, 'received')
       ON CONFLICT (record_id) DO UPDATE SET lapor_id = excluded.lapor_id, submitted_at = excluded.submitted_at,
         status_name = NULL, status_code = NULL, stage = 'received', disposition_id = NULL, disposition_name = NULL,
         verified_at = NULL, disposed_at = NULL, first_followup_at = NULL, last_followup_at = NULL, closed_at = NULL,
         followup_count = 0, log_count = 0, final = 0, last_checked_at = NULL, last_change_at = NULL, next_check_at = NULL,
         check_failures = 0, last_error = NULL, sla_stage = NULL, sla_deadline = NULL, sla_next_deadline = NULL,
         sla_at_risk = 0, sla_overdue = 0, sla_overdue_reason = NULL, sla_computed_at = NULL
       WHERE follow.lapor_id <> excluded.lapor_id`,
    ).run(r.id, r.lapor_id, r.delivered_at ?? r.updated_at);
  }

  /**
   * Writes an attempt row before the call (outcome `started`). A process killed during the call
   * leaves it so: the ledger then shows a call that may have reached the destination.
   */
  startAttempt(recordId: number, version: number, a: AttemptStart): number {
    return Number(
      this.stmt(`INSERT INTO attempts (record_id, version, at, operation, idempotency_key, payload_hash, outcome, latency_ms) VALUES (?, ?, ?, ?, ?, ?, 'started', 0)`)
        .run(recordId, version, a.at, a.operation, a.idempotencyKey ?? null, a.payloadHash ?? null).lastInsertRowid,
    );
  }

  /**
   * Runs `fn` (a transaction) so that its commit survives a power cut, not only a crash: the
   * send intent, which must be on disk before the call it announces (DESIGN §2).
   */
  private durably<T>(fn: () => T): T {
    if (this.db.inTransaction) return fn();
    this.db.pragma('synchronous = FULL');
    try {
      return fn();
    } finally {
      this.db.pragma('synchronous = NORMAL');
    }
  }

  recordAttempt(recordId: number, version: number, a: AttemptInput): void {
    if (a.startedId !== undefined) {
      this.stmt('UPDATE attempts SET http_status = ?, outcome = ?, latency_ms = ?, reply = ?, error = ? WHERE id = ? AND record_id = ?')
        .run(a.httpStatus ?? null, a.outcome, Math.round(a.latencyMs), a.reply?.slice(0, 2000) ?? null, a.error?.slice(0, 2000) ?? null, a.startedId, recordId);
      return;
    }
    this.stmt(
        `INSERT INTO attempts (record_id, version, at, operation, idempotency_key, payload_hash, http_status, outcome, latency_ms, reply, error)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(recordId, version, a.at, a.operation, a.idempotencyKey ?? null, a.payloadHash ?? null, a.httpStatus ?? null, a.outcome, Math.round(a.latencyMs), a.reply?.slice(0, 2000) ?? null, a.error?.slice(0, 2000) ?? null);
  }

  /** Adds warnings found at delivery time (e.g. an attachment that answered 404). */
  addDeliveryWarnings(recordId: number, warnings: readonly Warning[], runId?: number): void {
    if (warnings.length === 0) return;
    this.db.transaction(() => {
      const row = this.getRecord(recordId);
      this.stmt('UPDATE records SET warning_count = warning_count + ? WHERE id = ?').run(warnings.length, recordId);
      this.appendEvent({ type: 'delivery_warnings', recordId, sourceId: row.source_id, runId, data: { warnings } });
    }).immediate();
  }

  /**
   * At start-up, a row still in `sending` is a send whose outcome was never recorded (a crash
   * between the HTTP call and the commit). It may exist at LAPOR!, so it becomes `in_doubt`.
   */
  recoverInterruptedSends(runId?: number): number {
    const rows = this.recordsInState('sending', Number.MAX_SAFE_INTEGER);
    for (const r of rows) {
      this.transition(r.id, 'in_doubt', { runId, reason: 'found in sending at start-up: the outcome of the last send was never recorded', eventType: 'interrupted_send' });
    }
    return rows.length;
  }

  // ---------------------------------------------------------------- destination health

  destinationPause(name: string): { paused: boolean; reason: string | null; since: string | null } {
    const row = this.stmt('SELECT paused, pause_reason, paused_at FROM destinations WHERE name = ?').get(name) as { paused: number; pause_reason: string | null; paused_at: string | null } | undefined;
    return { paused: !!row?.paused, reason: row?.pause_reason ?? null, since: row?.paused_at ?? null };
  }

  setDestinationPaused(name: string, paused: boolean, reason: string, actor: Actor = 'system'): void {
    this.db.transaction(() => {
      this.stmt('INSERT INTO destinations (name, paused, pause_reason, paused_at) VALUES (?, ?, ?, ?) ON CONFLICT(name) DO UPDATE SET paused = excluded.paused, pause_reason = excluded.pause_reason, paused_at = excluded.paused_at')
        .run(name, +paused, paused ? reason : null, paused ? this.iso() : null);
      this.appendEvent({ type: paused ? 'destination_paused' : 'destination_resumed', actor, reason, data: { destination: name } });
    }).immediate();
  }

  /** The mapping version the source was last read completely with (null before the first run). */
  sourceMappingVersion(id: string): string | null {
    return (this.stmt('SELECT mapping_version FROM sources WHERE id = ?').get(id) as { mapping_version: string | null } | undefined)?.mapping_version ?? null;
  }

  setSourceMappingVersion(id: string, version: string, runId?: number): void {
    this.db.transaction(() => {
      const before = this.sourceMappingVersion(id);
      if (before === version) return;
      this.stmt('UPDATE sources SET mapping_version = ? WHERE id = ?').run(version, id);
      this.appendEvent({ type: 'mapping_version', sourceId: id, runId, data: { from: before, to: version } });
    }).immediate();
  }

  sourcePause(id: string): { paused: boolean; reason: string | null; since: string | null } {
    const row = this.stmt('SELECT paused, pause_reason, paused_at FROM sources WHERE id = ?').get(id) as { paused: number; pause_reason: string | null; paused_at: string | null } | undefined;
    return { paused: !!row?.paused, reason: row?.pause_reason ?? null, since: row?.paused_at ?? null };
  }

  setSourcePaused(id: string, paused: boolean, reason: string, actor: Actor = 'system'): void {
    this.db.transaction(() => {
      const r = this.stmt('UPDATE sources SET paused = ?, pause_reason = ?, paused_at = ? WHERE id = ?').run(+paused, paused ? reason : null, paused ? this.iso() : null, id);
      if (r.changes === 0) throw new LedgerError('NO_SUCH_SOURCE', `no source "${id}" in the ledger (it appears after its first sync)`);
      this.appendEvent({ type: paused ? 'source_paused' : 'source_resumed', sourceId: id, actor, reason });
    }).immediate();
  }

  // ---------------------------------------------------------------- queries

  countsByState(sourceId?: string): Record<string, number> {
    // for all sources a plain GROUP BY is a covering scan of the state index; the
    // `? IS NULL OR source_id = ?` form made SQLite read every row for its source_id (issue #9)
    const rows = (
      (sourceId ?? null) === null
        ? this.stmt('SELECT state, count(*) AS n FROM records GROUP BY state ORDER BY state').all()
        : this.stmt('SELECT state, count(*) AS n FROM records WHERE source_id = ? GROUP BY state ORDER BY state').all(sourceId)
    ) as { state: string; n: number }[];
    return Object.fromEntries(rows.map((r) => [r.state, r.n]));
  }

  /** Finds a record by `source/external_id`, LAPOR! id, source ticket or ledger id. */
  findByRef(ref: string): RecordRow | undefined {
    const slash = ref.indexOf('/');
    if (slash > 0) {
      const hit = this.findRecord(ref.slice(0, slash), ref.slice(slash + 1));
      if (hit) return hit;
    }
    return (this.stmt('SELECT * FROM records WHERE lapor_id = ? OR ticket = ? ORDER BY id LIMIT 1').get(ref, ref) as RecordRow | undefined) ??
      (/^\d+$/.test(ref) ? (this.stmt('SELECT * FROM records WHERE id = ?').get(Number(ref)) as RecordRow | undefined) : undefined);
  }

  /** LAPOR! ids of earlier copies, superseded by an operator's forced resend. */
  previousLaporIds(recordId: number): string[] {
    return (this.stmt("SELECT json_extract(data_json, '$.previous_lapor_id') AS id FROM events WHERE record_id = ? AND type = 'operator_resend_forced'").all(recordId) as { id: string | null }[])
      .map((r) => r.id)
      .filter((id): id is string => !!id);
  }

  eventsFor(recordId: number): EventRow[] {
    return this.stmt('SELECT * FROM events WHERE record_id = ? ORDER BY id').all(recordId) as EventRow[];
  }

  attemptsFor(recordId: number): Record<string, unknown>[] {
    return this.stmt('SELECT at, operation, version, idempotency_key, http_status, outcome, latency_ms, reply, error FROM attempts WHERE record_id = ? ORDER BY id').all(recordId) as Record<string, unknown>[];
  }

  versionsFor(recordId: number): RecordVersionRow[] {
    return this.stmt('SELECT * FROM record_versions WHERE record_id = ? ORDER BY version').all(recordId) as RecordVersionRow[];
  }

  listRecords(filter: { state?: string; sourceId?: string; limit?: number }): RecordRow[] {
    return this.stmt('SELECT * FROM records WHERE (? IS NULL OR state = ?) AND (? IS NULL OR source_id = ?) ORDER BY id DESC LIMIT ?')
      .all(filter.state ?? null, filter.state ?? null, filter.sourceId ?? null, filter.sourceId ?? null, filter.limit ?? 100) as RecordRow[];
  }

  warningTotal(): number {
    return (this.stmt('SELECT coalesce(sum(warning_count), 0) AS n FROM records').get() as { n: number }).n;
  }

  lastRuns(limit = 10): Record<string, unknown>[] {
    return this.stmt('SELECT * FROM runs ORDER BY id DESC LIMIT ?').all(limit) as Record<string, unknown>[];
  }

  oldestUndelivered(): string | null {
    const row = this.stmt("SELECT min(first_seen_at) AS t FROM records WHERE state IN ('pending','sending','retry_wait','in_doubt','needs_review')")
      .get() as { t: string | null };
    return row.t;
  }
}

export function eventHash(row: Omit<EventRow, 'hash'>): string {
  const { prev_hash, ...content } = row;
  return sha256(`${prev_hash}\n${stableStringify(content)}`);
}
