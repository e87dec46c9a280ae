/**
 * The crash test (issue 3): the CLI as a child process, both simulators as separate processes,
 * nasty faults on, SIGKILL at random moments (at least 20 kills, a third of them exactly between
 * an HTTP call and its ledger commit), restarted until done. The large version is
 * `npm run crash-test -- --kills 200 --records 5000`.
 */
import { describe, expect, it } from '@jest/globals';
import { runCrashTest } from '../../bench/crash/crash-harness.js';

describe('crash test: SIGKILL at random moments under faults', () => {
  it('with the lookup on: every complaint is at LAPOR! exactly once, none missing, every call has its attempt row', async () => {
    const t = await runCrashTest({ records: 300, kills: 20, lookup: true, seed: 7 });
    expect(t.problems).toEqual([]);
    expect(t.kills).toBeGreaterThanOrEqual(20);
    expect(t.kills_between_call_and_commit).toBeGreaterThan(0);
    expect(t.states).toEqual({ delivered: 300 });
    expect(t.lapor_complaints).toBe(300);
    expect(t.duplicates).toEqual([]);
    expect(t.calls_without_attempt).toEqual([]);
    // the nasty faults really happened
    expect(Object.keys(t.faults)).toEqual(expect.arrayContaining(['store-then-status', 'store-then-hang']));
  }, 300_000);

  it('with the lookup off: at most once, and every one not at LAPOR! waits in needs_review', async () => {
    const t = await runCrashTest({ records: 150, kills: 20, lookup: false, seed: 11 });
    expect(t.problems).toEqual([]);
    expect(t.kills).toBeGreaterThanOrEqual(20);
    expect(t.duplicates).toEqual([]);
    expect(t.missing).toEqual([]);
    expect((t.states.delivered ?? 0) + (t.states.needs_review ?? 0)).toBe(150);
    expect(t.lapor_complaints + t.needs_review_absent).toBe(150);
    expect(t.calls_without_attempt).toEqual([]);
  }, 300_000);
});
