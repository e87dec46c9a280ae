/**
 * Plumbing shared by the sink dialects: how a p-retry loop stops with a final outcome or asks
 * for another try, the destination rate limiter, and an abortable sleep.
 */
import type { AxiosInstance } from 'axios';
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

/** A call stopped before any byte left (a shutdown while waiting for a rate-limit slot). */
export class NotSentError extends Error {
  readonly code = 'ENOTSENT';
  constructor() {
    super('stopped before the request was sent');
  }
}

const shared = new Map<string, () => Promise<void>>();

/**
 * One limiter per destination in this process: delivery and status sync (and anything else that
 * calls the destination) share its slots, so together they stay within the configured rate.
 */
export function sharedRateLimiter(key: string, perSecond: number): () => Promise<void> {
  const id = `${key}\u0000${perSecond}`;
  let slot = shared.get(id);
  if (!slot) {
    slot = rateLimiter(perSecond);
    shared.set(id, slot);
  }
  return slot;
}

/**
 * Adds the destination rate limit to an axios instance: every call waits for its slot, and a
 * call whose signal was aborted while it waited is never sent (NotSentError, a plain retry).
 * With `shareKey` (the destination's name) the slots are shared with every other client of it.
 */
export function limitRate(http: AxiosInstance, perSecond: number, shareKey?: string): void {
  const slot = shareKey === undefined ? rateLimiter(perSecond) : sharedRateLimiter(shareKey, perSecond);
  http.interceptors.request.use(async (req) => {
    await slot();
    if ((req.signal as AbortSignal | undefined)?.aborted) throw new NotSentError();
    return req;
  });
}

/** The `Ref:` line from a template; ids are inserted literally (no `$&` replacement patterns). */
export function renderRef(template: string, system: string, externalId: string): string {
  return template.replace('{system}', () => system).replace('{external_id}', () => externalId);
}

/** Room left below the configured rate, so network jitter cannot put one call too many in the destination's window. */
const RATE_HEADROOM = 0.99;

/**
 * A limiter allowing `perSecond` calls per second (1 % below, see RATE_HEADROOM), spread evenly:
 * each call leaves at least one interval after the previous one *actually* left. A counting
 * limiter (p-throttle and the like) lets calls that queued up while the event loop was busy (a
 * ledger commit) go out together, and a strict destination answers the burst with 429.
 */
export function rateLimiter(perSecond: number): () => Promise<void> {
  const interval = 1000 / (perSecond * RATE_HEADROOM);
  let last = Number.NEGATIVE_INFINITY;
  let chain: Promise<void> = Promise.resolve();
  return () => {
    const slot = chain.then(async () => {
      const wait = last + interval - performance.now();
      if (wait > 0) await sleep(wait);
      last = performance.now();
    });
    chain = slot;
    return slot;
  };
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const onAbort = () => {
      clearTimeout(t);
      resolve();
    };
    const t = setTimeout(() => {
      // long-lived signals (the daemon's) must not collect a listener per sleep
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
