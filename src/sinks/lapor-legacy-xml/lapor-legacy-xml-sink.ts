/**
 * The `lapor-legacy-xml` dialect (DESIGN §4): one `POST /api/stream/addstream` per complaint,
 * an XML body built with fast-xml-parser's builder, an XML reply read for `<trackingid>` (the
 * LAPOR! id) and `<transaksiid>`. Every reply is classified by the one classifier
 * (`classifyCreate`); the token travels only in the body's `token` attribute and is never
 * logged or stored (attempt replies are redacted, the payload hash is taken without it).
 *
 * The legacy body has no title, category, location, date or attachments: the title becomes the
 * first line of `<isi>` (configurable), the rest is not sent (attachments with a warning). The
 * reporter goes in `<pelapor>` only when the complaint is not anonymous; the NIK never does.
 */
import { type AxiosInstance, type AxiosResponse, isAxiosError } from 'axios';
import { createHttpClient, destroyHttpClient } from '../../net/http-client.js';
import pRetry from 'p-retry';
import type { StoredComplaint } from '../../ledger/sqlite-ledger.js';
import { codePointLength } from '../../mapping/canonical.js';
import { truncateText } from '../../mapping/validate-complaint.js';
import { redactText } from '../../util/redact.js';
import { sha256, stableStringify } from '../../util/stable-json.js';
import { classifyCreate } from '../classify-failure.js';
import { sourceRef, type DeliveryContext, type DeliveryOutcome, type LookupContext, type LookupResult, type Sink } from '../sink.js';
import { Final, limitRate, NotSentError, renderRef, RetryLater, sleep } from '../sink-support.js';
import type { LaporLegacyXmlConfig } from './lapor-legacy-xml-config.js';
import { ATTR, buildXml, decodeBody, elementsWith, findText, parseXml, textOf, xmlSafeText, type ParsedXml } from './legacy-xml.js';

export interface LaporLegacyXmlSinkOptions {
  /** Extra tries inside one delivery for replies that are certainly not filed (429/503/refused). */
  readonly inCallRetries?: number;
  /** Longest Retry-After honoured inside a call; longer waits go to the ledger schedule. */
  readonly maxInCallWaitMs?: number;
  readonly now?: () => Date;
}

/** A delivery of this dialect also carries LAPOR!'s transaction id, when the reply had one. */
export type LegacyDelivered = Extract<DeliveryOutcome, { kind: 'delivered' }> & { readonly transactionId?: string };

/** The `<pelapor>` element's children, in the order LAPOR! expects them. */
export interface Pelapor {
  email: string;
  telpon: string;
  namadepan: string;
  namabelakang: string;
}

/** Elements an error reply may carry its message in. */
const MESSAGE_ELEMENTS = ['message', 'pesan', 'error', 'errors', 'keterangan', 'msg', 'status_message'];
const MAX_LOOKUP_PAGES = 50;

export class LaporLegacyXmlSink implements Sink {
  readonly dialect = 'lapor-legacy-xml';
  readonly name: string;
  readonly capabilities: { lookup: boolean };
  private readonly http: AxiosInstance;
  private readonly inCallRetries: number;
  private readonly maxInCallWaitMs: number;
  private readonly now: () => Date;

  constructor(
    private readonly config: LaporLegacyXmlConfig,
    options: LaporLegacyXmlSinkOptions = {},
  ) {
    this.name = config.name;
    this.capabilities = { lookup: config.lookup !== false };
    this.inCallRetries = options.inCallRetries ?? 2;
    this.maxInCallWaitMs = options.maxInCallWaitMs ?? 5000;
    this.now = options.now ?? (() => new Date());
    // the shared factory: proxy from the environment, TLS always verified, connect timeout (issue #10)
    this.http = createHttpClient({
      baseURL: config.base_url.replace(/\/+$/, ''),
      timeoutMs: config.timeout,
      headers: { Accept: 'text/xml, application/xml;q=0.9, */*;q=0.1' },
      axios: {
        responseType: 'arraybuffer', // decoded by charset in decodeBody, parsed as XML here
        maxContentLength: config.max_reply_bytes,
        maxRedirects: 0,
        validateStatus: () => true,
      },
    });
    if (config.rate_limit_per_second > 0) {
      limitRate(this.http, config.rate_limit_per_second, config.name);
    }
  }

  async close(): Promise<void> {
    destroyHttpClient(this.http);
  }

  refLine(c: Pick<StoredComplaint, 'source'>): string {
    return renderRef(this.config.ref_template, c.source.system, c.source.external_id);
  }

  /** What this dialect sends: the text, the flags, the source reference and (not anonymous) the reporter — never the NIK. */
  sentView(c: StoredComplaint): unknown {
    const view: Record<string, unknown> = {
      content: c.content,
      source: { system: c.source.system, external_id: c.source.external_id },
      is_anonymous: c.is_anonymous,
      is_secret: c.is_secret,
    };
    if (this.config.include_title) view.title = c.title;
    if (!c.is_anonymous && c.reporter) {
      const reporter: Record<string, string> = {};
      if (c.reporter.name !== undefined) reporter.name = c.reporter.name;
      if (c.reporter.phone !== undefined) reporter.phone = c.reporter.phone;
      if (c.reporter.email !== undefined) reporter.email = c.reporter.email;
      view.reporter = reporter;
    }
    return view;
  }

  /** The text of `<isi>`: title (optional), content (cut to fit), and the Ref: line last. */
  renderIsi(c: StoredComplaint): string {
    const ref = xmlSafeText(this.refLine(c));
    const title = this.config.include_title ? xmlSafeText(c.title).trim() : '';
    const head = title ? `${title}\n\n` : '';
    // the Ref: line always survives: the content gives way if the whole exceeds LAPOR!'s limit
    const room = this.config.max_content_chars - codePointLength(head) - codePointLength(ref) - 2;
    return `${head}${truncateText(xmlSafeText(c.content), Math.max(1, room))}\n\n${ref}`;
  }

  /** `<pelapor>` for a complaint that is not anonymous; undefined for an anonymous one. */
  renderPelapor(c: StoredComplaint): Pelapor | undefined {
    if (c.is_anonymous) return undefined;
    const r = c.reporter ?? {};
    const [first = '', ...rest] = xmlSafeText(r.name ?? '')
      .trim()
      .split(/\s+/);
    return {
      email: xmlSafeText(r.email ?? ''),
      telpon: formatPhone(r.phone, this.config.phone_format),
      namadepan: first,
      namabelakang: rest.join(' '),
    };
  }

  /** The document object of the request; `token` stands in for the secret (the hash is taken without it). */
  renderDocument(c: StoredComplaint, token: string): Record<string, unknown> {
    const pelapor = this.renderPelapor(c);
    return {
      lapor: {
        [`${ATTR}token`]: token,
        ...(pelapor ? { pelapor } : {}),
        laporan: {
          [`${ATTR}rahasia`]: c.is_secret ? '1' : '0',
          [`${ATTR}anonim`]: c.is_anonymous ? '1' : '0',
          isi: this.renderIsi(c),
        },
      },
    };
  }

  /** The request body exactly as sent (it contains the token: never log or store it). */
  renderXml(c: StoredComplaint): string {
    return buildXml(this.renderDocument(c, xmlSafeText(this.config.token.reveal())));
  }

  async deliver(c: StoredComplaint, ctx: DeliveryContext): Promise<DeliveryOutcome> {
    const dropped = c.attachments?.length ?? 0;
    if (dropped > 0) ctx.onWarning({ field: 'attachments', message: `the lapor-legacy-xml dialect sends no attachments; ${dropped} not sent` });
    const body = Buffer.from(this.renderXml(c), 'utf8');
    const payloadHash = sha256(stableStringify(this.renderDocument(c, '[token]')));
    const headers: Record<string, string> = { 'Content-Type': this.config.content_type };
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
          const { res, errorCode } = await this.call(() => this.http.post(this.config.paths.create, body, { headers, signal: ctx.signal }));
          const text = res ? decodeBody(res.data, header(res, 'content-type')) : '';
          const xml: ParsedXml = res ? parseXml(text) : { ok: false, error: 'no reply' };
          const id = xml.ok ? cleanId(findText(xml.doc, [this.config.reply.tracking_id])) : undefined;
          const transactionId = xml.ok ? cleanId(findText(xml.doc, [this.config.reply.transaction_id])) : undefined;
          const message = xml.ok ? findText(xml.doc, MESSAGE_ELEMENTS)?.trim() : undefined;
          const decision = classifyCreate(
            { errorCode, status: res?.status, retryAfter: header(res, 'retry-after'), parsed: xml.ok, id, alreadyExists: /already exists|sudah ada|sudah pernah/i.test(message ?? '') },
            this.now(),
          );
          const reason = this.describe(res, errorCode, xml, message, id);
          ctx.onAttempt({ operation: 'create', at, idempotencyKey: ctx.idempotencyKey, payloadHash, httpStatus: res?.status, outcome: decision.class, latencyMs: performance.now() - started, reply: replyText(res, text), error: errorCode, startedId });
          switch (decision.class) {
            case 'delivered': {
              const out: LegacyDelivered = transactionId === undefined ? { kind: 'delivered', laporId: id as string } : { kind: 'delivered', laporId: id as string, transactionId };
              return out;
            }
            case 'exists':
              throw new Final({ kind: 'exists', laporId: id, reason });
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
              throw new RetryLater(reason, wait);
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
   * Finds a filed complaint by its exact `Ref:` line through the configured search (GET
   * `<path>?<param>=<Ref line>`, the token in `lookup.token_header`). The reply lists complaints
   * as elements with `<trackingid>` and `<isi>`; a `<next_page_url>` (same origin only) is
   * followed. A search that cannot be read to the end is a failed lookup, never "not found".
   */
  async lookup(c: StoredComplaint, ctx: LookupContext): Promise<LookupResult> {
    const lookup = this.config.lookup;
    if (lookup === false) throw new Error('[lapor] this destination has no lookup configured');
    const ref = this.refLine(c);
    const origin = new URL(this.config.base_url).origin;
    const headers = { [lookup.token_header]: this.config.token.reveal() };
    let url: string | undefined = lookup.path;
    let params: Record<string, string> | undefined = { [lookup.param]: ref };
    for (let page = 1; url !== undefined; page++) {
      if (page > MAX_LOOKUP_PAGES) throw new Error(`[lapor] lookup of ${sourceRef(c)} failed: more than ${MAX_LOOKUP_PAGES} result pages`);
      const started = performance.now();
      const target: string = url;
      const { res, errorCode } = await this.call(() => this.http.get(target, { params, headers, signal: ctx.signal }));
      if (!res) {
        ctx.onAttempt({ operation: 'lookup', at: this.now().toISOString(), outcome: 'failed', latencyMs: performance.now() - started, error: errorCode });
        throw new Error(`[lapor] lookup of ${sourceRef(c)} failed: ${errorCode ?? 'no reply'}`);
      }
      const text = decodeBody(res.data, header(res, 'content-type'));
      const xml = parseXml(text);
      const ok = res.status === 200 && xml.ok;
      ctx.onAttempt({ operation: 'lookup', at: this.now().toISOString(), httpStatus: res.status, outcome: ok ? 'ok' : 'failed', latencyMs: performance.now() - started, reply: replyText(res, text) });
      if (!xml.ok) throw new Error(`[lapor] lookup of ${sourceRef(c)} failed: HTTP ${res.status}, ${xml.error}`);
      if (res.status !== 200) throw new Error(`[lapor] lookup of ${sourceRef(c)} failed: HTTP ${res.status}`);
      // a match counts only if the Ref: line equals the reference exactly (bebeja/3 ≠ bebeja/30)
      for (const item of elementsWith(xml.doc, this.config.reply.tracking_id)) {
        const content = textOf(item.isi) ?? textOf(item.content) ?? '';
        if (!content.split(/\r?\n/).some((line) => line.trim() === ref)) continue;
        const id = cleanId(textOf(item[this.config.reply.tracking_id]));
        if (id !== undefined && !ctx.exclude?.includes(id)) return { found: true, laporId: id };
      }
      const next = findText(xml.doc, ['next_page_url'])?.trim();
      if (!next) break;
      const nextUrl = new URL(next, `${origin}/`);
      if (nextUrl.origin !== origin) throw new Error(`[lapor] lookup of ${sourceRef(c)} failed: next_page_url points to another host`);
      url = nextUrl.href;
      params = undefined;
    }
    return { found: false };
  }

  /** One HTTP call: the reply, or the transport error code (never the error itself: it holds the body). */
  private async call(fn: () => Promise<AxiosResponse>): Promise<{ res?: AxiosResponse; errorCode?: string }> {
    try {
      return { res: await fn() };
    } catch (err) {
      if (err instanceof NotSentError) return { errorCode: err.code };
      if (!isAxiosError(err)) return { errorCode: 'UNKNOWN' };
      if (err.code === 'ERR_CANCELED') return { errorCode: 'ECONNRESET' }; // aborted mid-flight: may have been sent
      if (err.code === 'ECONNABORTED') return { errorCode: 'ETIMEDOUT' };
      // the reply was cut off at max_reply_bytes: the request was sent, its answer is unreadable
      if (/maxContentLength/.test(err.message)) return { errorCode: REPLY_TOO_LARGE };
      return { errorCode: err.code ?? err.cause?.constructor.name ?? 'UNKNOWN' };
    }
  }

  private describe(res: AxiosResponse | undefined, errorCode: string | undefined, xml: ParsedXml, message: string | undefined, id: string | undefined): string {
    if (errorCode === REPLY_TOO_LARGE) return `the reply is larger than max_reply_bytes (${this.config.max_reply_bytes} bytes); it was cut off unread`;
    if (!res) return `no reply (${errorCode ?? 'unknown error'})`;
    let detail = '';
    if (!xml.ok) detail = `: the reply is not XML (${xml.error})`;
    else if (message) detail = `: ${message}`;
    else if (res.status >= 200 && res.status < 300 && id === undefined) detail = `: no <${this.config.reply.tracking_id}> in the reply`;
    return redactText(`HTTP ${res.status}${detail}`).slice(0, 500);
  }
}

/** Error code of a reply cut off at `max_reply_bytes` (classified like any unreadable reply: in doubt). */
const REPLY_TOO_LARGE = 'REPLY_TOO_LARGE';

/** `+6281234567890` → `081234567890` (local), other countries stay E.164. */
export function formatPhone(phone: string | undefined, format: 'local' | 'e164'): string {
  if (!phone) return '';
  if (format === 'local' && phone.startsWith('+62')) return `0${phone.slice(3)}`;
  return phone;
}

function header(res: AxiosResponse | undefined, name: string): string | undefined {
  const v = res?.headers[name] as unknown;
  return typeof v === 'string' ? v : Array.isArray(v) ? String(v[0]) : undefined;
}

/** An id from the reply: trimmed, non-empty, short, printable. */
function cleanId(text: string | undefined): string | undefined {
  const t = text?.trim();
  if (!t || t.length > 200 || [...t].some((ch) => ch.charCodeAt(0) < 0x20)) return undefined;
  return t;
}

function replyText(res: AxiosResponse | undefined, text: string): string | undefined {
  if (!res) return undefined;
  return redactText(text).slice(0, 1000);
}

