/**
 * The one place that decides what a failed (or odd) reply to a LAPOR! **create** means
 * (DESIGN §4). The question for every failure: may the complaint already exist at LAPOR!?
 *
 * | reply                                                        | may exist? | class     |
 * |--------------------------------------------------------------|------------|-----------|
 * | 2xx with an id                                               | yes        | delivered |
 * | refused / DNS / TLS failure before the request was sent      | no         | retry     |
 * | 408, 425, 429, 503, or any reply with Retry-After            | no         | retry     |
 * | 400, 422 (and other 4xx that are about the payload)          | no         | rejected  |
 * | 401, 403 (and 404/405: the endpoint itself is wrong)         | no         | paused    |
 * | 409 / "already exists"                                       | yes        | exists    |
 * | 5xx, timeout or reset after sending, 2xx without id, garbage | maybe      | in_doubt  |
 *
 * "Garbage" includes every reply the bounded parsers refuse (issue #10): a body over the reply
 * size limit (cut off while streaming), an XML reply with a DTD or entity declarations (refused
 * before parsing, so nothing is expanded), JSON nested too deep. The request was sent and may
 * have been acted on, so such a reply is never a plain retry.
 */

export type CreateClass = 'delivered' | 'retry' | 'rejected' | 'paused' | 'exists' | 'in_doubt';

export interface CreateFacts {
  /** Transport error code when there was no HTTP reply (ECONNREFUSED, ETIMEDOUT, ...). */
  readonly errorCode?: string;
  readonly status?: number;
  readonly retryAfter?: string | null;
  /** The reply body parsed as JSON. */
  readonly parsed: boolean;
  readonly id?: string;
  readonly alreadyExists?: boolean;
}

export interface Classification {
  readonly class: CreateClass;
  readonly retryAfterMs?: number;
}

/** Transport failures that happen before any byte of the request reached the server. */
const NOT_SENT_CODES = new Set([
  'ENOTSENT', // stopped while waiting for a rate-limit slot
  'ECONNREFUSED',
  'ECONNECT_TIMEOUT', // our own connect timeout (src/net/http-client.ts): no connection, nothing sent
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ERR_INVALID_URL',
  'CERT_HAS_EXPIRED',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'ERR_SSL_WRONG_VERSION_NUMBER',
]);

export function classifyCreate(f: CreateFacts, now: Date = new Date()): Classification {
  if (f.status === undefined) {
    if (f.errorCode && NOT_SENT_CODES.has(f.errorCode)) return { class: 'retry' };
    return { class: 'in_doubt' }; // timeout, reset, hang-up: the server may have acted on it
  }
  const s = f.status;
  if (s >= 200 && s < 300) return f.parsed && f.id ? { class: 'delivered' } : { class: 'in_doubt' };
  if (s === 409 || f.alreadyExists) return { class: 'exists' };
  const retryAfterMs = parseRetryAfter(f.retryAfter, now);
  if (retryAfterMs !== undefined || [408, 425, 429, 503].includes(s)) return retryAfterMs === undefined ? { class: 'retry' } : { class: 'retry', retryAfterMs };
  if (s === 401 || s === 403 || s === 404 || s === 405) return { class: 'paused' };
  if (s >= 400 && s < 500) return { class: 'rejected' };
  return { class: 'in_doubt' };
}

/** `Retry-After` in seconds or as an HTTP-date; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | null | undefined, now: Date = new Date()): number | undefined {
  if (value === null || value === undefined || value.trim() === '') return undefined;
  const v = value.trim();
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  const at = Date.parse(v);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - now.getTime());
}
