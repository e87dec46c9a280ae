/**
 * The destination contract. A sink turns a canonical complaint into calls to one LAPOR!
 * dialect and reports what happened as a `DeliveryOutcome`; the ledger bookkeeping is the
 * delivery loop's job, not the sink's.
 */
import type { StoredComplaint } from '../ledger/sqlite-ledger.js';
import type { AttemptInput, AttemptStart, Warning } from '../ledger/ledger.js';

export type FailureClass = 'retry' | 'rejected' | 'paused' | 'in_doubt' | 'exists';

export type DeliveryOutcome =
  | { readonly kind: 'delivered'; readonly laporId: string }
  /** 409 / "already exists": the complaint is there; adopt its id */
  | { readonly kind: 'exists'; readonly laporId: string | undefined; readonly reason: string }
  | { readonly kind: 'retry'; readonly reason: string; readonly retryAfterMs?: number }
  | { readonly kind: 'rejected'; readonly reason: string }
  | { readonly kind: 'paused'; readonly reason: string }
  | { readonly kind: 'in_doubt'; readonly reason: string };

export interface DeliveryContext {
  readonly idempotencyKey: string;
  readonly signal?: AbortSignal;
  /** Called once per HTTP call, so the ledger holds one attempt row per call. */
  readonly onAttempt: (attempt: AttemptInput) => void;
  /** Called just before a create is sent; its id is passed back in `onAttempt` as `startedId`. */
  readonly onAttemptStart?: (attempt: AttemptStart) => number;
  /** Values dropped while sending (an attachment that answered 404). */
  readonly onWarning: (warning: Warning) => void;
}

export interface LookupContext extends Pick<DeliveryContext, 'signal' | 'onAttempt'> {
  /** LAPOR! ids that do not count as a match (earlier copies before an operator's forced resend). */
  readonly exclude?: readonly string[];
}

export type LookupResult = { readonly found: true; readonly laporId: string } | { readonly found: false };

export interface Sink {
  readonly dialect: string;
  readonly name: string;
  readonly capabilities: { readonly lookup: boolean };
  /**
   * Exactly the part of the complaint this dialect sends. The ledger's content hash covers it,
   * so a change the destination would never see makes no API call.
   */
  sentView(complaint: StoredComplaint): unknown;
  deliver(complaint: StoredComplaint, ctx: DeliveryContext): Promise<DeliveryOutcome>;
  /**
   * Sends a change of an already-delivered complaint as a follow-up note on it (never a new
   * complaint). Optional: dialects without it only record changes.
   */
  sendUpdate?(laporId: string, complaint: StoredComplaint, ctx: DeliveryContext): Promise<DeliveryOutcome>;
  /** Finds an already-filed complaint by its exact source reference. */
  lookup?(complaint: StoredComplaint, ctx: LookupContext): Promise<LookupResult>;
  close(): Promise<void>;
}

export function sourceRef(c: Pick<StoredComplaint, 'source'>): string {
  return `${c.source.system}/${c.source.external_id}`;
}
