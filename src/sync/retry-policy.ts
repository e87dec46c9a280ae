/**
 * The one place that computes backoff: exponential with full jitter, never sooner than the
 * server's Retry-After, and a retry window after which a record is `dead` and reported.
 */

export interface RetryPolicy {
  /** First delay before jitter. */
  readonly baseMs: number;
  /** Cap on the exponential delay. */
  readonly maxMs: number;
  /** How long a record may keep failing before it is `dead` (default 7 days). */
  readonly windowMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { baseMs: 30_000, maxMs: 3_600_000, windowMs: 7 * 86_400_000 };

/** Delay before try number `attempt + 1` (attempt counts from 1). */
export function backoffDelay(attempt: number, policy: RetryPolicy, retryAfterMs?: number, random: () => number = Math.random): number {
  const exp = Math.min(policy.maxMs, policy.baseMs * 2 ** Math.max(0, attempt - 1));
  const jittered = Math.round(random() * exp);
  return Math.max(jittered, retryAfterMs ?? 0);
}

export function isPastWindow(firstFailedAt: string | null, now: Date, policy: RetryPolicy): boolean {
  return firstFailedAt !== null && now.getTime() - Date.parse(firstFailedAt) > policy.windowMs;
}
