/**
 * The destination rate limiter, on jest's fake clock (no wall time is measured): calls leave one
 * interval apart, counted from when the previous call actually left, so calls that queued while
 * the event loop was busy do not go out as a burst; and delivery and status sync share one.
 */
import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { rateLimiter, sharedRateLimiter } from '../../src/sinks/sink-support.js';

beforeEach(() => {
  jest.useFakeTimers();
});
afterEach(() => {
  jest.useRealTimers();
});

async function departures(slot: () => Promise<void>, calls: number, advanceMs: number): Promise<number[]> {
  const out: number[] = [];
  const all = Array.from({ length: calls }, () => slot().then(() => out.push(performance.now())));
  for (let t = 0; t < advanceMs; t += 10) await jest.advanceTimersByTimeAsync(10);
  await Promise.all(all);
  return out;
}

describe('rateLimiter', () => {
  it('spaces calls evenly, 1 % under the configured rate', async () => {
    const t = await departures(rateLimiter(10), 12, 2000);
    expect(t).toHaveLength(12);
    const gaps = t.slice(1).map((x, i) => x - (t[i] as number));
    for (const g of gaps) expect(g).toBeGreaterThanOrEqual(1000 / 10 / 0.99 - 1);
    // never more than the configured 10 in any one second
    for (const start of t) expect(t.filter((x) => x >= start && x < start + 1000).length).toBeLessThanOrEqual(10);
  });

  it('after a pause, waiting calls do not leave together', async () => {
    const slot = rateLimiter(10);
    const first = await departures(slot, 1, 20);
    // nothing asked for a while, then five at once
    await jest.advanceTimersByTimeAsync(5000);
    const later = await departures(slot, 5, 1000);
    expect(later[0]).toBeGreaterThanOrEqual((first[0] as number) + 5000);
    const gaps = later.slice(1).map((x, i) => x - (later[i] as number));
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(100);
  });

  it('one limiter per destination name: two clients share its slots', async () => {
    const a = sharedRateLimiter('rate-test-destination', 5);
    const b = sharedRateLimiter('rate-test-destination', 5);
    expect(a).toBe(b);
    expect(sharedRateLimiter('another-destination', 5)).not.toBe(a);
  });
});
