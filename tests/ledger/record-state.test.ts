/**
 * The record state machine (DESIGN §5). The expected table is written out here on purpose: a
 * change to the state machine must be a deliberate change to this test too.
 */
import { describe, expect, it } from '@jest/globals';
import {
  allowedTransitions,
  assertTransition,
  canTransition,
  IllegalTransitionError,
  recordStates,
  SENDABLE_STATES,
  UNDELIVERED_STATES,
  type RecordState,
} from '../../src/ledger/record-state.js';

const EXPECTED: Record<RecordState, readonly RecordState[]> = {
  new: ['pending', 'quarantined'],
  pending: ['sending', 'quarantined'],
  sending: ['delivered', 'update_pending', 'retry_wait', 'rejected', 'in_doubt', 'pending', 'dead'],
  retry_wait: ['sending', 'dead', 'pending', 'quarantined'],
  in_doubt: ['delivered', 'update_pending', 'sending', 'needs_review'],
  needs_review: ['delivered', 'update_pending', 'pending', 'dropped'],
  rejected: ['pending', 'quarantined'],
  dead: ['pending', 'quarantined'],
  dropped: [],
  quarantined: ['pending'],
  delivered: ['update_pending'],
  update_pending: ['delivered'],
};

const allPairs: [RecordState, RecordState][] = recordStates.flatMap((from) => recordStates.map((to): [RecordState, RecordState] => [from, to]));
const allowedPairs = allPairs.filter(([from, to]) => EXPECTED[from].includes(to));
const forbiddenPairs = allPairs.filter(([from, to]) => !EXPECTED[from].includes(to));

describe('record states', () => {
  it('the expected table covers exactly the known states', () => {
    expect(Object.keys(EXPECTED).sort()).toEqual([...recordStates].sort());
  });

  it.each(recordStates.map((s) => [s]))('allowedTransitions(%s) matches the design', (from) => {
    expect([...allowedTransitions(from)].sort()).toEqual([...EXPECTED[from]].sort());
  });

  it('the tables are not trivially empty', () => {
    expect(allowedPairs).toHaveLength(30);
    expect(forbiddenPairs).toHaveLength(recordStates.length ** 2 - 30);
  });
});

describe('allowed transitions', () => {
  it.each(allowedPairs)('%s → %s is allowed', (from, to) => {
    expect(canTransition(from, to)).toBe(true);
    expect(() => assertTransition(from, to, 'bebeja/1')).not.toThrow();
  });
});

describe('forbidden transitions', () => {
  it.each(forbiddenPairs)('%s → %s is refused', (from, to) => {
    expect(canTransition(from, to)).toBe(false);
    let caught: unknown;
    try {
      assertTransition(from, to, 'bebeja/42');
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(IllegalTransitionError);
    const err = caught as IllegalTransitionError;
    expect(err.code).toBe('ILLEGAL_TRANSITION');
    expect(err.from).toBe(from);
    expect(err.to).toBe(to);
    expect(err.ref).toBe('bebeja/42');
    expect(err.message).toBe(`[ledger] record bebeja/42: illegal state change ${from} → ${to}`);
  });
});

describe('safety properties', () => {
  it.each<[RecordState]>([['sending'], ['pending'], ['retry_wait'], ['in_doubt'], ['new']])('delivered → %s is illegal: no double send', (to) => {
    expect(canTransition('delivered', to)).toBe(false);
    expect(() => assertTransition('delivered', to, 'bebeja/1')).toThrow(IllegalTransitionError);
  });

  it('update_pending cannot go back to sending or pending either', () => {
    expect(canTransition('update_pending', 'sending')).toBe(false);
    expect(canTransition('update_pending', 'pending')).toBe(false);
  });

  it('dropped is terminal', () => {
    expect(allowedTransitions('dropped')).toEqual([]);
    for (const to of recordStates) expect(canTransition('dropped', to)).toBe(false);
  });

  it('sending → pending is allowed (destination paused on 401/403: nothing marked failed)', () => {
    expect(canTransition('sending', 'pending')).toBe(true);
  });

  it('in_doubt → sending is allowed (lookup found nothing: send once more)', () => {
    expect(canTransition('in_doubt', 'sending')).toBe(true);
  });

  it('in_doubt can never be silently re-queued or retried: only reconciled, resent by lookup, or reviewed', () => {
    expect(canTransition('in_doubt', 'pending')).toBe(false);
    expect(canTransition('in_doubt', 'retry_wait')).toBe(false);
    expect(canTransition('in_doubt', 'dropped')).toBe(false);
  });

  it('only an operator review can drop a record', () => {
    const into = recordStates.filter((from) => canTransition(from, 'dropped'));
    expect(into).toEqual(['needs_review']);
  });

  it('no state moves to itself', () => {
    for (const s of recordStates) expect(canTransition(s, s)).toBe(false);
  });

  it('nothing re-enters new', () => {
    for (const s of recordStates) expect(canTransition(s, 'new')).toBe(false);
  });

  it('the delivery loop only sends from pending and retry_wait', () => {
    expect([...SENDABLE_STATES].sort()).toEqual(['pending', 'retry_wait']);
    for (const s of SENDABLE_STATES) expect(canTransition(s, 'sending')).toBe(true);
  });

  it('undelivered states are exactly those still owed to LAPOR!', () => {
    expect([...UNDELIVERED_STATES].sort()).toEqual(['in_doubt', 'needs_review', 'pending', 'retry_wait', 'sending']);
    expect(UNDELIVERED_STATES).not.toContain('delivered');
    expect(UNDELIVERED_STATES).not.toContain('dropped');
  });
});
