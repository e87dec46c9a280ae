/**
 * Plumbing shared by the sink dialects: how a p-retry loop stops with a final outcome or asks
 * for another try, the destination rate limiter, and an abortable sleep.
 */
import pThrottle from 'p-throttle';
import type { DeliveryOutcome } from './sink.js';

/** Thrown inside p-retry to stop with a final outcome. */
export class Final extends Error {
  constructor(readonly outcome: DeliveryOutcome) {
    super(outcome.kind);
  }
}

/** Thrown inside p-retry for a reply after which the complaint certainly was not filed. */
export class RetryLater extends Error {
  constructor(
    message: string,
    readonly waitMs?: number,
  ) {
    super(message);
  }
}

/** A limiter allowing `perSecond` calls per second, spread evenly (strict, no bursts). */
export function rateLimiter(perSecond: number): () => Promise<void> {
  const limit = Math.max(1, Math.round(perSecond));
  const interval = Math.round((1000 * limit) / perSecond);
  const throttled = pThrottle({ limit, interval, strict: true })(() => undefined);
  return async () => {
    await throttled();
  };
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(resolve, ms);
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(t);
        resolve();
      },
      { once: true },
    );
  });
}
