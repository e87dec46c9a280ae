/**
 * Delivery stage (DESIGN §2): take due outbox rows → write a durable intent (`sending`, with a
 * deterministic idempotency key) → call the sink → record the outcome and every attempt.
 *
 * Because the intent is committed before the call, a crash between the call and the outcome
 * leaves the row in `sending`; at the next start it becomes `in_doubt` and is reconciled, never
 * blindly re-sent.
 */
import type { Logger } from 'winston';
import type { AttemptInput, RecordRow, Warning } from '../ledger/ledger.js';
import { IllegalTransitionError, type RecordState } from '../ledger/record-state.js';
import type { SqliteLedger } from '../ledger/sqlite-ledger.js';
import type { DeliveryOutcome, Sink } from '../sinks/sink.js';
import { redactText } from '../util/redact.js';
import { sha256 } from '../util/stable-json.js';
import { CircuitBreaker, type CircuitState } from './circuit-breaker.js';
import { backoffDelay, isPastWindow, type RetryPolicy } from './retry-policy.js';

export interface DeliveryOptions {
  readonly ledger: SqliteLedger;
  readonly sink: Sink;
  readonly logger: Logger;
  readonly policy: RetryPolicy;
  readonly concurrency: number;
  /** In-doubt rows without a lookup: `review` (default) waits for an operator; `retry` resends. */
  readonly onInDoubt: 'review' | 'retry';
  /** In-doubt rows are looked up only after this long (a gateway that answered 500 may still commit). */
  readonly reconcileAfterMs: number;
  /** Resends of one version after "not found" before it waits for an operator (needs_review). */
  readonly maxDoubtResends: number;
  /** A change after delivery: `record` keeps it in the ledger; `followup` also sends it as a note. */
  readonly onChange: 'record' | 'followup';
  readonly runId?: number;
  readonly sourceId?: string;
  /** Sees every attempt after it is recorded (metrics). */
  readonly observeAttempt?: (a: AttemptInput) => void;
  /** Destination health kept across passes (the daemon's); a fresh one when absent. */
  readonly breaker?: CircuitBreaker;
  /** Stop taking new work; sends already in flight finish (graceful shutdown). */
  readonly stop?: AbortSignal;
  /** Abort sends in flight (their outcome becomes unknown: in_doubt). */
  readonly signal?: AbortSignal;
  readonly now?: () => Date;
  readonly random?: () => number;
}

export interface DeliveryCounts {
  delivered: number;
  retry_wait: number;
  rejected: number;
  in_doubt: number;
  needs_review: number;
  dead: number;
  reconciled: number;
  updates_recorded: number;
  updates_sent: number;
  paused: boolean;
  circuit: CircuitState;
}

/**
 * Same record version ⇒ same key: a retry can never look like a new complaint. Only an
 * operator's `resend --force` raises the generation, and so the key.
 */
export function idempotencyKey(sourceId: string, externalId: string, version: number, generation = 0): string {
  return sha256(`sp4n-bridge\n${sourceId}\n${externalId}\n${version}${generation ? `\n${generation}` : ''}`).slice(0, 40);
}

/**
 * Test seam for the crash test: `SP4N_TEST_CRASH_AFTER_SENDS=n` kills the process (SIGKILL) right
 * after the n-th send returns and before its outcome is committed — the worst moment.
 */
const crashAfter = Number(process.env.SP4N_TEST_CRASH_AFTER_SENDS ?? 0);
let sendsReturned = 0;
function crashPoint(): void {
  if (crashAfter > 0 && ++sendsReturned >= crashAfter) process.kill(process.pid, 'SIGKILL');
}

export async function runDelivery(o: DeliveryOptions): Promise<DeliveryCounts> {
  const now = o.now ?? (() => new Date());
  const counts: DeliveryCounts = { delivered: 0, retry_wait: 0, rejected: 0, in_doubt: 0, needs_review: 0, dead: 0, reconciled: 0, updates_recorded: 0, updates_sent: 0, paused: false, circuit: 'closed' };
  const { ledger, sink } = o;
  const breaker = o.breaker ?? new CircuitBreaker(0);
  breaker.newPass();
  const paused = () => ledger.destinationPause(sink.name).paused;
  const stopping = () => !!(o.stop?.aborted || o.signal?.aborted);
  if (paused()) {
    counts.paused = true;
    return counts;
  }

  const chooseKey = (fromDoubt: boolean) => (fresh: RecordRow) => {
    const version = fromDoubt ? (fresh.sending_version ?? fresh.version) : fresh.version;
    return { version, key: idempotencyKey(fresh.source_id, fresh.external_id, version, fresh.send_generation) };
  };

  /**
   * One send: durable intent (only if the row is still as listed), the call, the outcome.
   * `fromDoubt` sends the version that was in doubt; otherwise the row's current version.
   */
  const send = async (listed: RecordRow, expected: readonly RecordState[], intentEvent: string, fromDoubt = false): Promise<void> => {
    const claim = ledger.claimForSend(listed.id, expected, chooseKey(fromDoubt), { runId: o.runId, eventType: intentEvent });
    if (!claim) return; // another pass, intake or an operator moved it since it was listed
    await sendClaimed(listed.id, claim);
  };

  /** The call and the outcome of a send whose intent is committed. */
  const sendClaimed = async (recordId: number, claim: { version: number; key: string }): Promise<void> => {
    const { version, key } = claim;
    try {
      const complaint = ledger.loadComplaint(recordId, version);
      const warnings: Warning[] = [];
      let outcome: DeliveryOutcome;
      try {
        outcome = await sink.deliver(complaint, {
          idempotencyKey: key,
          signal: o.signal,
          onAttempt: (a) => {
            ledger.recordAttempt(recordId, version, a);
            o.observeAttempt?.(a);
          },
          onAttemptStart: (a) => ledger.startAttempt(recordId, version, a),
          onWarning: (w) => warnings.push(w),
        });
        crashPoint();
      } catch (err) {
        // an unexpected failure inside the sink: we cannot know whether the create went out
        outcome = { kind: 'in_doubt', reason: `sink error: ${redactText((err as Error).message)}` };
      }
      ledger.addDeliveryWarnings(recordId, warnings, o.runId);
      applyOutcome(recordId, version, outcome);
    } catch (err) {
      // the ledger failed after the intent (disk full, …): never leave the row in `sending`
      try {
        ledger.transition(recordId, 'in_doubt', { runId: o.runId, reason: `bookkeeping failed after the send: ${redactText((err as Error).message)}` });
      } catch {
        /* still sending: start-up recovery turns it into in_doubt */
      }
      throw err;
    }
  };

  const deliveredState = (recordId: number, version: number): RecordState => (ledger.getRecord(recordId).version > version ? 'update_pending' : 'delivered');

  const applyOutcome = (recordId: number, version: number, outcome: DeliveryOutcome): void => {
    if (outcome.kind !== 'paused') breaker.record(outcome.kind === 'retry' || outcome.kind === 'in_doubt');
    const row = ledger.getRecord(recordId);
    const ref = `${row.source_id}/${row.external_id}`;
    const at = now().toISOString();
    switch (outcome.kind) {
      case 'delivered':
      case 'exists': {
        if (outcome.laporId === undefined) {
          const reason = outcome.kind === 'exists' ? `${outcome.reason} (no id in the reply)` : 'no id in the reply';
          ledger.transition(recordId, 'in_doubt', { runId: o.runId, reason, set: { last_error: reason } });
          counts.in_doubt++;
          return;
        }
        ledger.transition(recordId, deliveredState(recordId, version), {
          runId: o.runId,
          eventType: outcome.kind === 'exists' ? 'delivered_existing' : 'delivered',
          reason: outcome.kind === 'exists' ? outcome.reason : undefined,
          set: { lapor_id: outcome.laporId, sent_version: version, delivered_at: at, last_error: null, next_attempt_at: null },
          data: { lapor_id: outcome.laporId, version },
        });
        counts.delivered++;
        o.logger.info('delivered', { ref, lapor_id: outcome.laporId });
        return;
      }
      case 'retry': {
        const firstFailed = row.first_failed_at ?? at;
        if (isPastWindow(firstFailed, now(), o.policy)) {
          ledger.transition(recordId, 'dead', { runId: o.runId, reason: `retry window exhausted: ${outcome.reason}`, set: { last_error: outcome.reason, first_failed_at: firstFailed, next_attempt_at: null } });
          counts.dead++;
          o.logger.error('retry window exhausted; record is dead', { ref, reason: outcome.reason });
          return;
        }
        const delay = backoffDelay(row.attempt_count, o.policy, outcome.retryAfterMs, o.random);
        const next = new Date(now().getTime() + delay).toISOString();
        ledger.transition(recordId, 'retry_wait', { runId: o.runId, reason: outcome.reason, set: { last_error: outcome.reason, first_failed_at: firstFailed, next_attempt_at: next }, data: { next_attempt_at: next } });
        counts.retry_wait++;
        o.logger.warn('send failed; will retry', { ref, reason: outcome.reason, next_attempt_at: next });
        return;
      }
      case 'rejected':
        if (row.version > version) {
          // a newer version arrived while this one was in flight: it gets its own chance
          ledger.transition(recordId, 'pending', { runId: o.runId, eventType: 'superseded_after_reject', reason: `version ${version} rejected (${outcome.reason}); version ${row.version} is pending`, set: { last_error: outcome.reason } });
          counts.rejected++;
          return;
        }
        ledger.transition(recordId, 'rejected', { runId: o.runId, reason: outcome.reason, set: { last_error: outcome.reason, next_attempt_at: null } });
        counts.rejected++;
        o.logger.warn('rejected by destination', { ref, reason: outcome.reason });
        return;
      case 'paused':
        // nothing is marked failed because of a credentials problem: the record waits
        ledger.transition(recordId, 'pending', { runId: o.runId, eventType: 'send_paused', reason: outcome.reason, set: { last_error: outcome.reason } });
        if (!paused()) ledger.setDestinationPaused(sink.name, true, outcome.reason);
        counts.paused = true;
        o.logger.error('destination refused our credentials; delivery paused until `sp4n-bridge resume`', { destination: sink.name, reason: outcome.reason });
        return;
      case 'in_doubt':
        ledger.transition(recordId, 'in_doubt', { runId: o.runId, reason: outcome.reason, set: { last_error: outcome.reason } });
        counts.in_doubt++;
        o.logger.warn('outcome unknown; record is in doubt and will be reconciled', { ref, reason: outcome.reason });
        return;
    }
  };

  // 1. reconcile what may already be at LAPOR! (once the gateway has had time to settle)
  // each resend after "not found" waits twice as long before the next lookup (a search index
  // that lags cannot turn into a stream of copies), and after `maxDoubtResends` a person decides
  for (const row of ledger.recordsInState('in_doubt', Number.MAX_SAFE_INTEGER, o.sourceId)) {
    if (paused() || stopping()) break;
    const ref = `${row.source_id}/${row.external_id}`;
    const version = row.sending_version ?? row.version;
    const key = idempotencyKey(row.source_id, row.external_id, version, row.send_generation);
    const resends = ledger.resendsAfterDoubt(row.id, key);
    if (Date.parse(row.updated_at) > now().getTime() - o.reconcileAfterMs * 2 ** resends) continue;
    const toReview = (reason: string) => {
      ledger.transition(row.id, 'needs_review', { runId: o.runId, reason });
      counts.needs_review++;
      o.logger.warn('record needs review: sp4n-bridge resolve', { ref, reason });
    };
    if (sink.capabilities.lookup && sink.lookup) {
      let found;
      try {
        found = await sink.lookup(ledger.loadComplaint(row.id, version), { signal: o.signal, onAttempt: (a) => ledger.recordAttempt(row.id, version, a), exclude: ledger.previousLaporIds(row.id) });
      } catch (err) {
        o.logger.warn('lookup failed; record stays in doubt', { ref, error: (err as Error).message });
        continue;
      }
      if (found.found) {
        try {
          ledger.transition(row.id, deliveredState(row.id, version), {
            runId: o.runId,
            eventType: 'reconciled',
            reason: 'found at the destination by its Ref: line',
            set: { lapor_id: found.laporId, sent_version: version, delivered_at: now().toISOString(), last_error: null },
            data: { lapor_id: found.laporId, version },
          });
          counts.reconciled++;
        } catch (err) {
          if (!(err instanceof IllegalTransitionError)) throw err; // an operator resolved it meanwhile
        }
      } else if (resends >= o.maxDoubtResends) {
        // sent again already and in doubt every time: a person must look (never a resend loop)
        toReview(`still in doubt after ${resends} resend(s); the lookup does not find it`);
      } else if (breaker.permit()) {
        await send(row, ['in_doubt'], 'resend_after_lookup', true);
      }
    } else if (o.onInDoubt === 'retry' && resends < o.maxDoubtResends && breaker.permit()) {
      await send(row, ['in_doubt'], 'resend_in_doubt', true);
    } else if (o.onInDoubt === 'retry' && resends >= o.maxDoubtResends) {
      toReview(`still in doubt after ${resends} resend(s)`);
    } else if (o.onInDoubt === 'review') {
      toReview('the destination has no lookup; an operator must resolve it (sp4n-bridge resolve)');
    }
  }

  // 2. changes after delivery
  for (const row of stopping() ? [] : ledger.recordsInState('update_pending', Number.MAX_SAFE_INTEGER, o.sourceId)) {
    if (o.onChange === 'followup' && sink.sendUpdate && row.lapor_id) {
      if (!breaker.permit()) break;
      const version = row.version;
      const key = `${idempotencyKey(row.source_id, row.external_id, version, row.send_generation)}-update`;
      let outcome: DeliveryOutcome;
      try {
        outcome = await sink.sendUpdate(row.lapor_id, ledger.loadComplaint(row.id, version), { idempotencyKey: key, signal: o.signal, onAttempt: (a) => ledger.recordAttempt(row.id, version, a), onWarning: () => undefined });
      } catch (err) {
        outcome = { kind: 'retry', reason: `sink error: ${redactText((err as Error).message)}` };
      }
      breaker.record(outcome.kind === 'retry' || outcome.kind === 'in_doubt');
      if (outcome.kind === 'delivered' || outcome.kind === 'exists') {
        ledger.transition(row.id, 'delivered', { runId: o.runId, eventType: 'update_sent', reason: 'sent to LAPOR! as a follow-up on the same complaint', set: { sent_version: version }, data: { version, lapor_id: row.lapor_id } });
        counts.updates_sent++;
      } else if (outcome.kind === 'paused') {
        ledger.setDestinationPaused(sink.name, true, outcome.reason);
        break;
      } else if (outcome.kind === 'rejected') {
        // LAPOR! refuses the note: the change stays recorded in the ledger, with the reason
        ledger.transition(row.id, 'delivered', { runId: o.runId, eventType: 'update_rejected', reason: outcome.reason, data: { version } });
      } else {
        // stays update_pending: the next pass tries again with the same key
        o.logger.warn('follow-up not sent; will try again', { ref: `${row.source_id}/${row.external_id}`, reason: 'reason' in outcome ? outcome.reason : '' });
      }
      continue;
    }
    ledger.transition(row.id, 'delivered', { runId: o.runId, eventType: 'update_recorded', reason: 'on_change is record: the change is kept in the ledger, not sent', data: { version: row.version, sent_version: row.sent_version } });
    counts.updates_recorded++;
  }

  // 3. due rows, oldest first, `concurrency` sends at a time. Intents are claimed `concurrency`
  // at a time in one durable commit (one fsync per wave instead of one per record) and handed to
  // whichever worker is free, so sends keep flowing without waiting for the slowest of a wave.
  // (each record is tried at most once per run, even if its backoff is already over)
  const batchSize = Math.max(o.concurrency * 4, 50);
  let afterId = 0; // rows come in id order: each is tried at most once per pass
  let circuitOpen = false;
  for (;;) {
    if (paused() || stopping() || circuitOpen) break;
    const due = ledger.dueRecords(batchSize, o.sourceId, afterId);
    if (due.length === 0) break;
    afterId = (due[due.length - 1] as RecordRow).id;
    let next = 0;
    const claimed: { row: RecordRow; version: number; key: string }[] = [];
    // synchronous (better-sqlite3), so two workers never claim the same wave
    const take = (): { row: RecordRow; version: number; key: string } | undefined => {
      // a claimed row is already `sending`: it is always sent, even when stopping
      while (claimed.length === 0) {
        if (next >= due.length || paused() || stopping() || circuitOpen) return undefined;
        const wave: number[] = [];
        while (wave.length < o.concurrency && next < due.length) {
          if (!breaker.permit()) {
            circuitOpen = true;
            break;
          }
          wave.push((due[next++] as RecordRow).id);
        }
        if (wave.length === 0) return undefined;
        claimed.push(...ledger.claimManyForSend(wave, ['pending', 'retry_wait'], chooseKey(false), { runId: o.runId, eventType: 'send_intent' }));
      }
      return claimed.shift();
    };
    const worker = async (): Promise<void> => {
      for (let c = take(); c; c = take()) await sendClaimed(c.row.id, c);
    };
    // every worker finishes before a failure is reported: no send is left running unobserved
    const results = await Promise.allSettled(Array.from({ length: Math.min(o.concurrency, due.length) }, worker));
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
  }
  counts.paused = paused();
  counts.circuit = breaker.state;
  if (circuitOpen) o.logger.warn('destination circuit open: sending one probe per pass until it answers', { destination: sink.name, consecutive_failures: breaker.failures });
  return counts;
}
