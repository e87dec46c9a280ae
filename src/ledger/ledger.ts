/**
 * The ledger contract: what intake, delivery and the auditor commands may ask of the ledger.
 *
 * The ledger is the only thing that joins intake and delivery (DESIGN §2). Every method that
 * changes state does so in one SQLite transaction, and every state change appends a hash-chained
 * event, so the ledger can later prove what happened to every complaint.
 */
import type { CanonicalComplaint } from '../mapping/canonical.js';
import type { RecordState } from './record-state.js';

/** Who did it: `system` for the bridge itself, otherwise the OS user of an operator action. */
export type Actor = string;

/**
 * Why a value carries a warning (see src/mapping/compile-mapping.ts for when each is used):
 * a code table had no entry, a transform rejected the value, a fallback candidate was used, a
 * default replaced a rejected value, validation dropped it, it was truncated, or it was generated.
 */
export type WarningCode = 'lookup_miss' | 'transform_failed' | 'fallback' | 'defaulted' | 'dropped' | 'truncated' | 'generated';

export interface Warning {
  readonly field: string;
  readonly message: string;
  /** Optional structure for reports (`mapping coverage`); older warnings have none. */
  readonly code?: WarningCode;
  /** The source value concerned, as text; never set for personal or free-text fields. */
  readonly value?: string;
  /** With `lookup_miss`: the table that missed (CSV file name, `inline`, or `region_code 36.01`). */
  readonly lookup?: string;
}

/** One mapped source record as intake hands it to the ledger. */
export type IntakeItem =
  | {
      readonly kind: 'mapped';
      readonly externalId: string;
      readonly complaint: CanonicalComplaint;
      /** SHA-256 over exactly what the sink would send (DESIGN §5). */
      readonly contentHash: string;
      readonly warnings: readonly Warning[];
      readonly mappingVersion: string;
      /** SHA-256 of the raw source record: tells a source change from a mapping change. */
      readonly sourceHash?: string;
    }
  | {
      readonly kind: 'quarantined';
      readonly externalId: string;
      readonly reason: string;
      /** Hash of the raw record and mapping version: the same failure is not re-recorded. */
      readonly failureHash: string;
      readonly mappingVersion: string;
    };

export type IntakeOutcome = 'new' | 'changed' | 'unchanged' | 'quarantined';

export interface IntakeCounts {
  new: number;
  changed: number;
  unchanged: number;
  quarantined: number;
  warnings: number;
}

export interface RecordRow {
  id: number;
  source_id: string;
  external_id: string;
  ticket: string | null;
  state: RecordState;
  version: number;
  content_hash: string | null;
  sending_version: number | null;
  sent_version: number | null;
  idempotency_key: string | null;
  lapor_id: string | null;
  attempt_count: number;
  next_attempt_at: string | null;
  first_failed_at: string | null;
  last_error: string | null;
  quarantine_reason: string | null;
  warning_count: number;
  received_at: string | null;
  first_seen_at: string;
  updated_at: string;
  delivered_at: string | null;
  send_generation: number;
}

export interface AttemptInput {
  readonly operation: 'upload' | 'create' | 'lookup' | 'fetch_attachment' | 'followup';
  readonly idempotencyKey?: string;
  readonly payloadHash?: string;
  readonly httpStatus?: number;
  readonly outcome: string;
  readonly latencyMs: number;
  readonly reply?: string;
  readonly error?: string;
  readonly at: string;
  /** The row `startAttempt` wrote before the call; it is completed instead of a new one added. */
  readonly startedId?: number;
}

/** What is known of a call before it is made (written first, so a crash mid-call leaves a trace). */
export type AttemptStart = Pick<AttemptInput, 'operation' | 'idempotencyKey' | 'payloadHash' | 'at'>;

export interface EventRow {
  id: number;
  at: string;
  record_id: number | null;
  source_id: string | null;
  run_id: number | null;
  type: string;
  from_state: string | null;
  to_state: string | null;
  actor: string;
  reason: string | null;
  data_json: string | null;
  prev_hash: string;
  hash: string;
}

export interface TransitionOptions {
  readonly reason?: string;
  readonly actor?: Actor;
  readonly runId?: number;
  readonly eventType?: string;
  readonly data?: Record<string, unknown>;
  /** An operator's forced move (see `forcedTransitions`); requires `actor` and `reason`. */
  readonly force?: boolean;
  /** Column updates made in the same transaction as the state change. */
  readonly set?: Partial<Pick<RecordRow, 'lapor_id' | 'next_attempt_at' | 'first_failed_at' | 'last_error' | 'sent_version' | 'delivered_at' | 'attempt_count' | 'sending_version' | 'idempotency_key' | 'send_generation'>>;
}
