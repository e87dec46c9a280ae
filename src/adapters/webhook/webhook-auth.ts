/**
 * Who may POST to the webhook: an HMAC-SHA256 signature over `<timestamp>.<raw body>` with a
 * timestamp inside the tolerance and never seen before (replays refused), or a bearer token.
 * Every comparison is constant-time.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { WebhookConfig } from './webhook-config.js';

/** The hex signature a sender puts in the signature header (used by senders and tests). */
export function signWebhook(secret: string, timestamp: string | number, body: string | Buffer): string {
  return createHmac('sha256', secret).update(`${timestamp}.`).update(body).digest('hex');
}

export type AuthOutcome =
  | { readonly ok: true; /** Set for a signed request: pass to `forget` if the request is not accepted after all. */ readonly replayKey?: string }
  | { readonly ok: false; readonly status: 401 | 409; readonly code: string; readonly message: string; readonly headers?: Record<string, string> };

/** The most signatures remembered; far above what a complaint app sends within one tolerance window. */
const REPLAY_MEMORY = 100_000;

/**
 * Signatures seen within the tolerance window, each kept until its timestamp leaves the window
 * (after which the timestamp check refuses it anyway). Bounded: when full, expired ones go first,
 * then the oldest.
 */
class ReplayMemory {
  private readonly seen = new Map<string, number>();
  constructor(private readonly max: number) {}

  has(key: string, nowMs: number): boolean {
    const expires = this.seen.get(key);
    return expires !== undefined && expires >= nowMs;
  }

  add(key: string, expiresMs: number, nowMs: number): void {
    this.seen.set(key, expiresMs);
    if (this.seen.size <= this.max) return;
    for (const [k, e] of this.seen) if (e < nowMs) this.seen.delete(k);
    // still full of live entries: drop the oldest tenth at once, so the sweep stays rare
    const excess = this.seen.size - Math.floor(this.max * 0.9);
    if (excess <= 0) return;
    let n = 0;
    for (const k of this.seen.keys()) {
      if (n++ >= excess) break;
      this.seen.delete(k);
    }
  }

  delete(key: string): void {
    this.seen.delete(key);
  }
}

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const v = headers[name.toLowerCase()];
  return typeof v === 'string' ? v.trim() : undefined;
}

function shortDuration(ms: number): string {
  if (ms % 3_600_000 === 0 && ms > 0) return `${ms / 3_600_000}h`;
  if (ms % 60_000 === 0 && ms > 0) return `${ms / 60_000}m`;
  return `${ms / 1000}s`;
}

function sameSecret(a: string, b: string): boolean {
  // digests have equal length whatever the inputs, so timingSafeEqual never throws nor leaks length
  return timingSafeEqual(createHash('sha256').update(a).digest(), createHash('sha256').update(b).digest());
}

export class WebhookAuthenticator {
  private readonly replays = new ReplayMemory(REPLAY_MEMORY);

  constructor(
    private readonly auth: WebhookConfig['auth'],
    private readonly now: () => Date,
  ) {}

  /** Checks a request; a signed request that passes is remembered, so the same one is refused next time. */
  verify(headers: IncomingHttpHeaders, rawBody: Buffer): AuthOutcome {
    const auth = this.auth;
    if (auth.type === 'bearer') {
      const m = /^Bearer\s+(\S+)$/i.exec(header(headers, 'authorization') ?? '');
      const challenge = { 'WWW-Authenticate': 'Bearer' };
      if (!m) return { ok: false, status: 401, code: 'unauthorized', message: 'missing "Authorization: Bearer <token>" header', headers: challenge };
      if (!sameSecret(m[1] as string, auth.token.reveal())) return { ok: false, status: 401, code: 'unauthorized', message: 'the bearer token is wrong', headers: challenge };
      return { ok: true };
    }

    const ts = header(headers, auth.timestamp_header);
    const given = header(headers, auth.header);
    if (!ts) return { ok: false, status: 401, code: 'unauthorized', message: `missing ${auth.timestamp_header} header (Unix seconds)` };
    if (!given) return { ok: false, status: 401, code: 'unauthorized', message: `missing ${auth.header} header (hex HMAC-SHA256 of "<timestamp>.<body>")` };
    if (!/^\d{1,12}$/.test(ts)) return { ok: false, status: 401, code: 'unauthorized', message: `${auth.timestamp_header} must be a Unix time in seconds` };
    const hex = given.replace(/^sha256=/i, '');
    if (!/^[0-9a-f]{64}$/i.test(hex)) return { ok: false, status: 401, code: 'unauthorized', message: `${auth.header} must be 64 hex digits (HMAC-SHA256)` };
    const expected = Buffer.from(signWebhook(auth.secret.reveal(), ts, rawBody), 'hex');
    if (!timingSafeEqual(expected, Buffer.from(hex, 'hex'))) {
      return { ok: false, status: 401, code: 'unauthorized', message: `the signature does not match: sign "<${auth.timestamp_header}>.<raw body bytes>" with the shared secret` };
    }
    // checked only after the signature, so an outsider learns nothing about our clock
    const nowMs = this.now().getTime();
    const tsMs = Number(ts) * 1000;
    if (Math.abs(nowMs - tsMs) > auth.tolerance) {
      return { ok: false, status: 401, code: 'stale_timestamp', message: `the timestamp is more than ${shortDuration(auth.tolerance)} away from the bridge's clock: sign every request (and every retry) when sending it, and keep the sender's clock in sync (NTP)` };
    }
    const key = `${ts}.${hex.toLowerCase()}`;
    if (this.replays.has(key, nowMs)) {
      return { ok: false, status: 409, code: 'replayed', message: 'this signed request was already received; to send it again, sign it again with a new timestamp' };
    }
    this.replays.add(key, tsMs + auth.tolerance, nowMs);
    return { ok: true, replayKey: key };
  }

  /** A remembered request that was not accepted after all (invalid body, or no 202): it may be sent again as is. */
  forget(replayKey: string | undefined): void {
    if (replayKey) this.replays.delete(replayKey);
  }
}
