/**
 * Operator actions (DESIGN §5, §8): retry, forced resend, resolve, pause and resume. Each is one
 * ledger transaction per record and appends an event with who (the OS user) and why.
 *
 * These run beside a live daemon: each is a single state-machine-checked transaction, so a row
 * the daemon is sending cannot be moved from under it (the transition is refused).
 */
import type { RecordRow } from '../ledger/ledger.js';
import { IllegalTransitionError, type RecordState } from '../ledger/record-state.js';
import { LedgerError, type SqliteLedger } from '../ledger/sqlite-ledger.js';

export class OperatorActionError extends Error {
  constructor(
    readonly code: 'NO_SUCH_RECORD' | 'WRONG_STATE' | 'NEEDS_REASON' | 'NO_SUCH_SOURCE',
    message: string,
  ) {
    super(message);
  }
}

export interface ActionResult {
  readonly ref: string;
  readonly from: RecordState;
  readonly to: RecordState;
}

const refOf = (r: RecordRow) => `${r.source_id}/${r.external_id}`;

function find(ledger: SqliteLedger, ref: string): RecordRow {
  const r = ledger.findByRef(ref);
  if (!r) throw new OperatorActionError('NO_SUCH_RECORD', `no record matches "${ref}" (use source/external_id, a LAPOR! id or a ticket)`);
  return r;
}

function requireReason(reason: string | undefined, what: string): string {
  if (!reason?.trim()) throw new OperatorActionError('NEEDS_REASON', `${what} needs --reason "<why>"; it is recorded in the ledger`);
  return reason.trim();
}

/** States `retry` accepts: sending the same version again with the same key is always safe. */
export const RETRYABLE_STATES: readonly RecordState[] = ['retry_wait', 'dead', 'rejected'];

/** Makes records due now, with the same idempotency key (same version, same generation). */
export function retry(ledger: SqliteLedger, target: { ref?: string; state?: RecordState }, actor: string, reason?: string): ActionResult[] {
  const rows = target.ref ? [find(ledger, target.ref)] : ledger.recordsInState(target.state as RecordState, Number.MAX_SAFE_INTEGER);
  const out: ActionResult[] = [];
  for (const r of rows) {
    if (!RETRYABLE_STATES.includes(r.state)) {
      if (target.ref) throw new OperatorActionError('WRONG_STATE', `${refOf(r)} is ${r.state}; retry applies to ${RETRYABLE_STATES.join(', ')}${r.state === 'needs_review' ? ' (use resolve)' : r.state === 'delivered' ? ' (use resend --force to send a second copy)' : ''}`);
      continue;
    }
    ledger.transition(r.id, 'pending', {
      eventType: 'operator_retry',
      actor,
      reason: reason ?? 'operator retry',
      set: { next_attempt_at: null, first_failed_at: r.state === 'dead' ? null : r.first_failed_at },
    });
    out.push({ ref: refOf(r), from: r.state, to: 'pending' });
  }
  return out;
}

/**
 * Sends a complaint again as a NEW complaint (new idempotency key). The only way a complaint is
 * ever sent twice; it needs a reason, and the previous LAPOR! id stays in the event history.
 */
export function forceResend(ledger: SqliteLedger, ref: string, actor: string, reason: string | undefined): ActionResult {
  const why = requireReason(reason, 'resend --force');
  const r = find(ledger, ref);
  if (r.state === 'pending' || r.state === 'sending' || r.state === 'quarantined') {
    throw new OperatorActionError('WRONG_STATE', `${refOf(r)} is ${r.state}; there is nothing to resend${r.state === 'quarantined' ? ' (fix the mapping or the source record)' : ''}`);
  }
  try {
    ledger.transition(r.id, 'pending', {
      force: true,
      eventType: 'operator_resend_forced',
      actor,
      reason: why,
      set: { send_generation: r.send_generation + 1, next_attempt_at: null, first_failed_at: null, last_error: null },
      data: { previous_lapor_id: r.lapor_id, generation: r.send_generation + 1 },
    });
  } catch (err) {
    if (err instanceof IllegalTransitionError) throw new OperatorActionError('WRONG_STATE', `${refOf(r)} is ${r.state}; it cannot be resent`);
    throw err;
  }
  return { ref: refOf(r), from: r.state, to: 'pending' };
}

export type Resolution = { readonly laporId: string } | { readonly resend: true } | { readonly drop: true };

/** Settles a record an operator has checked by hand (needs_review, in_doubt). */
export function resolve(ledger: SqliteLedger, ref: string, how: Resolution, actor: string, reason: string | undefined): ActionResult {
  const r = find(ledger, ref);
  const allowed: RecordState[] = ['needs_review', 'in_doubt'];
  if ('drop' in how) allowed.push('rejected', 'dead', 'quarantined', 'retry_wait', 'pending');
  if (!allowed.includes(r.state)) throw new OperatorActionError('WRONG_STATE', `${refOf(r)} is ${r.state}; resolve applies to ${allowed.join(', ')}`);
  if ('laporId' in how) {
    const to: RecordState = r.sending_version !== null && r.version > r.sending_version ? 'update_pending' : 'delivered';
    ledger.transition(r.id, to, {
      eventType: 'operator_resolved_delivered',
      actor,
      reason: reason ?? `checked by hand: LAPOR! id ${how.laporId}`,
      set: { lapor_id: how.laporId, sent_version: r.sending_version ?? r.version, delivered_at: new Date().toISOString(), last_error: null },
      data: { lapor_id: how.laporId },
    });
    return { ref: refOf(r), from: r.state, to };
  }
  if ('resend' in how) {
    // the operator checked LAPOR! and it is not there: sending once more is not a duplicate
    ledger.transition(r.id, 'pending', { force: true, eventType: 'operator_resolved_resend', actor, reason: requireReason(reason, 'resolve --resend'), set: { next_attempt_at: null } });
    return { ref: refOf(r), from: r.state, to: 'pending' };
  }
  const why = requireReason(reason, 'resolve --drop');
  ledger.transition(r.id, 'dropped', { force: true, eventType: 'operator_dropped', actor, reason: why });
  return { ref: refOf(r), from: r.state, to: 'dropped' };
}

export function pauseDestination(ledger: SqliteLedger, name: string, paused: boolean, actor: string, reason: string | undefined): void {
  ledger.setDestinationPaused(name, paused, paused ? requireReason(reason, 'pause') : (reason ?? 'operator resume'), actor);
}

export function pauseSource(ledger: SqliteLedger, sourceId: string, paused: boolean, actor: string, reason: string | undefined): void {
  const why = paused ? requireReason(reason, 'pause --source') : (reason ?? 'operator resume');
  try {
    ledger.setSourcePaused(sourceId, paused, why, actor);
  } catch (err) {
    if (err instanceof LedgerError && err.code === 'NO_SUCH_SOURCE') throw new OperatorActionError('NO_SUCH_SOURCE', err.message);
    throw err;
  }
}
