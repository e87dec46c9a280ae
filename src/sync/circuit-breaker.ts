/**
 * Destination circuit breaker: after `threshold` consecutive transient failures (retry or
 * in-doubt outcomes: the gateway is struggling) the circuit opens, and each delivery pass sends
 * a single probe instead of its whole batch. A probe that gets any real answer (delivered,
 * rejected) closes it again.
 *
 * Small and ours rather than a library's: which outcomes count as failures is the error
 * classifier's decision, not a thrown-exception count.
 */

export type CircuitState = 'closed' | 'open';

export class CircuitBreaker {
  private consecutiveFailures = 0;
  private probeUsed = false;
  state: CircuitState = 'closed';

  constructor(readonly threshold: number) {}

  /** Call at the start of each delivery pass: an open circuit gets one probe per pass. */
  newPass(): void {
    this.probeUsed = false;
  }

  /** May a send start now? */
  permit(): boolean {
    if (this.state === 'closed') return true;
    if (this.probeUsed) return false;
    this.probeUsed = true;
    return true;
  }

  /** `transient`: the destination failed in a way that says it is unwell (retry, in_doubt). */
  record(transient: boolean): void {
    if (!transient) {
      this.consecutiveFailures = 0;
      this.state = 'closed';
      return;
    }
    this.consecutiveFailures++;
    if (this.threshold > 0 && this.consecutiveFailures >= this.threshold) this.state = 'open';
  }

  get failures(): number {
    return this.consecutiveFailures;
  }
}
