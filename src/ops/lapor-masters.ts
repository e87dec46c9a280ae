/**
 * `lapor masters`: fetches LAPOR!'s master lists — institutions (`paths.institutions`) and, where
 * the deployment offers them, categories — and writes them as lookup CSV files a mapping can use
 * (`{ lookup: { file: lapor-institutions.csv } }`), so an integration officer maps a source's
 * agency and category names to LAPOR! ids without typing ids by hand.
 *
 * Only the `lapor-v3` dialect has master lists. Requests carry both auth headers exactly as the
 * sink sends them; Laravel pagination (`next_page_url`, same origin only) is followed; a list is
 * accepted at `results.data`, `data` or `results.docs`. Reads are safe to retry, so a transient
 * failure (connection, 429, 5xx) is tried again a few times. Nothing is written unless every list
 * was read: each file is written whole to a temporary file and renamed over the old one.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { isAxiosError, type AxiosInstance, type AxiosResponse } from 'axios';
import { stringify } from 'csv-stringify/sync';
import { normaliseKey } from '../mapping/lookups.js';
import { getPath } from '../mapping/compile-mapping.js';
import { destroyHttpClient } from '../net/http-client.js';
import { laporV3Http } from '../sinks/lapor-v3/lapor-v3-http.js';
import type { LaporV3Config } from '../sinks/lapor-v3/lapor-v3-config.js';
import { redactText } from '../util/redact.js';

export const INSTITUTIONS_FILE = 'lapor-institutions.csv';
export const CATEGORIES_FILE = 'lapor-categories.csv';
export const DEFAULT_CATEGORIES_PATH = '/masters/categories';
export const MASTERS_PAGE_SIZE = 1000;
const MAX_PAGES = 500;
const TRIES = 3;
const MAX_WAIT_MS = 5000;

export type MasterKind = 'institutions' | 'categories';

export class MastersError extends Error {
  readonly code = 'LAPOR_MASTERS';
}

export interface MasterEntry {
  readonly id: string;
  readonly label: string;
}

export interface MasterList {
  readonly kind: MasterKind;
  readonly path: string;
  readonly pages: number;
  readonly entries: MasterEntry[];
  /** Items without an id or a name. */
  readonly skipped: number;
  /** Names given to more than one id: the first id is kept (a lookup key has one value). */
  readonly conflicts: { label: string; ids: string[] }[];
}

export interface MastersOptions {
  readonly outDir: string;
  /** Path of the category list under base_url; false to skip categories. */
  readonly categoriesPath?: string | false;
  readonly pageSize?: number;
  readonly signal?: AbortSignal;
  /** Waits between tries (injected in tests). */
  readonly sleep?: (ms: number) => Promise<void>;
}

export interface WrittenFile {
  readonly kind: MasterKind;
  readonly file: string;
  readonly rows: number;
  readonly replaced: boolean;
  readonly pages: number;
  readonly source_path: string;
}

export interface MastersResult {
  readonly files: WrittenFile[];
  readonly notices: string[];
}

const HEADERS: Readonly<Record<MasterKind, [string, string]>> = {
  institutions: ['name', 'lapor_institution_id'],
  categories: ['name', 'lapor_category_id'],
};


/** The list in a reply: `results.data`, `data` or `results.docs` (also a bare array). */
export function listOf(json: unknown): unknown[] | undefined {
  for (const c of [getPath(json, 'results.data'), getPath(json, 'data'), getPath(json, 'results.docs'), getPath(json, 'results'), json]) if (Array.isArray(c)) return c;
  return undefined;
}

function nextUrlOf(json: unknown): string | undefined {
  const next = getPath(json, 'results.next_page_url') ?? getPath(json, 'next_page_url') ?? getPath(json, 'links.next') ?? getPath(json, 'results.links.next');
  return typeof next === 'string' && next !== '' ? next : undefined;
}

function text(v: unknown): string | undefined {
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  if (typeof v !== 'string') return undefined;
  const t = v.normalize('NFC').replace(/\s+/g, ' ').trim();
  return t || undefined;
}

function entryOf(item: unknown, kind: MasterKind): MasterEntry | undefined {
  if (!item || typeof item !== 'object') return undefined;
  const o = item as Record<string, unknown>;
  const id = text(o.id) ?? text(kind === 'institutions' ? o.institution_id : o.category_id) ?? text(o.value);
  const label = [o.name, o.nama, kind === 'institutions' ? o.institution_name : o.category_name, o.title, o.label].map(text).find((x) => x !== undefined);
  return id !== undefined && label !== undefined ? { id, label } : undefined;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function describeReply(res: AxiosResponse): string {
  const data = res.data as unknown;
  const message = getPath(data, 'message') ?? getPath(data, 'error');
  return redactText(`HTTP ${res.status}${typeof message === 'string' && message ? ` (${message})` : ''}`).slice(0, 300);
}

export class LaporMastersClient {
  private readonly http: AxiosInstance;
  private readonly origin: string;
  private readonly base: string;

  constructor(
    private readonly config: LaporV3Config,
    private readonly options: Pick<MastersOptions, 'signal' | 'sleep' | 'pageSize'> = {},
  ) {
    this.base = config.base_url.replace(/\/+$/, '');
    this.origin = new URL(this.base).origin;
    // the same client settings as LaporV3Sink; one-off, and not held to the delivery rate limit
    this.http = laporV3Http(config, { maxReplyBytes: 50 * 1024 * 1024, keepAlive: false, rateLimited: false });
  }

  private where(p: string): string {
    return `GET ${p} at ${this.origin}`;
  }

  /** One GET with a few tries for failures that say nothing was wrong with the request. */
  private async get(url: string, params: Record<string, string | number> | undefined, shown: string): Promise<AxiosResponse> {
    const wait = this.options.sleep ?? sleep;
    for (let attempt = 1; ; attempt++) {
      let res: AxiosResponse | undefined;
      let code: string | undefined;
      try {
        res = await this.http.get(url, { params, signal: this.options.signal });
      } catch (err) {
        code = isAxiosError(err) ? (err.code ?? err.message) : String(err);
        if (this.options.signal?.aborted) throw new MastersError(`${this.where(shown)}: stopped`);
      }
      const transient = res === undefined || res.status === 408 || res.status === 429 || (res.status >= 500 && res.status !== 501);
      if (!transient || attempt >= TRIES) {
        if (res) return res;
        throw new MastersError(`${this.where(shown)} failed: ${code ?? 'no reply'}; check destination.base_url and the network`);
      }
      const retryAfter = Number(res?.headers['retry-after']);
      await wait(Number.isFinite(retryAfter) && retryAfter >= 0 ? Math.min(retryAfter * 1000, MAX_WAIT_MS) : 250 * 2 ** (attempt - 1));
    }
  }

  /**
   * Every page of one master list. `optional`: a 404/405/501 means the deployment does not offer
   * it, and gives `undefined` instead of an error.
   */
  async fetchList(kind: MasterKind, listPath: string, optional = false): Promise<MasterList | undefined> {
    const pageSize = this.options.pageSize ?? MASTERS_PAGE_SIZE;
    let url: string | undefined = listPath;
    let params: Record<string, string | number> | undefined = { page_size: pageSize };
    const entries: MasterEntry[] = [];
    let skipped = 0;
    let pages = 0;
    const seenUrls = new Set<string>();
    while (url !== undefined) {
      if (++pages > MAX_PAGES) throw new MastersError(`${this.where(listPath)}: more than ${MAX_PAGES} pages; stopped`);
      const res = await this.get(url, params, listPath);
      const s = res.status;
      if (s === 401 || s === 403) {
        const a = this.config.auth;
        throw new MastersError(
          `LAPOR! refused the credentials: ${this.where(listPath)} answered ${describeReply(res)}; check destination.auth.bearer_token (${a.bearer_token.ref}) and destination.auth.app_token (${a.app_token.ref}), sent as the headers "${a.bearer_header}" and "${a.app_token_header}"`,
        );
      }
      if (optional && pages === 1 && (s === 404 || s === 405 || s === 501)) return undefined;
      if (s === 404) throw new MastersError(`${this.where(listPath)} answered HTTP 404; check destination.base_url (it includes the API base path, e.g. /lapor/3.0.0) and destination.paths.institutions`);
      if (s < 200 || s >= 300) throw new MastersError(`${this.where(listPath)} answered ${describeReply(res)}${pages > 1 ? ` on page ${pages}` : ''}`);
      const json = typeof res.data === 'string' ? safeJson(res.data) : (res.data as unknown);
      const list = listOf(json);
      if (!list) throw new MastersError(`${this.where(listPath)}: the reply has no list at results.data, data or results.docs`);
      for (const item of list) {
        const e = entryOf(item, kind);
        if (e) entries.push(e);
        else skipped++;
      }
      const next = nextUrlOf(json);
      if (next === undefined || list.length === 0) break;
      const nextUrl = new URL(next, `${this.base}/`);
      if (nextUrl.origin !== this.origin) throw new MastersError(`${this.where(listPath)}: next_page_url points to another host (${nextUrl.origin}); not followed`);
      if (!nextUrl.searchParams.has('page_size')) nextUrl.searchParams.set('page_size', String(pageSize));
      if (seenUrls.has(nextUrl.href)) throw new MastersError(`${this.where(listPath)}: next_page_url repeats (${nextUrl.pathname}${nextUrl.search}); stopped`);
      seenUrls.add(nextUrl.href);
      url = nextUrl.href;
      params = undefined;
    }
    return { kind, path: listPath, pages, skipped, ...dedupe(entries) };
  }

  close(): void {
    destroyHttpClient(this.http);
  }
}

function safeJson(t: string): unknown {
  try {
    return JSON.parse(t) as unknown;
  } catch {
    return undefined;
  }
}

/**
 * One row per name (as a lookup key matches: case- and space-insensitive), sorted by name. A name
 * listed twice with the same id is one row; with different ids the first is kept and reported.
 */
export function dedupe(entries: readonly MasterEntry[]): { entries: MasterEntry[]; conflicts: { label: string; ids: string[] }[] } {
  const byKey = new Map<string, MasterEntry>();
  const conflicts = new Map<string, { label: string; ids: string[] }>();
  for (const e of entries) {
    const key = normaliseKey(e.label);
    const first = byKey.get(key);
    if (!first) byKey.set(key, e);
    else if (first.id !== e.id) {
      const c = conflicts.get(key) ?? { label: first.label, ids: [first.id] };
      if (!c.ids.includes(e.id)) c.ids.push(e.id);
      conflicts.set(key, c);
    }
  }
  const sorted = [...byKey.values()].sort((a, b) => a.label.localeCompare(b.label, 'id') || a.id.localeCompare(b.id));
  return { entries: sorted, conflicts: [...conflicts.values()] };
}

/** Writes the whole file next to its destination, flushes it, then renames it into place. */
export function writeFileAtomic(file: string, content: string): void {
  const dir = path.dirname(file);
  fs.mkdirSync(dir, { recursive: true });
  const tmp = path.join(dir, `.${path.basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    const fd = fs.openSync(tmp, 'w', 0o644);
    try {
      fs.writeSync(fd, content);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(tmp, file);
  } catch (err) {
    fs.rmSync(tmp, { force: true });
    throw err;
  }
}

export function masterCsv(list: MasterList): string {
  return stringify([HEADERS[list.kind], ...list.entries.map((e) => [e.label, e.id])], { record_delimiter: '\n' });
}

export async function fetchAndWriteMasters(config: LaporV3Config, o: MastersOptions): Promise<MastersResult> {
  const client = new LaporMastersClient(config, o);
  const notices: string[] = [];
  const lists: MasterList[] = [];
  try {
    const institutions = (await client.fetchList('institutions', config.paths.institutions)) as MasterList;
    if (institutions.entries.length === 0) {
      throw new MastersError(`GET ${config.paths.institutions}: LAPOR! returned no institutions${institutions.skipped ? ` (${institutions.skipped} item(s) without an id or a name)` : ''}; nothing written`);
    }
    lists.push(institutions);
    if (o.categoriesPath === false) notices.push('categories skipped (--no-categories)');
    else {
      const p = o.categoriesPath ?? DEFAULT_CATEGORIES_PATH;
      const categories = await client.fetchList('categories', p, true);
      if (!categories) notices.push(`categories: this LAPOR! deployment offers no list at ${p} (HTTP 404); skipped — pass --categories-path if it has one elsewhere`);
      else if (categories.entries.length === 0) notices.push(`categories: ${p} returned an empty list; ${CATEGORIES_FILE} not written`);
      else lists.push(categories);
    }
  } finally {
    client.close();
  }

  // everything was read: now write
  const files: WrittenFile[] = [];
  for (const list of lists) {
    const file = path.resolve(o.outDir, list.kind === 'institutions' ? INSTITUTIONS_FILE : CATEGORIES_FILE);
    const replaced = fs.existsSync(file);
    writeFileAtomic(file, masterCsv(list));
    files.push({ kind: list.kind, file, rows: list.entries.length, replaced, pages: list.pages, source_path: list.path });
    if (list.skipped) notices.push(`${list.kind}: ${list.skipped} item(s) without an id or a name were left out`);
    for (const c of list.conflicts) notices.push(`${list.kind}: "${c.label}" is listed under several ids (${c.ids.join(', ')}); kept ${c.ids[0]} — check which one you mean`);
  }
  return { files, notices };
}
