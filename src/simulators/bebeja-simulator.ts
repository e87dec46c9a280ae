/**
 * In-process simulator of the Bebeja API as modelled in DESIGN §6 (Pandeglang's complaint app):
 * the paged `aduan` list with `updated_since`, public attachment files and the `tindak-lanjut`
 * write-back. Used by `demo`, end-to-end tests and benchmarks; deterministic for a given seed.
 *
 * Storage is compact so a 100,000-record benchmark seed stays cheap: generated records are
 * rebuilt from their id on demand (only edited or added ones are kept as objects), and the
 * `(updated_at, id)` order is two parallel sorted arrays searched by bisection.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { DateTime } from 'luxon';
import { createHash } from 'node:crypto';
import { crc32, deflateSync } from 'node:zlib';
import {
  DEMO_MISSING_FILES,
  DEMO_RECORDS,
  EMAIL_DOMAINS,
  FIRST_NAMES_FEMALE,
  FIRST_NAMES_MALE,
  KATEGORI,
  KECAMATAN,
  LAST_NAMES,
  MOBILE_PREFIXES,
  STATUSES,
  TEMPLATES,
  type BebejaPelapor,
  type BebejaSeedRecord,
} from './bebeja-seed.js';
import { HttpSimulator, deepCopy, isoWib, localWib, mulberry32, sleep, type ListenOptions } from './sim-util.js';

export { DEMO_SEED_EXPECTATIONS, type DemoSeedExpectations, type BebejaPelapor } from './bebeja-seed.js';

export interface BebejaSimulatorOptions extends ListenOptions {
  /** Value expected in `X-API-Key`; default `bebeja-demo-key`. */
  apiKey?: string;
  /** `demo` (default): the hand-written Pandeglang complaints; `none`: empty; a number: that many generated valid complaints. */
  seed?: 'demo' | 'none' | number;
  /**
   * Numeric seed only: this many generated records (a run of consecutive ids mid-timeline) share
   * exactly the same updated_at, and no other record has it; see `tieGroup()`. For paging
   * through an equal-timestamp group larger than a page.
   */
  ties?: number;
  /**
   * Data that moves while a client pages: on each authorised list request, with probability
   * `rate`, one random record is edited (status changed or `isi` appended to) before the page is
   * served, so it moves to the end. Seeded (default 1); see `shuffledIds()`.
   */
  shuffle?: { rate: number; seed?: number };
  now?: () => Date;
}

/** The equal-timestamp group made by the `ties` option, as generated. */
export interface BebejaTieGroup {
  updated_at: string;
  ids: number[];
}

/** A record as the API serves it: the seed shape plus the ticket, with `lampiran` as absolute URLs. */
export interface BebejaRecord extends BebejaSeedRecord {
  nomor_tiket: string;
}

/**
 * A change to a record. `lampiran` entries are file names (served from `/files/`, registered
 * automatically), this server's own file URLs, or foreign absolute URLs (kept as they are).
 */
export type BebejaRecordPatch = Partial<Omit<BebejaRecord, 'id' | 'pelapor' | 'updated_at'>> & { pelapor?: Partial<BebejaPelapor> };

export type BebejaRecordInput = BebejaRecordPatch & { id?: number; updated_at?: string };

export interface BebejaWriteBack {
  id: number;
  status: string;
  keterangan: string | null;
  tracking_id: string | null;
  received_at: string;
}

export interface BebejaListRequest {
  /** 1-based count of list requests, this one included. */
  requestNumber: number;
  query: { updated_since?: string; page?: string; per_page?: string };
}

/** What a fault hook returns to override a list response; `undefined` lets the request through. */
export interface BebejaFault {
  status?: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** Wait before answering (or before the normal answer when no status is given). */
  delayMs?: number;
  /** Destroy the socket without answering. */
  dropConnection?: boolean;
}

export type BebejaFaultHook = (request: BebejaListRequest) => BebejaFault | undefined;

interface StoredRecord extends Omit<BebejaSeedRecord, 'updated_at'> {
  nomor_tiket: string;
  updatedMs: number;
}

const MAX_PER_PAGE = 100;
const DEFAULT_PER_PAGE = 20;
const GENERATED_FILE = /^gen-(\d+)-\d\.(?:jpg|png|pdf)$/;

export class BebejaSimulator extends HttpSimulator {
  /** Sandbox credential (not a secret): what a bridge config must send. */
  readonly apiKey: string;
  private readonly now: () => Date;
  /** Records kept as objects: the demo seed, and any generated record once edited or added. */
  private readonly stored = new Map<number, StoredRecord>();
  /** Ids 1..generatedCount exist implicitly (numeric seed) and are rebuilt from their id. */
  private readonly generatedCount: number;
  private readonly generatedTimes: Float64Array;
  /** Every id, sorted by (updated_at, id); orderTimes[i] is the updated_at (ms) of orderIds[i]. */
  private readonly orderIds: number[] = [];
  private readonly orderTimes: number[] = [];
  private maxId = 0;
  private readonly files = new Set<string>();
  private readonly deletedFiles = new Set<string>();
  private readonly fileCache = new Map<string, Buffer>();
  private readonly writeBackLog: BebejaWriteBack[] = [];
  private listRequests = 0;
  private faultHook: BebejaFaultHook | undefined;
  private readonly tie: { start: number; count: number; timeMs: number } | undefined;
  private readonly shuffleRate: number;
  private readonly shuffleRng: () => number;
  private readonly shuffled: number[] = [];

  constructor(options: BebejaSimulatorOptions = {}) {
    super(options);
    this.apiKey = options.apiKey ?? 'bebeja-demo-key';
    this.now = options.now ?? (() => new Date());
    const seed = options.seed ?? 'demo';
    this.generatedCount = typeof seed === 'number' ? Math.max(0, Math.floor(seed)) : 0;
    this.generatedTimes = generateTimeline(this.generatedCount);
    const ties = options.ties ?? 0;
    if (ties !== 0) {
      if (typeof seed !== 'number') throw new Error('[bebeja-simulator] ties needs a numeric seed');
      if (!Number.isInteger(ties) || ties < 0 || ties > this.generatedCount) {
        throw new Error(`[bebeja-simulator] ties must be a whole number between 0 and the seed (${this.generatedCount}), not ${ties}`);
      }
      this.tie = makeTies(this.generatedTimes, ties);
    }
    const rate = options.shuffle?.rate ?? 0;
    if (typeof rate !== 'number' || !(rate >= 0 && rate <= 1)) throw new Error(`[bebeja-simulator] shuffle.rate must be between 0 and 1, not ${String(rate)}`);
    this.shuffleRate = rate;
    this.shuffleRng = mulberry32(options.shuffle?.seed ?? 1);
    if (seed === 'demo') this.loadDemo();
    // the generated timeline is non-decreasing in id, so id order is already (updated_at, id) order
    for (let id = 1; id <= this.generatedCount; id++) {
      this.orderIds.push(id);
      this.orderTimes.push(this.generatedTimes[id - 1] as number);
    }
    this.maxId = Math.max(this.maxId, this.generatedCount);
  }

  protected get name(): string {
    return 'bebeja-simulator';
  }

  /** Base URL, e.g. `http://127.0.0.1:41234`. */
  get url(): string {
    return this.origin;
  }

  /** Number of list requests received (including refused and faulted ones). */
  get requestCount(): number {
    return this.listRequests;
  }

  get size(): number {
    return this.orderIds.length;
  }

  /** Every record as the API would serve it, in (updated_at, id) order. */
  records(): BebejaRecord[] {
    const base = this.fileBase();
    return this.orderIds.map((id) => this.render(this.get0(id) as StoredRecord, base));
  }

  get(id: number): BebejaRecord | undefined {
    const r = this.get0(id);
    return r ? this.render(r, this.fileBase()) : undefined;
  }

  /**
   * Merges `patch` into a record (pelapor field by field) and moves its updated_at past every
   * other record: max(now, newest + 1 s), unless `options.updatedAt` sets it explicitly.
   */
  edit(id: number, patch: BebejaRecordPatch, options: { updatedAt?: string | Date } = {}): BebejaRecord {
    const current = this.get0(id);
    if (!current) throw new Error(`[bebeja-simulator] no record ${id}`);
    const next: StoredRecord = { ...deepCopy(current), ...this.normalisePatch(patch), pelapor: { ...current.pelapor, ...patch.pelapor } };
    const updatedMs = options.updatedAt !== undefined ? parseTime(options.updatedAt) : this.bumpedTime();
    this.put(next, updatedMs);
    return this.render(next, this.fileBase());
  }

  /** Adds a record (defaults fill what is missing) and returns its id; updated_at defaults like `edit`. */
  add(input: BebejaRecordInput = {}): number {
    const id = input.id ?? this.maxId + 1;
    if (this.get0(id)) throw new Error(`[bebeja-simulator] record ${id} already exists`);
    const nowMs = this.nowMs();
    const record: StoredRecord = {
      id,
      nomor_tiket: '',
      judul: 'Pengaduan warga',
      isi: 'Isi pengaduan belum dilengkapi.',
      kategori: 'Infrastruktur',
      kecamatan: 'Pandeglang',
      desa: 'Pandeglang',
      alamat: '',
      latitude: null,
      longitude: null,
      tanggal: localWib(nowMs),
      anonim: '0',
      rahasia: false,
      lampiran: [],
      status: 'Baru',
      updatedMs: 0,
      ...this.normalisePatch(input),
      pelapor: { nama: null, no_hp: null, email: null, nik: null, ...input.pelapor },
    };
    const updatedMs = input.updated_at !== undefined ? parseTime(input.updated_at) : this.bumpedTime();
    if (!record.nomor_tiket) record.nomor_tiket = ticketFor(id, record.tanggal, updatedMs);
    this.put(record, updatedMs);
    return id;
  }

  /** Ids edited by the `shuffle` option, in the order it edited them (an id may repeat). */
  shuffledIds(): number[] {
    return [...this.shuffled];
  }

  /** The group the `ties` option made (as generated: later edits move records out of it). */
  tieGroup(): BebejaTieGroup | undefined {
    if (!this.tie) return undefined;
    const { start, count, timeMs } = this.tie;
    return { updated_at: isoWib(timeMs), ids: Array.from({ length: count }, (_, i) => start + i + 1) };
  }

  /** Write-backs received through `POST /api/v1/aduan/:id/tindak-lanjut`, oldest first. */
  writeBacks(): BebejaWriteBack[] {
    return deepCopy(this.writeBackLog);
  }

  /** Installs (or with `undefined` removes) a hook that may override list responses; it runs before the API key check. */
  setFault(hook: BebejaFaultHook | undefined): void {
    this.faultHook = hook;
  }

  /** Serves a file under `/files/<name>`; without `body`, deterministic bytes by extension. */
  putFile(name: string, body?: Buffer): void {
    this.deletedFiles.delete(name);
    this.files.add(name);
    if (body) this.fileCache.set(name, body);
    else this.fileCache.delete(name);
  }

  /** Makes `/files/<name>` answer 404. */
  deleteFile(name: string): void {
    this.files.delete(name);
    this.fileCache.delete(name);
    this.deletedFiles.add(name);
  }

  protected build(app: FastifyInstance): void {
    app.get('/api/v1/aduan', (req, reply) => this.list(req, reply));
    app.post('/api/v1/aduan/:id/tindak-lanjut', (req, reply) => this.writeBack(req, reply));
    app.get('/files/:name', (req, reply) => this.file(req, reply));
  }

  // ---- routes ----

  private async list(req: FastifyRequest, reply: FastifyReply): Promise<unknown> {
    const requestNumber = ++this.listRequests;
    const q = req.query as Record<string, string | string[] | undefined>;
    const query = { updated_since: first(q.updated_since), page: first(q.page), per_page: first(q.per_page) };
    const fault = this.faultHook?.({ requestNumber, query });
    if (fault) {
      if (fault.delayMs) await sleep(fault.delayMs);
      if (fault.dropConnection) {
        reply.hijack();
        req.raw.socket.destroy();
        return;
      }
      if (fault.headers) void reply.headers(fault.headers);
      if (fault.status !== undefined) return reply.code(fault.status).send(fault.body ?? { message: `Simulated HTTP ${fault.status}` });
    }
    if (!this.authorised(req)) return reply.code(401).send({ message: 'Invalid or missing API key.' });

    let sinceMs = -Infinity;
    if (query.updated_since !== undefined && query.updated_since !== '') {
      const parsed = parseSince(query.updated_since);
      if (parsed === undefined) return reply.code(400).send({ message: `updated_since is not an ISO 8601 date-time: ${query.updated_since}` });
      sinceMs = parsed;
    }
    const page = parsePositiveInt(query.page, 1);
    if (page === undefined) return reply.code(400).send({ message: 'page must be a positive integer' });
    const requestedPerPage = parsePositiveInt(query.per_page, DEFAULT_PER_PAGE);
    if (requestedPerPage === undefined) return reply.code(400).send({ message: 'per_page must be a positive integer' });
    const perPage = Math.min(requestedPerPage, MAX_PER_PAGE);
    if (this.shuffleRate > 0 && this.orderIds.length > 0 && this.shuffleRng() < this.shuffleRate) this.shuffleOne();

    const start = this.lowerBound(sinceMs, -Infinity);
    const total = this.orderIds.length - start;
    const from = start + (page - 1) * perPage;
    const to = Math.min(this.orderIds.length, from + perPage);
    const base = this.fileBase();
    const data: BebejaRecord[] = [];
    for (let i = from; i < to; i++) data.push(this.render(this.get0(this.orderIds[i] as number) as StoredRecord, base));
    return { data, meta: { current_page: page, last_page: Math.max(1, Math.ceil(total / perPage)), total, per_page: perPage } };
  }

  private writeBack(req: FastifyRequest, reply: FastifyReply): unknown {
    if (!this.authorised(req)) return reply.code(401).send({ message: 'Invalid or missing API key.' });
    const id = Number((req.params as { id: string }).id);
    const record = Number.isSafeInteger(id) ? this.get0(id) : undefined;
    if (!record) return reply.code(404).send({ message: `Aduan ${String((req.params as { id: string }).id)} not found.` });
    const body = (req.body ?? {}) as Record<string, unknown>;
    if (typeof body !== 'object' || typeof body.status !== 'string' || body.status.trim() === '') {
      return reply.code(422).send({ message: 'The status field is required.', errors: { status: ['The status field is required.'] } });
    }
    const nowMs = this.nowMs();
    this.writeBackLog.push({
      id,
      status: body.status,
      keterangan: typeof body.keterangan === 'string' ? body.keterangan : null,
      tracking_id: typeof body.tracking_id === 'string' || typeof body.tracking_id === 'number' ? String(body.tracking_id) : null,
      received_at: isoWib(nowMs),
    });
    // the record changes like any edit in the app would, so the bridge reads its own echo back
    const next: StoredRecord = { ...deepCopy(record), status: body.status };
    this.put(next, Math.max(nowMs, record.updatedMs));
    return { message: 'Tindak lanjut tersimpan.', data: this.render(next, this.fileBase()) };
  }

  private file(req: FastifyRequest, reply: FastifyReply): unknown {
    const name = (req.params as { name: string }).name;
    const bytes = this.fileBytes(name);
    if (!bytes) return reply.code(404).send({ message: 'File not found.' });
    return reply.type(mimeOf(name)).header('content-disposition', `inline; filename="${name}"`).send(bytes);
  }

  /** The `shuffle` option's edit: one random record changes, so it moves after every other. */
  private shuffleOne(): void {
    const id = this.orderIds[Math.floor(this.shuffleRng() * this.orderIds.length)] as number;
    const current = this.get0(id) as StoredRecord;
    const n = this.shuffled.length + 1;
    if (this.shuffleRng() < 0.5) {
      const others = STATUSES.filter((st) => st !== current.status);
      this.edit(id, { status: others[Math.floor(this.shuffleRng() * others.length)] ?? 'Diproses' });
    } else {
      this.edit(id, { isi: `${current.isi}\n\nTambahan keterangan dari pelapor (pembaruan ${n}).` });
    }
    this.shuffled.push(id);
  }

  // ---- storage ----

  private loadDemo(): void {
    const missing = new Set(DEMO_MISSING_FILES);
    for (const seed of DEMO_RECORDS) {
      const { updated_at, ...rest } = deepCopy(seed);
      const updatedMs = parseTime(updated_at);
      const record: StoredRecord = { ...rest, nomor_tiket: ticketFor(seed.id, seed.tanggal, updatedMs), updatedMs };
      this.stored.set(record.id, record);
      this.maxId = Math.max(this.maxId, record.id);
      for (const f of record.lampiran) if (!missing.has(f)) this.files.add(f);
    }
    const sorted = [...this.stored.values()].sort((a, b) => a.updatedMs - b.updatedMs || a.id - b.id);
    for (const r of sorted) {
      this.orderIds.push(r.id);
      this.orderTimes.push(r.updatedMs);
    }
  }

  private get0(id: number): StoredRecord | undefined {
    const stored = this.stored.get(id);
    if (stored) return stored;
    if (Number.isInteger(id) && id >= 1 && id <= this.generatedCount) return generateRecord(id, this.generatedTimes[id - 1] as number);
    return undefined;
  }

  /** Stores a record with a new updated_at and moves it to its place in the order. */
  private put(record: StoredRecord, updatedMs: number): void {
    const old = this.get0(record.id);
    if (old) {
      const at = this.lowerBound(old.updatedMs, old.id);
      if (this.orderIds[at] === old.id) {
        this.orderIds.splice(at, 1);
        this.orderTimes.splice(at, 1);
      }
    }
    record.updatedMs = updatedMs;
    this.stored.set(record.id, record);
    this.maxId = Math.max(this.maxId, record.id);
    const at = this.lowerBound(updatedMs, record.id);
    this.orderIds.splice(at, 0, record.id);
    this.orderTimes.splice(at, 0, updatedMs);
  }

  /** First index whose (time, id) is >= the given pair. */
  private lowerBound(timeMs: number, id: number): number {
    let lo = 0;
    let hi = this.orderIds.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const t = this.orderTimes[mid] as number;
      if (t < timeMs || (t === timeMs && (this.orderIds[mid] as number) < id)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Strictly newer than every record, and not before now. */
  private bumpedTime(): number {
    const newest = this.orderTimes.length ? (this.orderTimes[this.orderTimes.length - 1] as number) : -Infinity;
    return Math.max(this.nowMs(), newest + 1000);
  }

  private nowMs(): number {
    return Math.floor(this.now().getTime() / 1000) * 1000;
  }

  private normalisePatch(patch: BebejaRecordPatch): Partial<StoredRecord> {
    const { pelapor: _p, ...rest } = patch as BebejaRecordPatch & { id?: number; updated_at?: string };
    const out: Partial<StoredRecord> & { updated_at?: string } = { ...deepCopy(rest) };
    delete out.updated_at;
    delete out.id;
    if (patch.lampiran) {
      const own = this.running ? `${this.origin}/files/` : undefined;
      out.lampiran = patch.lampiran.map((entry) => {
        const name = own && entry.startsWith(own) ? decodeURIComponent(entry.slice(own.length)) : entry;
        if (!/^https?:\/\//.test(name) && !this.deletedFiles.has(name)) this.files.add(name);
        return name;
      });
    }
    return out;
  }

  // ---- rendering ----

  private fileBase(): string {
    return this.running ? `${this.origin}/files/` : '/files/';
  }

  private render(r: StoredRecord, fileBase: string): BebejaRecord {
    return {
      id: r.id,
      nomor_tiket: r.nomor_tiket,
      judul: r.judul,
      isi: r.isi,
      kategori: r.kategori,
      kecamatan: r.kecamatan,
      desa: r.desa,
      alamat: r.alamat,
      latitude: r.latitude,
      longitude: r.longitude,
      tanggal: r.tanggal,
      pelapor: { nama: r.pelapor.nama, no_hp: r.pelapor.no_hp, email: r.pelapor.email, nik: r.pelapor.nik },
      anonim: r.anonim,
      rahasia: r.rahasia,
      lampiran: r.lampiran.map((f) => (/^https?:\/\//.test(f) ? f : fileBase + encodeURIComponent(f))),
      status: r.status,
      updated_at: isoWib(r.updatedMs),
    };
  }

  private authorised(req: FastifyRequest): boolean {
    return req.headers['x-api-key'] === this.apiKey;
  }

  private fileBytes(name: string): Buffer | undefined {
    if (this.deletedFiles.has(name)) return undefined;
    let known = this.files.has(name);
    if (!known) {
      const m = GENERATED_FILE.exec(name);
      const id = m ? Number(m[1]) : 0;
      known = id >= 1 && id <= this.generatedCount && (this.get0(id)?.lampiran.includes(name) ?? false);
    }
    if (!known) return undefined;
    let bytes = this.fileCache.get(name);
    if (!bytes) {
      bytes = sampleFile(name);
      if (!bytes) return undefined;
      if (this.fileCache.size < 1000) this.fileCache.set(name, bytes);
    }
    return bytes;
  }
}

// ---- helpers ----

function first(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function parsePositiveInt(value: string | undefined, fallback: number): number | undefined {
  if (value === undefined || value === '') return fallback;
  if (!/^\d+$/.test(value)) return undefined;
  const n = Number(value);
  return n >= 1 && Number.isSafeInteger(n) ? n : undefined;
}

/** ISO 8601 (or `YYYY-MM-DD HH:mm:ss`); without an offset it is WIB. */
function parseSince(value: string): number | undefined {
  // an unencoded "+07:00" arrives as " 07:00" after query decoding; read it as meant
  const text = value.trim().replace(/ (\d{2}(?::?\d{2})?)$/, '+$1');
  let dt = DateTime.fromISO(text, { zone: 'UTC+7' });
  if (!dt.isValid) dt = DateTime.fromSQL(text, { zone: 'UTC+7' });
  return dt.isValid ? dt.toMillis() : undefined;
}

function parseTime(value: string | Date): number {
  const ms = value instanceof Date ? value.getTime() : parseSince(value);
  if (ms === undefined || Number.isNaN(ms)) throw new Error(`[bebeja-simulator] not a date-time: ${String(value)}`);
  return Math.floor(ms / 1000) * 1000;
}

function ticketFor(id: number, tanggal: string, updatedMs: number): string {
  const year = /^(\d{4})-/.exec(tanggal)?.[1] ?? isoWib(updatedMs).slice(0, 4);
  return `BBJ-${year}-${String(id).padStart(6, '0')}`;
}

function mimeOf(name: string): string {
  const ext = name.slice(name.lastIndexOf('.') + 1).toLowerCase();
  return ext === 'png' ? 'image/png' : ext === 'jpg' || ext === 'jpeg' ? 'image/jpeg' : ext === 'pdf' ? 'application/pdf' : 'application/octet-stream';
}

/** Small, deterministic bodies; the content depends on the name so every file hashes differently. */
function sampleFile(name: string): Buffer | undefined {
  const digest = createHash('sha256').update(name).digest();
  const ext = name.slice(name.lastIndexOf('.') + 1).toLowerCase();
  if (ext === 'png') return tinyPng(digest[0] as number, digest[1] as number, digest[2] as number);
  if (ext === 'jpg' || ext === 'jpeg') {
    const comment = Buffer.from(name, 'utf8');
    const jfif = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01, 0x01, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00]);
    const com = Buffer.alloc(4);
    com.writeUInt16BE(0xfffe, 0);
    com.writeUInt16BE(comment.length + 2, 2);
    return Buffer.concat([jfif, com, comment, Buffer.from([0xff, 0xd9])]);
  }
  if (ext === 'pdf') return tinyPdf(name);
  return undefined;
}

function tinyPng(r: number, g: number, b: number): Buffer {
  const chunk = (type: string, data: Buffer): Buffer => {
    const head = Buffer.alloc(4);
    head.writeUInt32BE(data.length);
    const typed = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(typed));
    return Buffer.concat([head, typed, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(1, 0); // width
  ihdr.writeUInt32BE(1, 4); // height
  ihdr.set([8, 2, 0, 0, 0], 8); // 8-bit RGB
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(Buffer.from([0, r, g, b]))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

function tinyPdf(name: string): Buffer {
  const title = name.replace(/[^\x20-\x7e]|[()\\]/g, '');
  const stream = `BT /F1 10 Tf 10 50 Td (${title}) Tj ET`;
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 100] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>',
    `<< /Length ${stream.length} >>\nstream\n${stream}\nendstream`,
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
  ];
  let body = '%PDF-1.4\n';
  const offsets: number[] = [];
  objects.forEach((obj, i) => {
    offsets.push(Buffer.byteLength(body, 'latin1'));
    body += `${i + 1} 0 obj\n${obj}\nendobj\n`;
  });
  const xref = Buffer.byteLength(body, 'latin1');
  body += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  for (const off of offsets) body += `${String(off).padStart(10, '0')} 00000 n \n`;
  body += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(body, 'latin1');
}

// ---- numeric seed ----

const TIMELINE_START = Date.parse('2024-01-01T07:00:00+07:00');
const TIMELINE_SALT = 0x5bebe1a;

/** Non-decreasing updated_at (ms) for ids 1..count over about eleven months of 2024, with about 5 % ties. */
function generateTimeline(count: number): Float64Array {
  const times = new Float64Array(count);
  const rng = mulberry32(TIMELINE_SALT ^ count);
  const meanStep = Math.max(2, Math.floor((330 * 86400) / Math.max(count, 1)));
  let t = TIMELINE_START;
  for (let i = 0; i < count; i++) {
    times[i] = t;
    t += rng() < 0.05 ? 0 : 1000 * (1 + Math.floor(rng() * 2 * meanStep));
  }
  return times;
}

/**
 * Gives `count` consecutive generated records (from about the middle of the timeline) one
 * updated_at that no other record has; the timeline stays non-decreasing in id.
 */
function makeTies(times: Float64Array, count: number): { start: number; count: number; timeMs: number } {
  let start = Math.floor((times.length - count) / 2);
  while (start > 0 && times[start - 1] === times[start]) start--; // the group starts its own second
  const timeMs = times[start] as number;
  for (let i = start; i < start + count; i++) times[i] = timeMs;
  // later records the random timeline tied to it (or that are now before it) move one second on
  for (let i = start + count; i < times.length && (times[i] as number) <= timeMs; i++) times[i] = timeMs + 1000;
  return { start, count, timeMs };
}

function pick<T>(rng: () => number, list: readonly T[]): T {
  return list[Math.floor(rng() * list.length)] as T;
}

function digits(rng: () => number, n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += Math.floor(rng() * 10);
  return s;
}

/** A valid complaint that depends only on its id (and its place on the timeline). */
function generateRecord(id: number, updatedMs: number): StoredRecord {
  const rng = mulberry32(Math.imul(id, 0x9e3779b1) ^ TIMELINE_SALT);
  const kec = pick(rng, KECAMATAN);
  const desa = pick(rng, kec.desa);
  const jalan = pick(rng, kec.roads);
  const kategori = pick(rng, KATEGORI);
  const template = pick(rng, TEMPLATES[kategori] ?? []);
  const n = String(2 + Math.floor(rng() * 9));
  const fill = (s: string): string => s.replaceAll('{desa}', desa).replaceAll('{kecamatan}', kec.name).replaceAll('{jalan}', jalan).replaceAll('{n}', n);

  const female = rng() < 0.5;
  const firstName = pick(rng, female ? FIRST_NAMES_FEMALE : FIRST_NAMES_MALE);
  const lastName = rng() < 0.85 ? pick(rng, LAST_NAMES) : '';
  const nama = lastName ? `${firstName} ${lastName}` : firstName;
  const day = 1 + Math.floor(rng() * 28);
  const month = 1 + Math.floor(rng() * 12);
  const year = 60 + Math.floor(rng() * 45);
  const nik = `3601${kec.code}${String(female ? day + 40 : day).padStart(2, '0')}${String(month).padStart(2, '0')}${String(year % 100).padStart(2, '0')}${String(1 + Math.floor(rng() * 9999)).padStart(4, '0')}`;
  const prefix = pick(rng, MOBILE_PREFIXES);
  const subscriber = digits(rng, 8);
  const style = Math.floor(rng() * 4);
  const no_hp =
    style === 0 ? `0${prefix}${subscriber}` : style === 1 ? `0${prefix}-${subscriber.slice(0, 4)}-${subscriber.slice(4)}` : style === 2 ? `+62${prefix}${subscriber}` : `62${prefix}${subscriber}`;
  const email = rng() < 0.6 ? `${nama.toLowerCase().replace(/ /g, '.')}${Math.floor(rng() * 100)}@${pick(rng, EMAIL_DOMAINS)}` : null;
  const hasLocation = rng() < 0.85;
  const latitude = hasLocation ? (kec.lat + (rng() - 0.5) * 0.04).toFixed(4) : null;
  const longitude = hasLocation ? (kec.lon + (rng() - 0.5) * 0.04).toFixed(4) : null;
  // submitted up to three days before the last update, but not before 2024
  const tanggalMs = Math.max(TIMELINE_START - 7 * 3600_000, Math.floor((updatedMs - rng() * 3 * 86400_000) / 1000) * 1000);
  const tanggal = localWib(tanggalMs);
  const anonim = rng() < 0.1 ? '1' : '0';
  const rahasia = rng() < 0.08;
  const lampiran = rng() < 0.1 ? [`gen-${id}-1.${pick(rng, ['jpg', 'png', 'pdf'])}`] : [];
  return {
    id,
    nomor_tiket: ticketFor(id, tanggal, updatedMs),
    judul: fill(template.judul),
    isi: fill(template.isi),
    kategori,
    kecamatan: kec.name,
    desa,
    alamat: `${jalan}, RT ${String(1 + Math.floor(rng() * 9)).padStart(2, '0')}/RW ${String(1 + Math.floor(rng() * 6)).padStart(2, '0')}`,
    latitude,
    longitude,
    tanggal,
    pelapor: { nama, no_hp, email, nik },
    anonim,
    rahasia,
    lampiran,
    status: pick(rng, STATUSES),
    updatedMs,
  };
}
