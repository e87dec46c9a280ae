import { type AxiosInstance, type AxiosResponse, isAxiosError } from 'axios';
import pRetry from 'p-retry';
import type { AttemptInput } from '../../ledger/ledger.js';
import { codePointLength } from '../../mapping/canonical.js';
import { truncateText } from '../../mapping/validate-complaint.js';
import type { StoredComplaint } from '../../ledger/sqlite-ledger.js';
import { redactText } from '../../util/redact.js';
import { sha256, stableStringify } from '../../util/stable-json.js';
import { classifyCreate, parseRetryAfter } from '../classify-failure.js';
import { sourceRef, type DeliveryContext, type DeliveryOutcome, type LookupContext, type LookupResult, type Sink } from '../sink.js';
import { Final, NotSentError, renderRef, RetryLater, sleep } from '../sink-support.js';
import type { LaporV3Config } from './lapor-v3-config.js';
import { getPath } from '../../mapping/compile-mapping.js';
import { CONNECT_TIMEOUT_CODE, destroyHttpClient } from '../../net/http-client.js';
import { laporV3Http } from './lapor-v3-http.js';
import { AttachmentFetcher, type AttachmentFetcherOptions } from '../attachment-fetch.js';

export interface LaporV3SinkOptions {
  /** Extra tries inside one delivery for replies that are certainly not filed (429/503/refused). */
  readonly inCallRetries?: number;
  /** Longest Retry-After honoured inside a call; longer waits go to the ledger schedule. */
  readonly maxInCallWaitMs?: number;
  readonly now?: () => Date;
  /**
   * Per source system, the origins its config names (a REST source's base_url): attachments of
   * that source may be fetched from there, even at a private or loopback address.
   */
  readonly attachmentSources?: Readonly<Record<string, readonly string[]>>;
  /** Name resolution for attachment fetching (tests). */
  readonly attachmentLookup?: AttachmentFetcherOptions['lookup'];
}

type AttachmentRef = NonNullable<StoredComplaint['attachments']>[number];

export class LaporV3Sink implements Sink {
  readonly dialect = 'lapor-v3';
  readonly name: string;
  readonly capabilities: { lookup: boolean };
  private readonly http: AxiosInstance;
  private readonly fetcher: AttachmentFetcher;
  private readonly inCallRetries: number;
  private readonly maxInCallWaitMs: number;
  private readonly now: () => Date;

  constructor(
    private readonly config: LaporV3Config,
    options: LaporV3SinkOptions = {},
  ) {
    this.name = config.name;
    this.capabilities = { lookup: config.lookup !== false };
    this.inCallRetries = options.inCallRetries ?? 2;
    this.maxInCallWaitMs = options.maxInCallWaitMs ?? 5000;
    this.now = options.now ?? (() => new Date());
    // every call to the destination (upload, create, lookup) waits for its rate-limit slot
    this.http = laporV3Http(config, { maxReplyBytes: 10 * 1024 * 1024 });
    this.fetcher = new AttachmentFetcher({
      config: config.attachments,
      maxBytes: config.max_attachment_bytes,
      sourceOrigins: options.attachmentSources,
      connectTimeoutMs: config.connect_timeout,
      lookup: options.attachmentLookup,
    });
  }

  async close(): Promise<void> {
    destroyHttpClient(this.http);
    this.fetcher.close();
  }

  refLine(c: Pick<StoredComplaint, 'source'>): string {
    return renderRef(this.config.ref_template, c.source.system, c.source.external_id);
  }

  sentView(c: StoredComplaint): unknown {
    const { reporter: _r, source, ...rest } = c;
    return { ...rest, source: { system: source.system, external_id: source.external_id } };
  }

  /** The JSON body of `POST /complaints/complaint`, without attachment ids. */
  renderBody(c: StoredComplaint, attachmentIds: string[] = []): Record<string, unknown> {
    const cfg = this.config;
    const tags = [`#${c.source.system}`];
    if (c.category?.source_code) tags.push(`#${slug(c.category.source_code)}`);
    const ref = this.refLine(c);
    // the Ref: line always survives: the content gives way if the two exceed LAPOR!'s limit
    const room = cfg.max_content_chars - codePointLength(ref) - 2;
    const body: Record<string, unknown> = {
      title: c.title,
      content: `${truncateText(c.content, room)}\n\n${ref}`,
      channel: cfg.channel_ids[c.channel] ?? cfg.channel_ids.other,
      classification_id: cfg.classification_ids[c.classification],
      disposition_id: asId(c.target_agency?.lapor_institution_id ?? cfg.default_disposition_id),
      category_id: asId(c.category?.lapor_category_id ?? cfg.default_category_id),
      location_id: c.location?.region_code,
      date_of_incident: c.incident_date,
      tags_raw: tags.join(' '),
      is_anonymous: c.is_anonymous,
      is_secret: c.is_secret,
      attachments: attachmentIds,
      user_id: cfg.user_id,
    };
    for (const k of Object.keys(body)) if (body[k] === undefined) delete body[k];
    return body;
  }

  async deliver(c: StoredComplaint, ctx: DeliveryContext): Promise<DeliveryOutcome> {
    const ids: string[] = [];
    for (const att of c.attachments ?? []) {
      const r = await this.uploadAttachment(att, c.source.system, ctx);
      if ('outcome' in r) return r.outcome;
      if (r.id) ids.push(r.id);
    }
    return this.create(c, ids, ctx);
  }

  private async create(c: StoredComplaint, attachmentIds: string[], ctx: DeliveryContext): Promise<DeliveryOutcome> {
    const body = this.renderBody(c, attachmentIds);
    const payloadHash = sha256(stableStringify(body));
    const headers: Record<string, string> = { 'Content-Type': 'application/json' };
    if (this.config.idempotency_header) headers[this.config.idempotency_header] = ctx.idempotencyKey;
    // whether the last request may have reached LAPOR! (a shutdown before that is a plain retry)
    let mayBeFiled = false;
    try {
      return await pRetry(
        async () => {
          if (ctx.signal?.aborted) throw new RetryLater('stopped before sending');
          mayBeFiled = true;
          const started = performance.now();
          const at = this.now().toISOString();
          const startedId = ctx.onAttemptStart?.({ operation: 'create', at, idempotencyKey: ctx.idempotencyKey, payloadHash });
          let res: AxiosResponse | undefined;
          let errorCode: string | undefined;
          try {
            res = await this.http.post(this.config.paths.create, body, { headers, signal: ctx.signal });
          } catch (err) {
            errorCode = isAxiosError(err) ? (err.code === 'ECONNABORTED' ? 'ETIMEDOUT' : (err.code ?? err.cause?.constructor.name)) : 'UNKNOWN';
            if (isAxiosError(err) && err.code === 'ERR_CANCELED') errorCode = 'ECONNRESET'; // aborted mid-flight: may have been sent
            if (err instanceof NotSentError) errorCode = err.code;
          }
          // no connection within the connect timeout: nothing was sent
          const classCode = errorCode === CONNECT_TIMEOUT_CODE ? 'ENOTSENT' : errorCode;
          const { parsed, json } = parseJson(res?.data);
          const id = parsed ? complaintId(json) : undefined;
          const decision = classifyCreate(
            { errorCode: classCode, status: res?.status, retryAfter: res?.headers['retry-after'] as string | undefined, parsed, id, alreadyExists: parsed && alreadyExists(json) },
            this.now(),
          );
          const reason = describe(res, errorCode, json);
          ctx.onAttempt({ operation: 'create', at, idempotencyKey: ctx.idempotencyKey, payloadHash, httpStatus: res?.status, outcome: decision.class, latencyMs: performance.now() - started, reply: replyText(res), error: errorCode, startedId });
          switch (decision.class) {
            case 'delivered':
              return { kind: 'delivered', laporId: id as string } satisfies DeliveryOutcome;
            case 'exists':
              throw new Final({ kind: 'exists', laporId: parsed ? complaintId(json) : undefined, reason });
            case 'rejected':
              throw new Final({ kind: 'rejected', reason });
            case 'paused':
              throw new Final({ kind: 'paused', reason });
            case 'in_doubt':
              throw new Final({ kind: 'in_doubt', reason });
            case 'retry': {
              mayBeFiled = false;
              const wait = decision.retryAfterMs;
              if (wait !== undefined && wait > this.maxInCallWaitMs) throw new Final({ kind: 'retry', reason, retryAfterMs: wait });
              const e = new RetryLater(reason, wait);
              throw e;
            }
          }
        },
        {
          retries: this.inCallRetries,
          minTimeout: 250,
          maxTimeout: this.maxInCallWaitMs,
          randomize: true,
          signal: ctx.signal,
          shouldRetry: ({ error }) => error instanceof RetryLater,
          onFailedAttempt: async ({ error }) => {
            // honour a short Retry-After before p-retry's own backoff
            if (error instanceof RetryLater && error.waitMs) await sleep(Math.min(error.waitMs, this.maxInCallWaitMs), ctx.signal);
          },
        },
      );
    } catch (err) {
      if (err instanceof Final) return err.outcome;
      if (err instanceof RetryLater) return { kind: 'retry', reason: err.message, ...(err.waitMs !== undefined ? { retryAfterMs: err.waitMs } : {}) };
      if (ctx.signal?.aborted) return mayBeFiled ? { kind: 'in_doubt', reason: 'stopped while the request was in flight' } : { kind: 'retry', reason: 'stopped before sending' };
      throw err;
    }
  }

  /**
   * Fetches one attachment from the source (through the attachment policy: allowed hosts and
   * addresses, size, type, time) and uploads it. A refused attachment is dropped with a warning
   * naming the reason; the complaint still goes. Uploads are safe to retry.
   */
  private async uploadAttachment(att: AttachmentRef, system: string, ctx: DeliveryContext): Promise<{ id?: string } | { outcome: DeliveryOutcome }> {
    const started = performance.now();
    const name = redactText(att.filename ?? 'attachment');
    const got = await this.fetcher.fetch(att.url, system, ctx.signal);
    const outcome = got.kind === 'ok' ? 'ok' : got.kind === 'transient' ? 'failed' : 'dropped';
    ctx.onAttempt({
      operation: 'fetch_attachment',
      at: this.now().toISOString(),
      httpStatus: got.status,
      outcome,
      latencyMs: performance.now() - started,
      ...(got.kind === 'refused' || got.kind === 'transient' ? { error: redactText(got.reason).slice(0, 300) } : {}),
    });
    if (got.kind === 'gone') {
      // the evidence is gone at the source: the complaint still goes (DESIGN §3)
      ctx.onWarning({ field: 'attachments', message: `${name} answered HTTP ${got.status}; dropped` });
      return {};
    }
    if (got.kind === 'refused') {
      ctx.onWarning({ field: 'attachments', message: redactText(`${name} refused: ${got.reason}; dropped`) });
      return {};
    }
    // a transient failure (or shutdown) at the source: nothing is created yet, try the whole send later
    if (got.kind === 'transient') return { outcome: { kind: 'retry', reason: redactText(`attachment ${name} could not be fetched (${got.reason})`) } };
    const file = got.body;
    const mime = got.mime;

    try {
      return await pRetry(
        async () => {
          const t0 = performance.now();
          const form = new FormData();
          form.append('attachments[]', new Blob([new Uint8Array(file)], { type: mime }), att.filename ?? 'lampiran');
          let res: AxiosResponse | undefined;
          let errorCode: string | undefined;
          try {
            res = await this.http.post(this.config.paths.upload, form, { signal: ctx.signal });
          } catch (err) {
            errorCode = isAxiosError(err) ? (err.code ?? 'ERROR') : 'ERROR';
          }
          const { parsed, json } = parseJson(res?.data);
          const id = parsed ? uploadedId(json) : undefined;
          const status = res?.status;
          const ok = status !== undefined && status >= 200 && status < 300 && id !== undefined;
          ctx.onAttempt({ operation: 'upload', at: this.now().toISOString(), httpStatus: status, outcome: ok ? 'ok' : 'failed', latencyMs: performance.now() - t0, reply: replyText(res), error: errorCode });
          if (ok) return { id };
          if (status === 401 || status === 403) throw new Final({ kind: 'paused', reason: describe(res, errorCode, json) });
          if (status === 400 || status === 413 || status === 415 || status === 422) {
            ctx.onWarning({ field: 'attachments', message: `${redactText(att.filename ?? 'attachment')} refused by LAPOR! (${describe(res, errorCode, json)}); dropped` });
            return {};
          }
          throw new RetryLater(`upload failed: ${describe(res, errorCode, json)}`, parseRetryAfter(res?.headers['retry-after'] as string | undefined, this.now()));
        },
        { retries: this.inCallRetries, minTimeout: 250, maxTimeout: this.maxInCallWaitMs, randomize: true, signal: ctx.signal, shouldRetry: ({ error }) => error instanceof RetryLater },
      );
    } catch (err) {
      if (err instanceof Final) return { outcome: err.outcome };
      if (err instanceof RetryLater) return { outcome: { kind: 'retry', reason: err.message } };
      throw err;
    }
  }

  async sendUpdate(laporId: string, c: StoredComplaint, ctx: DeliveryContext): Promise<DeliveryOutcome> {
    const path = this.config.paths.followup_create.replace('{id}', encodeURIComponent(laporId));
    const ref = this.refLine(c);
    const intro = `Pembaruan dari ${c.source.system} (perubahan pada pengaduan asal):`;
    const room = this.config.max_content_chars - codePointLength(intro) - codePointLength(ref) - 4;
    const body = { content: `${intro}\n\n${truncateText(`${c.title}\n\n${c.content}`, room)}\n\n${ref}` };
    const headers: Record<string, string> = {};
    if (this.config.idempotency_header) headers[this.config.idempotency_header] = ctx.idempotencyKey;
    const started = performance.now();
    let res: AxiosResponse | undefined;
    let errorCode: string | undefined;
    try {
      res = await this.http.post(path, body, { headers, signal: ctx.signal });
    } catch (err) {
      errorCode = isAxiosError(err) ? (err.code ?? 'ERROR') : 'ERROR';
    }
    const { parsed, json } = parseJson(res?.data);
    const status = res?.status;
    ctx.onAttempt({ operation: 'followup', at: this.now().toISOString(), idempotencyKey: ctx.idempotencyKey, httpStatus: status, outcome: status && status >= 200 && status < 300 ? 'delivered' : 'failed', latencyMs: performance.now() - started, reply: replyText(res), error: errorCode });
    if (status !== undefined && status >= 200 && status < 300) return { kind: 'delivered', laporId };
    const decision = classifyCreate({ errorCode, status, retryAfter: res?.headers['retry-after'] as string | undefined, parsed, alreadyExists: parsed && alreadyExists(json) }, this.now());
    const reason = describe(res, errorCode, json);
    if (decision.class === 'paused') return { kind: 'paused', reason };
    if (decision.class === 'rejected') return { kind: 'rejected', reason };
    return { kind: 'retry', reason };
  }

  /**
   * Finds a filed complaint by its exact `Ref:` line. The search matches substrings
   * (`bebeja/3` also finds `bebeja/30…`), so every page is read (Laravel `next_page_url`, same
   * origin only); a search that cannot be read to the end is a failed lookup, never "not found".
   */
  async lookup(c: StoredComplaint, ctx: LookupContext): Promise<LookupResult> {
    if (this.config.lookup === false) throw new Error('[lapor] this destination has no lookup configured');
    const ref = this.refLine(c);
    const origin = new URL(this.config.base_url).origin;
    let url: string | undefined = this.config.lookup.path;
    let params: Record<string, string> | undefined = { [this.config.lookup.param]: ref };
    for (let page = 1; url !== undefined; page++) {
      if (page > MAX_LOOKUP_PAGES) throw new Error(`[lapor] lookup of ${sourceRef(c)} failed: more than ${MAX_LOOKUP_PAGES} result pages`);
      const started = performance.now();
      const res = await this.http.get(url, { params, signal: ctx.signal }).catch((err: unknown) => {
        ctx.onAttempt({ operation: 'lookup', at: this.now().toISOString(), outcome: 'failed', latencyMs: performance.now() - started, error: isAxiosError(err) ? err.code : String(err) });
        throw new Error(`[lapor] lookup of ${sourceRef(c)} failed: ${isAxiosError(err) ? err.code : String(err)}`);
      });
      const { parsed, json } = parseJson(res.data);
      ctx.onAttempt({ operation: 'lookup', at: this.now().toISOString(), httpStatus: res.status, outcome: res.status === 200 && parsed ? 'ok' : 'failed', latencyMs: performance.now() - started, reply: replyText(res) });
      if (res.status !== 200 || !parsed) throw new Error(`[lapor] lookup of ${sourceRef(c)} failed: HTTP ${res.status}`);
      // a match counts only if the Ref: line equals the reference exactly (bebeja/3 ≠ bebeja/30)
      for (const item of listOf(json)) {
        const content = typeof item.content === 'string' ? item.content : '';
        if (content.split(/\r?\n/).some((line) => line.trim() === ref)) {
          const id = item.id ?? item.complaint_id;
          if (id !== undefined && id !== null && !ctx.exclude?.includes(String(id))) return { found: true, laporId: String(id) };
        }
      }
      const next = getPath(json, 'results.next_page_url') ?? getPath(json, 'next_page_url');
      if (typeof next !== 'string' || next === '') break;
      const nextUrl = new URL(next, `${origin}/`);
      if (nextUrl.origin !== origin) throw new Error(`[lapor] lookup of ${sourceRef(c)} failed: next_page_url points to another host`);
      url = nextUrl.href;
      params = undefined;
    }
    return { found: false };
  }
}

const MAX_LOOKUP_PAGES = 50;

/** Ids from lookup CSVs arrive as text; LAPOR! ids are numbers when they look like numbers. */
function asId(v: string | number | undefined): string | number | undefined {
  return typeof v === 'string' && /^\d{1,15}$/.test(v) ? Number(v) : v;
}

function slug(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_|_$/g, '');
}

function parseJson(data: unknown): { parsed: boolean; json: Record<string, unknown> } {
  if (data && typeof data === 'object' && !Buffer.isBuffer(data)) return { parsed: true, json: data as Record<string, unknown> };
  if (typeof data === 'string' && data.trim()) {
    try {
      const v = JSON.parse(data) as unknown;
      if (v && typeof v === 'object') return { parsed: true, json: v as Record<string, unknown> };
    } catch {
      /* fall through */
    }
  }
  return { parsed: false, json: {} };
}


/** `{ complaint_id }` or `{ data: { complaint_id } }` (some deployments nest it). */
function complaintId(json: unknown): string | undefined {
  const id = getPath(json, 'complaint_id') ?? getPath(json, 'data.complaint_id') ?? getPath(json, 'results.complaint_id');
  return id === undefined || id === null || id === '' ? undefined : String(id);
}

function uploadedId(json: unknown): string | undefined {
  const docs = getPath(json, 'results.docs');
  const first = Array.isArray(docs) ? (docs[0] as unknown) : undefined;
  const id = getPath(first, 'id');
  return id === undefined || id === null ? undefined : String(id);
}

function alreadyExists(json: unknown): boolean {
  return /already exists|sudah ada/i.test(String(getPath(json, 'message') ?? getPath(json, 'error') ?? ''));
}

function listOf(json: unknown): Record<string, unknown>[] {
  for (const candidate of [getPath(json, 'results.data'), getPath(json, 'data'), getPath(json, 'results.docs'), json]) {
    if (Array.isArray(candidate)) return candidate.filter((x): x is Record<string, unknown> => !!x && typeof x === 'object');
  }
  return [];
}

function describe(res: AxiosResponse | undefined, errorCode: string | undefined, json: Record<string, unknown>): string {
  if (!res) return `no reply (${errorCode ?? 'unknown error'})`;
  const message = getPath(json, 'message') ?? getPath(json, 'error') ?? getPath(json, 'errors');
  const detail = message === undefined ? '' : `: ${typeof message === 'string' ? message : JSON.stringify(message)}`;
  return redactText(`HTTP ${res.status}${detail}`).slice(0, 500);
}

function replyText(res: AxiosResponse | undefined): string | undefined {
  if (!res) return undefined;
  const text = typeof res.data === 'string' ? res.data : JSON.stringify(res.data);
  return redactText(text ?? '').slice(0, 1000);
}

export type { AttemptInput };
