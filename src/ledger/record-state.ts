/**
 * The record state machine (DESIGN §5), in one place.
 *
 * Every state change in the ledger goes through `assertTransition`, so an illegal move (say,
 * `delivered → sending`, which would send a complaint twice) fails loudly instead of happening.
 */

export const recordStates = [
  'new',
  'pending',
  'sending',
  'delivered',
  'retry_wait',
  'rejected',
  'in_doubt',
  'needs_review',
  'dead',
  'dropped',
  'quarantined',
  'update_pending',
] as const;

export type RecordState = (typeof recordStates)[number];

const transitions: Record<RecordState, readonly RecordState[]> = {
  // intake decides whether a first sighting can be sent at all
  new: ['pending', 'quarantined'],
  // a newer source version that no longer maps is quarantined rather than sent stale
  pending: ['sending', 'quarantined'],
  // the outcome of one send; `pending` is the destination-paused case (401/403), which marks
  // nothing failed; `update_pending` is a delivery whose source changed while it was in flight
  sending: ['delivered', 'update_pending', 'retry_wait', 'rejected', 'in_doubt', 'pending', 'dead'],
  retry_wait: ['sending', 'dead', 'pending', 'quarantined'],
  // reconciliation: found by lookup → delivered; not found → send once more; no lookup → review
  in_doubt: ['delivered', 'update_pending', 'sending', 'needs_review'],
  // operator: `resolve --lapor-id` → delivered, `--resend` → pending, `--drop` → dropped
  needs_review: ['delivered', 'update_pending', 'pending', 'dropped'],
  // a changed source record or an operator `retry` gives these another chance
  rejected: ['pending', 'quarantined'],
  dead: ['pending', 'quarantined'],
  dropped: [],
  // fixed mapping or fixed source data ⇒ re-evaluated
  quarantined: ['pending'],
  delivered: ['update_pending'],
  update_pending: ['delivered'],
};

export function canTransition(from: RecordState, to: RecordState): boolean {
  return transitions[from].includes(to);
}

export class IllegalTransitionError extends Error {
  readonly code = 'ILLEGAL_TRANSITION';
  constructor(
    readonly from: RecordState,
    readonly to: RecordState,
    readonly ref: string,
  ) {
    super(`[ledger] record ${ref}: illegal state change ${from} → ${to}`);
  }
}

export function assertTransition(from: RecordState, to: RecordState, ref: string): void {
  if (!canTransition(from, to)) throw new IllegalTransitionError(from, to, ref);
}

export function allowedTransitions(from: RecordState): readonly RecordState[] {
  return transitions[from];
}

/**
 * Moves only an operator may make, with a reason, each logged as an event with who and why.
 * `delivered → pending` is `resend --force`: the one way a complaint is ever sent twice.
 */
const forcedTransitions: Partial<Record<RecordState, readonly RecordState[]>> = {
  delivered: ['pending'],
  update_pending: ['pending'],
  in_doubt: ['pending', 'dropped'],
  needs_review: ['pending'],
  rejected: ['pending', 'dropped'],
  dead: ['pending', 'dropped'],
  dropped: ['pending'],
  retry_wait: ['pending', 'dropped'],
  pending: ['dropped'],
  quarantined: ['dropped'],
};

export function canForceTransition(from: RecordState, to: RecordState): boolean {
  return canTransition(from, to) || (forcedTransitions[from] ?? []).includes(to);
}

export function assertForcedTransition(from: RecordState, to: RecordState, ref: string): void {
  if (!canForceTransition(from, to)) throw new IllegalTransitionError(from, to, ref);
}

/** States a record can be sent from by the delivery loop. */
export const SENDABLE_STATES: readonly RecordState[] = ['pending', 'retry_wait'];
/** States that mean "not at LAPOR! yet and still owed". */
export const UNDELIVERED_STATES: readonly RecordState[] = ['pending', 'sending', 'retry_wait', 'in_doubt', 'needs_review'];
