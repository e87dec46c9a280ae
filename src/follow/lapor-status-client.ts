/**
 * Reads what LAPOR! did with a complaint (DESIGN §4, dialect lapor-v3): its status
 * (`GET /complaints/{id}/complaint`) and every follow-up (`GET /complaints/{id}/followups?page=N`,
 * a Laravel paginator followed until `next_page_url` is null). Times come as `d-m-Y H:i:s` WIB
 * and leave here as ISO 8601 with `+07:00`.
 *
 * Reads are safe to retry on any transient failure (DESIGN §4), so transient failures are
 * retried inside the call with p-retry; what is left is classified for the caller.
 */
import { isAxiosError, type AxiosInstance, type AxiosResponse } from 'axios';
import { DateTime } from 'luxon';
import pRetry, { AbortError } from 'p-retry';
import { destroyHttpClient } from '../net/http-client.js';
import { parseRetryAfter } from '../sinks/classify-failure.js';
import type { LaporV3Config } from '../sinks/lapor-v3/lapor-v3-config.js';
import { laporV3Http } from '../sinks/lapor-v3/lapor-v3-http.js';
import { JAKARTA_ZONE } from '../sla/holidays.js';
import { redactText } from '../util/redact.js';

export interface LaporDataLogEntry {
  readonly statusName: string;
  /** ISO 8601 +07:00, or null when LAPOR! gave no readable time. */
  readonly at: string | null;
}

export interface LaporFollowupEntry {
  readonly id: string;
  readonly content: string;
  readonly at: string | null;
  readonly institutionName: string | null;
  readonly raw: unknown;
}

export interface LaporStatusSnapshot {
  readonly laporId: string;
  readonly statusName: string | null;
  readonly statusCode: number | null;
  readonly dispositionId: string | null;
  readonly dispositionName: string | null;
  readonly dataLogs: readonly LaporDataLogEntry[];
  readonly followups: readonly LaporFollowupEntry[];
  /** `results.data` of the status reply, as received. */
  readonly raw: unknown;
}

export type StatusReadErrorKind = 'transient' | 'auth' | 'throttled' | 'not_found' | 'bad_reply';

export class StatusReadError extends Error {
  constructor(
    readonly kind: StatusReadErrorKind,
    message: string,
    readonly httpStatus?: number,
  ) {
    super(message);
  }
}

export interface StatusReader {
  read(laporId: string, signal?: AbortSignal): Promise<LaporStatusSnapshot>;
  close(): Promise<void>;
}

export interface LaporStatusClientOptions {
  /** Quick retries inside one read for transient failures (default 2). */
  readonly retries?: number;
  /** First retry delay in ms (default 500; tests use 0). */
  readonly retryMinMs?: number;
  /** Most follow-up pages read for one complaint (a loop guard; default 200). */
  readonly maxPages?: number;
  readonly now?: () => Date;
}

const TRANSIENT_STATUS = new Set([408, 425, 429, 500, 502, 503, 504]);
const MAX_REPLY_BYTES = 5 * 1024 * 1024;

export class LaporStatusClient implements StatusReader {
  private readonly http: AxiosInstance;
  private readonly retries: number;
  private readonly retryMinMs: number;
  private readonly maxPages: number;
  private readonly now: () => Date;

  constructor(
    private readonly config: LaporV3Config,
    options: LaporStatusClientOptions = {},
  ) {
    this.retries = options.retries ?? 2;
    this.retryMinMs = options.retryMinMs ?? 500;
    this.maxPages = options.maxPages ?? 200;
    this.now = options.now ?? (() => new Date());
    // a status reply or a page of follow-ups is a few KB: a huge body is refused, not parsed;
    // the rate-limit slots are the ones delivery uses
    this.http = laporV3Http(config, { maxReplyBytes: MAX_REPLY_BYTES });
  }

  async close(): Promise<void> {
    destroyHttpClient(this.http);
  }

  async read(laporId: string, signal?: AbortSignal): Promise<LaporStatusSnapshot> {
    const statusPath = this.config.paths.status.replace('{id}', encodeURIComponent(laporId));
    const body = await this.getJson(statusPath, {}, signal);
    const results = asObject(asObject(body).results);
    const data = asObject(results.data);
    if (Object.keys(data).length === 0) throw new StatusReadError('bad_reply', `GET ${statusPath}: the reply has no results.data`);
    const logs = Array.isArray(results.data_logs) ? results.data_logs : Array.isArray(data.data_logs) ? data.data_logs : [];
    return {
      laporId,
      statusName: text(data.status_name),
      statusCode: typeof data.status_code === 'number' ? data.status_code : /^\d+$/.test(String(data.status_code ?? '')) ? Number(data.status_code) : null,
      dispositionId: data.disposition_id === null || data.disposition_id === undefined || data.disposition_id === '' ? null : String(data.disposition_id),
      dispositionName: text(data.disposition_name),
      dataLogs: logs
        .map((l) => asObject(l))
        .filter((l) => text(l.status_name) !== null)
        .map((l) => ({ statusName: text(l.status_name) as string, at: laporTime(l.created_at) })),
      followups: await this.followups(laporId, signal),
      raw: data,
    };
  }

  /** Every follow-up, page by page. Only the page number is taken from `next_page_url`: the path and host stay ours. */
  private async followups(laporId: string, signal?: AbortSignal): Promise<LaporFollowupEntry[]> {
    const path = this.config.paths.followups.replace('{id}', encodeURIComponent(laporId));
    const out: LaporFollowupEntry[] = [];
    let page = 1;
    for (let n = 0; n < this.maxPages; n++) {
      const body = asObject(await this.getJson(path, { page }, signal));
      const results = asObject(body.results);
      const items = Array.isArray(results.data) ? results.data : Array.isArray(body.data) ? body.data : null;
      if (items === null) throw new StatusReadError('bad_reply', `GET ${path}?page=${page}: the reply has no results.data list`);
      for (const item of items) out.push(followupEntry(asObject(item)));
      const next = nextPage(results.next_page_url);
      if (next === undefined) return out;
      if (next <= page) throw new StatusReadError('bad_reply', `GET ${path}?page=${page}: next_page_url does not move forward (page ${next})`);
      page = next;
    }
    throw new StatusReadError('bad_reply', `GET ${path}: more than ${this.maxPages} pages of follow-ups`);
  }

  private async getJson(path: string, params: Record<string, unknown>, signal?: AbortSignal): Promise<unknown> {
    return pRetry(
      async () => {
        let res: AxiosResponse<string>;
        try {
          res = await this.http.get<string>(path, { params, signal, responseType: 'text', transformResponse: (x: string) => x });
        } catch (err) {
          if (signal?.aborted) throw new AbortError(new StatusReadError('transient', `GET ${path}: stopped`));
          if (isAxiosError(err) && /maxContentLength/.test(err.message)) throw new AbortError(new StatusReadError('bad_reply', `GET ${path}: the reply is larger than ${MAX_REPLY_BYTES} bytes; not read`));
          const code = isAxiosError(err) ? (err.code ?? err.message) : String(err);
          throw new StatusReadError('transient', `GET ${path}: ${redactText(code)}`);
        }
        const status = res.status;
        if (status === 401 || status === 403) throw new AbortError(new StatusReadError('auth', `GET ${path}: HTTP ${status} (check the destination credentials)`, status));
        if (status === 404) throw new AbortError(new StatusReadError('not_found', `GET ${path}: HTTP 404 (LAPOR! does not know this complaint)`, status));
        // asked to slow down: the whole run stops (the next one comes on schedule), nobody is penalised
        if (status === 429 || res.headers['retry-after'] !== undefined) {
          const wait = parseRetryAfter(res.headers['retry-after'] as string | undefined, this.now());
          throw new AbortError(new StatusReadError('throttled', `GET ${path}: HTTP ${status}${wait !== undefined ? ` (Retry-After ${Math.ceil(wait / 1000)} s)` : ''}`, status));
        }
        if (TRANSIENT_STATUS.has(status)) throw new StatusReadError('transient', `GET ${path}: HTTP ${status}`, status);
        if (status < 200 || status >= 300) throw new AbortError(new StatusReadError('bad_reply', `GET ${path}: HTTP ${status}`, status));
        try {
          return JSON.parse(res.data) as unknown;
        } catch {
          throw new StatusReadError('bad_reply', `GET ${path}: HTTP ${status} with a body that is not JSON`, status);
        }
      },
      { retries: this.retries, minTimeout: this.retryMinMs, factor: 2, randomize: true, signal },
    ).catch((err: unknown) => {
      if (err instanceof StatusReadError) throw err;
      throw new StatusReadError('transient', redactText((err as Error).message));
    });
  }
}

/** `d-m-Y H:i:s` (WIB), or any ISO 8601 time; null when unreadable. */
export function laporTime(value: unknown): string | null {
  if (typeof value !== 'string' || value.trim() === '') return null;
  const s = value.trim();
  for (const format of ['dd-MM-yyyy HH:mm:ss', 'd-M-yyyy H:mm:ss', 'dd-MM-yyyy HH:mm']) {
    const dt = DateTime.fromFormat(s, format, { zone: JAKARTA_ZONE });
    if (dt.isValid) return dt.toISO({ suppressMilliseconds: true });
  }
  const iso = DateTime.fromISO(s, { zone: JAKARTA_ZONE, setZone: false });
  return iso.isValid ? iso.setZone(JAKARTA_ZONE).toISO({ suppressMilliseconds: true }) : null;
}

function followupEntry(item: Record<string, unknown>): LaporFollowupEntry {
  const content = text(item.content) ?? text(item.description) ?? text(item.message) ?? '';
  const at = laporTime(item.created_at);
  const institution = text(item.institution_name) ?? text(asObject(item.institution).name);
  // a follow-up without an id is known by its time and text
  const id = item.id !== undefined && item.id !== null && String(item.id) !== '' ? String(item.id) : `t:${at ?? ''}:${content.slice(0, 64)}`;
  return { id, content, at, institutionName: institution, raw: item };
}

function nextPage(url: unknown): number | undefined {
  if (typeof url !== 'string' || url === '') return undefined;
  const m = /[?&]page=(\d+)/.exec(url);
  if (!m) throw new StatusReadError('bad_reply', `next_page_url has no page number: ${redactText(url.slice(0, 200))}`);
  return Number(m[1]);
}

function asObject(v: unknown): Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}

function text(v: unknown): string | null {
  if (typeof v === 'number') return String(v);
  return typeof v === 'string' && v.trim() !== '' ? v.trim() : null;
}
