import { type AxiosInstance, isAxiosError } from 'axios';
import { createHttpClient, destroyHttpClient } from '../../net/http-client.js';
import pRetry, { AbortError } from 'p-retry';
import { DateTime } from 'luxon';
import type { AdapterContext, AdapterFactory, CheckResult, ReadOptions, SourceAdapter, SourceBatch, SourceRecord, StatusUpdate } from '../adapter.js';
import { AdapterError } from '../errors.js';
import { getPath } from '../../mapping/compile-mapping.js';
import { sha256, stableStringify } from '../../util/stable-json.js';
import { jsonDepthExceeded, MAX_EXTERNAL_ID_CHARS, tooDeepMessage } from '../input-limits.js';
import { formatByteSize } from '../../util/byte-size.js';
import { restConfigSchema, type RestConfig } from './rest-config.js';

/** Where to resume: the last `(updated_at, id)` made durable, as an ISO instant and the id. */
export interface RestCursor {
  readonly updated_at: string;
  readonly id: string;
}

const RETRIABLE_STATUS = new Set([408, 425, 429, 500, 502, 503, 504]);

export class RestAdapter implements SourceAdapter<RestCursor> {
  readonly kind = 'rest';
  readonly capabilities: SourceAdapter['capabilities'];
  private readonly client: AxiosInstance;

  constructor(
    private readonly config: RestConfig,
    private readonly ctx: AdapterContext,
  ) {
    this.capabilities = { incremental: true, writeBack: config.write_back !== undefined };
    // the shared factory: proxy from the environment, TLS always verified, connect timeout (issue #10)
    this.client = createHttpClient({
      baseURL: config.base_url.replace(/\/+$/, ''),
      timeoutMs: config.timeout,
      headers: { Accept: 'application/json', ...authHeaders(config) },
      // no redirects: an API-key header would follow one to another host (a Link header is checked the same way)
      axios: { validateStatus: () => true, maxRedirects: 0 },
    });
  }

  async open(): Promise<void> {}

  async close(): Promise<void> {
    destroyHttpClient(this.client);
  }

  /**
   * Keyset walk (DESIGN §6): each request restarts from the last `updated_at` seen (inclusive);
   * page numbers are used only inside a group of equal timestamps larger than a page. Records
   * edited mid-walk move to the end and are read later; re-reads are deduplicated by the ledger.
   */
  async *read(from: RestCursor | undefined, options: ReadOptions = {}): AsyncIterable<SourceBatch<RestCursor>> {
    const startedAt = this.ctx.now().getTime();
    const cap = startedAt - this.config.incremental.clock_skew;
    const { page_size } = this.config.pagination;

    let sinceMs: number | undefined;
    if (options.since) sinceMs = options.since.getTime();
    else if (!options.full && from) sinceMs = Date.parse(from.updated_at) - this.config.incremental.lookback;

    let cursor: RestCursor | undefined = from;
    // a backfill that starts after the saved cursor must not move it past records it skipped
    const hold = options.since && from && options.since.getTime() > Date.parse(from.updated_at) ? from : undefined;
    let page = 1;
    let token: string | undefined; // the next-page token or Link URL (cursor / link pagination)
    const seenTokens = new Set<string>();
    let requestUrl = `${this.config.base_url.replace(/\/+$/, '')}${this.config.records_path}`; // relative Link targets resolve against it
    const p = this.config.pagination;
    // Paging by number inside a timestamp group is exposed to slides: a record of the group we
    // already read, edited meanwhile, leaves the group and shifts the rest one place left past
    // our offset. We see that happen (the same id comes back later with a newer time); then the
    // cursor is held at the group's time so the next run re-reads it and catches what slid.
    let pagedGroupMs: number | undefined;
    const groupMembers = new Map<string, number>(); // id → the group time it was read at
    let slid = false;
    for (;;) {
      options.signal?.throwIfAborted();
      const { body, link } = await this.fetchPage(sinceMs, page, token, options.signal, `page ${page}${token === undefined ? '' : ' of a token walk'}`);
      const list = getPath(body, jsonPath(this.config.records_field));
      if (!Array.isArray(list)) throw new AdapterError('SOURCE_BAD_RESPONSE', this.ctx.sourceId, `${this.config.records_path}: "${this.config.records_field}" is not a list in the response`, false);
      if (list.length > page_size) throw new AdapterError('SOURCE_BAD_RESPONSE', this.ctx.sourceId, `${this.config.records_path}: page has ${list.length} records, more than the ${page_size} asked for`, false);
      if (list.length === 0) return;

      const records: SourceRecord[] = [];
      let lastMs: number | undefined;
      for (const [i, raw] of list.entries()) {
        const id = getPath(raw, this.config.primary_key);
        if (id === undefined || id === null || id === '' || typeof id === 'object') {
          // quarantined under a stable made-up key, so one bad row never blocks the source
          records.push({ externalId: `noid:${sha256(stableStringify(raw)).slice(0, 16)}`, raw, problem: `source.external_id: the record has no "${this.config.primary_key}" (page ${page}, item ${i})` });
          continue;
        }
        if (String(id).length > MAX_EXTERNAL_ID_CHARS) {
          // a ledger key is short: kept under a hash of the id, quarantined with the reason
          records.push({ externalId: `longid:${sha256(String(id)).slice(0, 16)}`, raw, problem: `source.external_id: "${this.config.primary_key}" is longer than ${MAX_EXTERNAL_ID_CHARS} characters (page ${page}, item ${i})` });
          continue;
        }
        records.push({ externalId: String(id), raw });
        const ts = this.timestampOf(raw);
        if (ts !== undefined) {
          lastMs = ts;
          const readAt = groupMembers.get(String(id));
          if (readAt !== undefined && ts > readAt) slid = true;
          if (sinceMs !== undefined && ts === sinceMs) groupMembers.set(String(id), ts);
          const capped = Math.min(ts, cap);
          if (!cursor || capped > Date.parse(cursor.updated_at) || (capped === Date.parse(cursor.updated_at) && String(id) > cursor.id)) {
            cursor = { updated_at: new Date(capped).toISOString(), id: String(id) };
          }
        }
      }
      let batchCursor = cursor ?? { updated_at: new Date(0).toISOString(), id: '' };
      if (slid && pagedGroupMs !== undefined && Date.parse(batchCursor.updated_at) > pagedGroupMs) {
        batchCursor = { updated_at: new Date(pagedGroupMs).toISOString(), id: '' };
      }
      if (p.type === 'cursor' || p.type === 'link') {
        // the server keeps its own place, not ordered by updated_at: the saved cursor moves only
        // after the last page (a stop between pages re-reads from where the walk began)
        const raw = p.type === 'cursor' ? getPath(body, jsonPath(p.token_path)) : link;
        const next = raw === undefined || raw === null || raw === '' ? undefined : p.type === 'link' ? new URL(String(raw), requestUrl).href : String(raw);
        yield { records, cursor: hold ?? (next === undefined ? batchCursor : (from ?? { updated_at: new Date(0).toISOString(), id: '' })) };
        if (next === undefined) return;
        if (seenTokens.has(next)) throw new AdapterError('SOURCE_BAD_RESPONSE', this.ctx.sourceId, `${this.config.records_path}: the next-page ${p.type === 'link' ? 'link' : 'token'} repeats an earlier one; stopping instead of looping`, false);
        seenTokens.add(next);
        if (p.type === 'link') requestUrl = next;
        token = next;
        continue;
      }
      yield { records, cursor: hold ?? batchCursor };
      const lastPage = p.type === 'page' ? Number(getPath(body, jsonPath(p.last_page_field))) : Number.NaN;
      if (list.length < page_size || (Number.isFinite(lastPage) && page >= lastPage)) return;
      if (lastMs === undefined) {
        page++; // no replication key in the data: plain page walk
      } else if (sinceMs !== undefined && lastMs <= sinceMs) {
        page++; // a whole page inside one timestamp group: step through the group by page
        pagedGroupMs = Math.min(pagedGroupMs ?? sinceMs, sinceMs);
      } else {
        sinceMs = lastMs;
        page = 1;
        if (pagedGroupMs === undefined) groupMembers.clear(); // only a paged group needs its members remembered
      }
    }
  }

  private timestampOf(raw: unknown): number | undefined {
    const v = getPath(raw, this.config.replication_key);
    if (typeof v !== 'string' && typeof v !== 'number') return undefined;
    const text = String(v);
    const dt = /T/.test(text) ? DateTime.fromISO(text, { zone: this.config.timezone }) : DateTime.fromSQL(text, { zone: this.config.timezone });
    return dt.isValid ? dt.toMillis() : undefined;
  }

  private async fetchPage(sinceMs: number | undefined, page: number, token: string | undefined, signal: AbortSignal | undefined, label: string): Promise<{ body: unknown; link?: string }> {
    const p = this.config.pagination;
    if (p.type === 'link' && token) {
      // a next link must stay on the source's own host (it is sent our credentials)
      const next = new URL(token);
      if (next.origin !== new URL(this.config.base_url).origin) throw new AdapterError('SOURCE_BAD_RESPONSE', this.ctx.sourceId, `${this.config.records_path}: the Link header points to another host (${next.origin})`, false);
      return this.get(next.href, {}, signal, label);
    }
    const params: Record<string, string | number> = { [p.size_param]: p.page_size };
    if (p.type === 'page') params[p.page_param] = page;
    if (p.type === 'offset') params[p.offset_param] = (page - 1) * p.page_size;
    if (p.type === 'cursor' && token) params[p.token_param] = token;
    if (sinceMs !== undefined) params[this.config.incremental.param] = DateTime.fromMillis(sinceMs, { zone: this.config.timezone }).toISO({ suppressMilliseconds: true }) as string;
    return this.get(this.config.records_path, params, signal, label);
  }

  /**
   * GETs are safe to retry on any transient failure. The reply is bounded (issue #10): at most
   * `max_response_bytes`, counted while streaming (a larger reply is cut off, never buffered
   * whole), and JSON nested at most `max_depth` levels, checked on the text before parsing. A
   * reply over a limit fails the walk at once, without retrying: the same page would come back.
   */
  private async get(path: string, params: Record<string, string | number>, signal?: AbortSignal, label?: string): Promise<{ body: unknown; link?: string }> {
    const where = `GET ${path}`;
    const what = label ? `${where} (${label})` : where;
    const maxBytes = this.config.max_response_bytes;
    return pRetry(
      async () => {
        let res;
        try {
          res = await this.client.get<string>(path, { params, signal, maxContentLength: maxBytes, responseType: 'text', transformResponse: [(data: unknown) => data] });
        } catch (err) {
          if (isAxiosError(err) && err.code === 'ERR_CANCELED') throw new AbortError(err.message);
          if (isAxiosError(err) && /maxContentLength/.test(err.message)) {
            throw new AbortError(new AdapterError('SOURCE_BAD_RESPONSE', this.ctx.sourceId, `${what}: the reply is larger than max_response_bytes ${formatByteSize(maxBytes)}; it was cut off and nothing of it was read`, false));
          }
          throw new AdapterError('SOURCE_UNREACHABLE', this.ctx.sourceId, `${where}: ${isAxiosError(err) ? (err.code ?? err.message) : String(err)}`, true);
        }
        if (res.status === 401 || res.status === 403) throw new AbortError(new AdapterError('SOURCE_AUTH', this.ctx.sourceId, `${where}: HTTP ${res.status}, check the source's credentials`, false));
        if (RETRIABLE_STATUS.has(res.status)) throw new AdapterError('SOURCE_UNREACHABLE', this.ctx.sourceId, `${where}: HTTP ${res.status}`, true);
        if (res.status < 200 || res.status >= 300) throw new AbortError(new AdapterError('SOURCE_BAD_RESPONSE', this.ctx.sourceId, `${where}: HTTP ${res.status}`, false));
        return { body: this.parseReply(what, res.data), link: nextLink(res.headers.link as string | undefined) };
      },
      { retries: 3, minTimeout: 200, maxTimeout: 2000, randomize: true, signal },
    );
  }

  private parseReply(where: string, data: unknown): unknown {
    const text = typeof data === 'string' ? data : Buffer.isBuffer(data) ? data.toString('utf8') : '';
    const deep = jsonDepthExceeded(text, this.config.max_depth);
    if (deep !== undefined) throw new AbortError(new AdapterError('SOURCE_BAD_RESPONSE', this.ctx.sourceId, `${where}: the reply is ${tooDeepMessage(deep, this.config.max_depth)}, more than max_depth`, false));
    let body: unknown;
    try {
      body = JSON.parse(text.replace(/^\uFEFF/, ''));
    } catch {
      body = undefined;
    }
    if (typeof body !== 'object' || body === null) throw new AbortError(new AdapterError('SOURCE_BAD_RESPONSE', this.ctx.sourceId, `${where}: the reply is not JSON`, false));
    return body;
  }

  async check(signal?: AbortSignal): Promise<CheckResult> {
    try {
      await this.get(this.config.records_path, { [this.config.pagination.size_param]: 1 }, signal);
      return { ok: true, message: `${this.config.base_url}${this.config.records_path} answers` };
    } catch (err) {
      return { ok: false, message: (err as Error).message };
    }
  }

  async writeBack(externalId: string, update: StatusUpdate): Promise<void> {
    if (!this.config.write_back) throw new AdapterError('SOURCE_CONFIG', this.ctx.sourceId, 'write_back is not configured', false);
    const path = this.config.write_back.path.replace('{id}', encodeURIComponent(externalId));
    const res = await this.client.post(path, { status: update.status, keterangan: update.note, tracking_id: update.trackingId }, { maxContentLength: this.config.max_response_bytes, responseType: 'text', transformResponse: [(data: unknown) => data] });
    if (res.status === 401 || res.status === 403) throw new AdapterError('SOURCE_AUTH', this.ctx.sourceId, `POST ${path}: HTTP ${res.status} (check the source's credentials)`, false);
    if (res.status < 200 || res.status >= 300) throw new AdapterError('SOURCE_BAD_RESPONSE', this.ctx.sourceId, `POST ${path}: HTTP ${res.status}`, RETRIABLE_STATUS.has(res.status));
  }
}

/** `$.a.b` and `a.b` name the same place. */
function jsonPath(p: string): string {
  return p.replace(/^\$\.?/, '');
}

/** The rel="next" target of an RFC 8288 Link header. */
export function nextLink(header: string | undefined): string | undefined {
  for (const part of header?.split(/,(?=\s*<)/) ?? []) {
    const m = /<([^>]*)>((?:\s*;\s*[^;]+)*)/.exec(part.trim());
    if (m && /;\s*rel\s*=\s*"?([^";]*\s)?next(\s[^";]*)?"?/i.test(m[2] ?? '')) return m[1];
  }
  return undefined;
}

function authHeaders(config: RestConfig): Record<string, string> {
  const auth = config.auth;
  switch (auth.type) {
    case 'api_key':
      return { [auth.header]: auth.value.reveal() };
    case 'bearer':
      return { Authorization: `Bearer ${auth.token.reveal()}` };
    case 'basic':
      return { Authorization: `Basic ${Buffer.from(`${auth.username}:${auth.password.reveal()}`).toString('base64')}` };
    default:
      return {};
  }
}

export const restAdapterFactory: AdapterFactory<RestConfig> = {
  kind: 'rest',
  description: 'Generic JSON REST API: page pagination, API key / bearer / basic auth, incremental updated_since cursor',
  configSchema: restConfigSchema as unknown as AdapterFactory<RestConfig>['configSchema'],
  create: (config, ctx) => new RestAdapter(config, ctx),
};
