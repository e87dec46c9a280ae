/**
 * Where a followed complaint stands against the SLA: the bridge's `follow` row (or, for a
 * delivered complaint not yet checked, its delivery time) turned into the SLA engine's input.
 */
import { slaFor, type SlaResult, type SlaState } from '../sla/sla-rules.js';
import type { SlaSetup } from '../sla/sla-setup.js';

/** The columns of a `follow` row the SLA depends on (see migration 005). */
export interface FollowTimes {
  readonly submitted_at: string;
  readonly verified_at: string | null;
  readonly disposed_at: string | null;
  readonly last_followup_at: string | null;
  readonly closed_at: string | null;
  /** The follow-through stage: `closed` and `rejected` are final. */
  readonly stage: string;
}

export function slaStateOf(f: FollowTimes): SlaState {
  const final = f.stage === 'closed' || f.stage === 'rejected';
  return {
    submitted_at: f.submitted_at,
    verified_at: f.verified_at,
    disposed_at: f.disposed_at,
    last_followup_at: f.last_followup_at,
    // a final status without its time (unusual) still ends the clock
    closed_at: f.closed_at ?? (final ? f.submitted_at : null),
    status: f.stage,
  };
}

export function followSla(f: FollowTimes, setup: SlaSetup, now: Date): SlaResult {
  return slaFor(slaStateOf(f), setup.rules, setup.calendar, now);
}
