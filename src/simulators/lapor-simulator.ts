/**
 * In-process simulator of the SP4N-LAPOR! v3 integration API as publicly known (DESIGN §4):
 * attachment upload, complaint create (Laravel-style validation, Idempotency-Key), status,
 * follow-ups, search and the institution master list, plus fault injection for error-handling
 * tests. Used by `demo`, `simulate lapor`, end-to-end tests and benchmarks.
 */
import multipart from '@fastify/multipart';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { createHash } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import { HttpSimulator, deepCopy, dmyWib, sleep, type ListenOptions } from './sim-util.js';

export interface LaporSimulatorOptions extends ListenOptions {
  /** Expected as `<bearerHeader>: Bearer <bearerToken>`; default `lapor-demo-token`. */
  bearerToken?: string;
  /** Expected as `<appTokenHeader>: <appToken>`; default `lapor-demo-app-token`. */
  appToken?: string;
  /** Default `authorization`; some deployments use `auth`. */
  bearerHeader?: string;
  /** Default `token`. */
  appTokenHeader?: string;
  /** Reply to a create with `{ data: { complaint_id } }` instead of `{ complaint_id }`. */
  nestId?: boolean;
  /** Default `/lapor/3.0.0`. */
  basePath?: string;
  /** Header carrying the idempotency key; default `idempotency-key`. */
  idempotencyHeader?: string;
  /** Largest accepted upload per file; default 10 MB. Larger answers 413. */
  maxFileBytes?: number;
  /** Follow-ups per page; default 10. */
  followupPageSize?: number;
  now?: () => Date;
}

export type LaporFaultMatch = 'create' | 'upload' | 'any';

/** One scripted misbehaviour, consumed in order by matching requests (after authentication). */
export interface LaporFault {
  /** Which requests it applies to; default `any` (every API route). */
  match?: LaporFaultMatch;
  /** Reply status; default 500 when the fault fails the request. */
  status?: number;
  /** Reply body; default `{ message: <reason phrase> }`. */
  body?: unknown;
  /** Extra reply headers (e.g. `Retry-After`); with neither status nor drop they decorate the normal reply. */
  headers?: Record<string, string>;
  /** Store the complaint (or upload) first, then fail: a 500 after commit. */
  storeThenFail?: boolean;
  /** Destroy the socket without a reply; with storeThenFail the complaint is stored first. */
  dropConnection?: boolean;
  /** Wait before handling; alone, it only slows the normal reply. */
  delayMs?: number;
  /** How many matching requests it applies to; default 1. */
  times?: number;
}

export interface LaporDataLog {
  status_name: string;
  /** `d-m-Y H:i:s`, WIB. */
  created_at: string;
}

export interface LaporFollowup {
  id: number;
  content: string;
  /** `d-m-Y H:i:s`, WIB. */
  created_at: string;
  institution_name: string | null;
}

export interface LaporComplaint {
  id: string;
  /** The JSON body exactly as received. */
  body: Record<string, unknown>;
  /** Subset of the request headers: idempotency key, content-type, user-agent. */
  headers: Record<string, string>;
  idempotencyKey: string | null;
  status_code: number;
  status_name: string;
  disposition_id: string | number | null;
  disposition_name: string | null;
  /** ISO 8601 (UTC). */
  created_at: string;
  data_logs: LaporDataLog[];
  followups: LaporFollowup[];
}

export interface LaporUpload {
  id: number;
  filename: string;
  size: number;
  mime: string;
  sha256: string;
  uploaded_at: string;
}

export interface LaporRequestLog {
  method: string;
  /** Path without the query string. */
  path: string;
  url: string;
  /** 0 when the connection was dropped by a fault. */
  status: number;
  at: string;
}

export interface LaporInstitution {
  id: number;
  name: string;
}

/** The institution master list served by `/masters/institutions/external`. */
export const LAPOR_INSTITUTIONS: readonly LaporInstitution[] = [
  { id: 3601001, name: 'Pemerintah Kabupaten Pandeglang' },
  { id: 3601010, name: 'Dinas Pekerjaan Umum dan Penataan Ruang Kabupaten Pandeglang' },
  { id: 3601011, name: 'Dinas Kesehatan Kabupaten Pandeglang' },
  { id: 3601012, name: 'Dinas Pendidikan dan Kebudayaan Kabupaten Pandeglang' },
  { id: 3601013, name: 'Dinas Kependudukan dan Pencatatan Sipil Kabupaten Pandeglang' },
  { id: 3601014, name: 'Dinas Lingkungan Hidup Kabupaten Pandeglang' },
  { id: 3601015, name: 'Dinas Sosial Kabupaten Pandeglang' },
  { id: 3601016, name: 'Dinas Komunikasi, Informatika, Persandian dan Statistik Kabupaten Pandeglang' },
  { id: 3601020, name: 'Perumda Air Minum Tirta Berkah Kabupaten Pandeglang' },
  { id: 3601021, name: 'RSUD Berkah Pandeglang' },
  { id: 3601030, name: 'Badan Penanggulangan Bencana Daerah Kabupaten Pandeglang' },
  { id: 3600001, name: 'Pemerintah Provinsi Banten' },
];

/** Known LAPOR! statuses and the codes this simulator gives them; other names get code 99. */
export const LAPOR_STATUS_CODES: Readonly<Record<string, number>> = {
  'Belum Terverifikasi': 0,
  Terverifikasi: 1,
  'Dalam Proses': 2,
  Selesai: 3,
  Ditolak: 4,
};

const FIRST_COMPLAINT_ID = 1000001;
const FIRST_UPLOAD_ID = 90001;
const REPORTER_FIELDS = ['nik', 'name', 'nama', 'phone', 'email', 'reporter', 'pelapor'];

type RequestKind = 'create' | 'upload' | 'status' | 'followups' | 'search' | 'institutions';
type ActiveFault = LaporFault & { remaining: number };
type Errors = Record<string, string[]>;

export class LaporSimulator extends HttpSimulator {
  readonly bearerToken: string;
  readonly appToken: string;
  private readonly bearerHeader: string;
  private readonly appTokenHeader: string;
  private readonly idempotencyHeader: string;
  private readonly nestId: boolean;
  private readonly basePath: string;
  private readonly maxFileBytes: number;
  private readonly followupPageSize: number;
  private readonly now: () => Date;

  private store = new Map<string, LaporComplaint>();
  private byKey = new Map<string, string>();
  private uploadStore = new Map<string, LaporUpload>();
  private log: LaporRequestLog[] = [];
  private faults: ActiveFault[] = [];
  private nextComplaintId = FIRST_COMPLAINT_ID;
  private nextUploadId = FIRST_UPLOAD_ID;
  private nextFollowupId = 1;
  private readonly dropped = new WeakSet<FastifyRequest>();

  constructor(options: LaporSimulatorOptions = {}) {
    super(options);
    this.bearerToken = options.bearerToken ?? 'lapor-demo-token';
    this.appToken = options.appToken ?? 'lapor-demo-app-token';
    this.bearerHeader = (options.bearerHeader ?? 'authorization').toLowerCase();
    this.appTokenHeader = (options.appTokenHeader ?? 'token').toLowerCase();
    this.idempotencyHeader = (options.idempotencyHeader ?? 'idempotency-key').toLowerCase();
    this.nestId = options.nestId ?? false;
    this.basePath = normaliseBasePath(options.basePath ?? '/lapor/3.0.0');
    this.maxFileBytes = options.maxFileBytes ?? 10 * 1024 * 1024;
    this.followupPageSize = options.followupPageSize ?? 10;
    this.now = options.now ?? (() => new Date());
  }

  protected get name(): string {
    return 'lapor-simulator';
  }

  /** Base URL of the API, including the base path, e.g. `http://127.0.0.1:41234/lapor/3.0.0`. */
  get url(): string {
    return this.origin + this.basePath;
  }

  complaints(): LaporComplaint[] {
    return deepCopy([...this.store.values()]);
  }

  uploads(): LaporUpload[] {
    return deepCopy([...this.uploadStore.values()]);
  }

  requests(): LaporRequestLog[] {
    return deepCopy(this.log);
  }

  /** Replaces the scripted faults. */
  setFaults(faults: LaporFault[]): void {
    this.faults = faults.map((f) => ({ ...f, remaining: f.times ?? 1 }));
  }

  /** Faults not yet consumed. */
  pendingFaults(): LaporFault[] {
    return this.faults.map(({ remaining, ...f }) => ({ ...f, times: remaining }));
  }

  /** Moves a complaint to a status (as a LAPOR! operator would), optionally disposing it to an institution. */
  setStatus(id: string, statusName: string, disposition?: { id: string | number; name?: string }): void {
    const c = this.mustGet(id);
    c.status_name = statusName;
    c.status_code = LAPOR_STATUS_CODES[statusName] ?? 99;
    if (disposition) {
      c.disposition_id = disposition.id;
      c.disposition_name = disposition.name ?? institutionName(disposition.id);
    }
    c.data_logs.push({ status_name: statusName, created_at: dmyWib(this.now().getTime()) });
  }

  /** Adds an agency follow-up; `created_at` as a Date is formatted `d-m-Y H:i:s` WIB. Returns its id. */
  addFollowup(id: string, followup: { content: string; created_at?: string | Date; institution_name?: string }): number {
    const c = this.mustGet(id);
    const at = followup.created_at ?? this.now();
    const item: LaporFollowup = {
      id: this.nextFollowupId++,
      content: followup.content,
      created_at: typeof at === 'string' ? at : dmyWib(at.getTime()),
      institution_name: followup.institution_name ?? c.disposition_name,
    };
    c.followups.push(item);
    return item.id;
  }

  /** Forgets every complaint, upload, logged request and fault; ids start over. */
  reset(): void {
    this.store = new Map();
    this.byKey = new Map();
    this.uploadStore = new Map();
    this.log = [];
    this.faults = [];
    this.nextComplaintId = FIRST_COMPLAINT_ID;
    this.nextUploadId = FIRST_UPLOAD_ID;
    this.nextFollowupId = 1;
  }

  protected async build(app: FastifyInstance): Promise<void> {
    await app.register(multipart, { limits: { fileSize: this.maxFileBytes, files: 20, fieldSize: 1024 * 1024 } });
    app.addHook('onResponse', async (req, reply) => {
      if (!this.dropped.has(req)) this.logRequest(req, reply.statusCode);
    });
    // read-only view for a human running `simulate lapor`; outside the API, so no auth
    app.get('/_sim/complaints', async () => ({ data: this.complaints() }));

    await app.register(
      async (api) => {
        api.addHook('onRequest', async (req, reply) => {
          if (!this.authorised(req)) return reply.code(401).send({ message: 'Unauthenticated.' });
        });
        api.post('/complaints/complaint/file', (req, reply) => this.upload(req, reply));
        api.post('/complaints/complaint', (req, reply) => this.create(req, reply));
        api.get('/complaints/search', (req, reply) => this.search(req, reply));
        api.get('/complaints/:id/complaint', (req, reply) => this.status(req, reply));
        api.get('/complaints/:id/followups', (req, reply) => this.followups(req, reply));
        api.get('/masters/institutions/external', (req, reply) => this.institutions(req, reply));
      },
      { prefix: this.basePath },
    );
  }

  // ---- routes ----

  private async upload(req: FastifyRequest, reply: FastifyReply): Promise<unknown> {
    const fault = await this.takeFault('upload');
    if (fault && failsBeforeStore(fault)) {
      if (!fault.dropConnection) await drainParts(req);
      return this.fail(fault, req, reply);
    }
    if (!req.isMultipart()) return reply.code(422).send(invalid({ attachments: ['The attachments field is required.'] }));
    const received: LaporUpload[] = [];
    try {
      for await (const part of req.parts()) {
        if (part.type !== 'file') continue;
        const bytes = await part.toBuffer();
        if (part.fieldname !== 'attachments[]' && part.fieldname !== 'attachments') continue;
        received.push({
          id: 0,
          filename: part.filename,
          size: bytes.length,
          mime: part.mimetype,
          sha256: createHash('sha256').update(bytes).digest('hex'),
          uploaded_at: this.now().toISOString(),
        });
      }
    } catch (err) {
      const code = (err as { code?: string }).code;
      if (code === 'FST_REQ_FILE_TOO_LARGE' || code === 'FST_FILES_LIMIT') {
        const kb = Math.floor(this.maxFileBytes / 1024);
        return reply.code(413).send({ message: `The attachments may not be greater than ${kb} kilobytes.`, errors: { attachments: [`The attachments may not be greater than ${kb} kilobytes.`] } });
      }
      throw err;
    }
    if (received.length === 0) return reply.code(422).send(invalid({ attachments: ['The attachments field is required.'] }));
    for (const u of received) {
      u.id = this.nextUploadId++;
      this.uploadStore.set(String(u.id), u);
    }
    if (fault?.storeThenFail) return this.fail(fault, req, reply);
    if (fault?.headers) void reply.headers(fault.headers);
    return { results: { docs: received.map((u) => ({ id: u.id, filename: u.filename, size: u.size, mime: u.mime })) } };
  }

  private async create(req: FastifyRequest, reply: FastifyReply): Promise<unknown> {
    const fault = await this.takeFault('create');
    if (fault && failsBeforeStore(fault)) return this.fail(fault, req, reply);

    const key = headerValue(req, this.idempotencyHeader);
    let id = key !== undefined ? this.byKey.get(key) : undefined;
    const replay = id !== undefined;
    if (id === undefined) {
      const body = req.body;
      const problem = this.validate(body);
      if (problem) return reply.code(422).send(problem);
      id = this.storeComplaint(body as Record<string, unknown>, req, key);
    }
    if (fault?.storeThenFail) return this.fail(fault, req, reply);
    if (fault?.headers) void reply.headers(fault.headers);
    return reply.code(replay ? 200 : 201).send(this.nestId ? { data: { complaint_id: id } } : { complaint_id: id });
  }

  private async status(req: FastifyRequest, reply: FastifyReply): Promise<unknown> {
    if (await this.readFault('status', req, reply)) return reply;
    const c = this.store.get((req.params as { id: string }).id);
    if (!c) return reply.code(404).send({ message: 'Complaint not found.' });
    return {
      results: {
        data: {
          id: c.id,
          status_code: c.status_code,
          status_name: c.status_name,
          disposition_id: c.disposition_id,
          disposition_name: c.disposition_name,
          title: c.body.title,
          content: c.body.content,
          created_at: dmyWib(Date.parse(c.created_at)),
        },
        data_logs: deepCopy(c.data_logs),
      },
    };
  }

  private async followups(req: FastifyRequest, reply: FastifyReply): Promise<unknown> {
    if (await this.readFault('followups', req, reply)) return reply;
    const c = this.store.get((req.params as { id: string }).id);
    if (!c) return reply.code(404).send({ message: 'Complaint not found.' });
    const pageText = (req.query as Record<string, string | undefined>).page ?? '1';
    const page = /^\d+$/.test(pageText) && Number(pageText) >= 1 ? Number(pageText) : 1;
    const size = this.followupPageSize;
    const total = c.followups.length;
    const lastPage = Math.max(1, Math.ceil(total / size));
    const data = c.followups.slice((page - 1) * size, page * size);
    const path = `${this.url}/complaints/${c.id}/followups`;
    return {
      results: {
        current_page: page,
        data: deepCopy(data),
        first_page_url: `${path}?page=1`,
        from: data.length ? (page - 1) * size + 1 : null,
        last_page: lastPage,
        last_page_url: `${path}?page=${lastPage}`,
        next_page_url: page < lastPage ? `${path}?page=${page + 1}` : null,
        path,
        per_page: size,
        prev_page_url: page > 1 ? `${path}?page=${page - 1}` : null,
        to: data.length ? (page - 1) * size + data.length : null,
        total,
      },
    };
  }

  private async search(req: FastifyRequest, reply: FastifyReply): Promise<unknown> {
    if (await this.readFault('search', req, reply)) return reply;
    const q = (req.query as Record<string, string | undefined>).q;
    if (typeof q !== 'string' || q === '') return reply.code(422).send(invalid({ q: ['The q field is required.'] }));
    const data = [...this.store.values()]
      .filter((c) => typeof c.body.content === 'string' && c.body.content.includes(q))
      .map((c) => ({ id: c.id, title: c.body.title, content: c.body.content }));
    return { results: { data, total: data.length, next_page_url: null } };
  }

  private async institutions(req: FastifyRequest, reply: FastifyReply): Promise<unknown> {
    if (await this.readFault('institutions', req, reply)) return reply;
    return { results: { data: LAPOR_INSTITUTIONS.map((i) => ({ ...i })), total: LAPOR_INSTITUTIONS.length, next_page_url: null } };
  }

  // ---- helpers ----

  private authorised(req: FastifyRequest): boolean {
    const bearer = headerValue(req, this.bearerHeader);
    const match = bearer !== undefined ? /^Bearer\s+(.+)$/i.exec(bearer.trim()) : null;
    return match?.[1] === this.bearerToken && headerValue(req, this.appTokenHeader) === this.appToken;
  }

  /** Takes the first fault matching this request (counting it down) and waits its delay. */
  private async takeFault(kind: RequestKind): Promise<ActiveFault | undefined> {
    const index = this.faults.findIndex((f) => (f.match ?? 'any') === 'any' || f.match === kind);
    if (index < 0) return undefined;
    const fault = this.faults[index] as ActiveFault;
    fault.remaining -= 1;
    if (fault.remaining <= 0) this.faults.splice(index, 1);
    if (fault.delayMs) await sleep(fault.delayMs);
    return fault;
  }

  /** For reads, where there is nothing to store: true when a fault has answered (or dropped) the request. */
  private async readFault(kind: RequestKind, req: FastifyRequest, reply: FastifyReply): Promise<boolean> {
    const fault = await this.takeFault(kind);
    if (!fault) return false;
    if (fault.storeThenFail || failsBeforeStore(fault)) {
      this.fail(fault, req, reply);
      return true;
    }
    if (fault.headers) void reply.headers(fault.headers);
    return false;
  }

  private fail(fault: LaporFault, req: FastifyRequest, reply: FastifyReply): unknown {
    if (fault.dropConnection) {
      this.dropped.add(req);
      this.logRequest(req, 0);
      reply.hijack();
      req.raw.socket.destroy();
      return undefined;
    }
    const status = fault.status ?? 500;
    if (fault.headers) void reply.headers(fault.headers);
    return reply.code(status).send(fault.body ?? { message: status === 500 ? 'Server Error' : (STATUS_CODES[status] ?? `HTTP ${status}`) });
  }

  private validate(body: unknown): { message: string; errors: Errors } | undefined {
    if (body === null || typeof body !== 'object' || Array.isArray(body)) return invalid({ body: ['The request body must be a JSON object.'] });
    const b = body as Record<string, unknown>;
    const reporter = REPORTER_FIELDS.filter((f) => f in b);
    if (reporter.length) {
      return { message: 'reporter fields are not accepted', errors: Object.fromEntries(reporter.map((f) => [f, [`The ${f} field is not accepted.`]])) };
    }
    const errors: Errors = {};
    const add = (field: string, message: string): void => {
      (errors[field] ??= []).push(message);
    };
    textField(b, 'title', 150, add);
    textField(b, 'content', 25000, add);
    if (b.channel === undefined || b.channel === null) add('channel', 'The channel field is required.');
    else if (!isInteger(b.channel)) add('channel', 'The channel must be an integer.');
    if (b.classification_id === undefined || b.classification_id === null || b.classification_id === '') add('classification_id', 'The classification id field is required.');
    else if (!isId(b.classification_id)) add('classification_id', 'The classification id must be an integer or a string.');
    for (const f of ['is_anonymous', 'is_secret']) {
      if (b[f] === undefined || b[f] === null) add(f, `The ${f.replace('_', ' ')} field is required.`);
      else if (![true, false, 0, 1, '0', '1'].includes(b[f] as never)) add(f, `The ${f.replace('_', ' ')} field must be true or false.`);
    }
    for (const f of ['disposition_id', 'category_id', 'location_id', 'user_id']) {
      if (b[f] !== undefined && b[f] !== null && !isId(b[f])) add(f, `The ${f.replace('_', ' ')} must be an integer or a string.`);
    }
    if (b.tags_raw !== undefined && b.tags_raw !== null && typeof b.tags_raw !== 'string') add('tags_raw', 'The tags raw must be a string.');
    if (b.date_of_incident !== undefined && b.date_of_incident !== null && !isYmd(b.date_of_incident)) {
      add('date_of_incident', 'The date of incident does not match the format Y-m-d.');
    }
    if (b.attachments !== undefined && b.attachments !== null) {
      if (!Array.isArray(b.attachments)) add('attachments', 'The attachments must be an array.');
      else
        b.attachments.forEach((a, i) => {
          if (!isId(a) || !this.uploadStore.has(String(a))) add(`attachments.${i}`, `The selected attachments.${i} is invalid.`);
        });
    }
    return Object.keys(errors).length ? invalid(errors) : undefined;
  }

  private storeComplaint(body: Record<string, unknown>, req: FastifyRequest, key: string | undefined): string {
    const id = String(this.nextComplaintId++);
    const now = this.now();
    const headers: Record<string, string> = {};
    for (const name of [this.idempotencyHeader, 'content-type', 'user-agent']) {
      const v = headerValue(req, name);
      if (v !== undefined) headers[name] = v;
    }
    const dispositionId = isId(body.disposition_id) ? body.disposition_id : null;
    this.store.set(id, {
      id,
      body: deepCopy(body),
      headers,
      idempotencyKey: key ?? null,
      status_code: LAPOR_STATUS_CODES['Belum Terverifikasi'] as number,
      status_name: 'Belum Terverifikasi',
      disposition_id: dispositionId,
      disposition_name: dispositionId === null ? null : institutionName(dispositionId),
      created_at: now.toISOString(),
      data_logs: [{ status_name: 'Belum Terverifikasi', created_at: dmyWib(now.getTime()) }],
      followups: [],
    });
    if (key !== undefined) this.byKey.set(key, id);
    return id;
  }

  private mustGet(id: string): LaporComplaint {
    const c = this.store.get(String(id));
    if (!c) throw new Error(`[lapor-simulator] no complaint ${id}`);
    return c;
  }

  private logRequest(req: FastifyRequest, status: number): void {
    const url = req.url;
    const q = url.indexOf('?');
    this.log.push({ method: req.method, path: q < 0 ? url : url.slice(0, q), url, status, at: this.now().toISOString() });
  }
}

function normaliseBasePath(path: string): string {
  const trimmed = path.trim().replace(/\/+$/, '');
  if (trimmed === '') return '';
  return trimmed.startsWith('/') ? trimmed : `/${trimmed}`;
}

function headerValue(req: FastifyRequest, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/** A fault that answers without doing the work (everything but storeThenFail and a pure delay/headers). */
function failsBeforeStore(fault: LaporFault): boolean {
  return !fault.storeThenFail && (fault.dropConnection === true || fault.status !== undefined);
}

async function drainParts(req: FastifyRequest): Promise<void> {
  if (!req.isMultipart()) return;
  try {
    for await (const part of req.parts()) if (part.type === 'file') await part.toBuffer();
  } catch {
    // a fault answers anyway
  }
}

/** Laravel's validation reply: the first message, "(and N more errors)", and every message by field. */
function invalid(errors: Errors): { message: string; errors: Errors } {
  const all = Object.values(errors).flat();
  const more = all.length - 1;
  const message = `${all[0] ?? 'The given data was invalid.'}${more > 0 ? ` (and ${more} more error${more > 1 ? 's' : ''})` : ''}`;
  return { message, errors };
}

function textField(b: Record<string, unknown>, field: string, max: number, add: (field: string, message: string) => void): void {
  const v = b[field];
  if (v === undefined || v === null) return add(field, `The ${field} field is required.`);
  if (typeof v !== 'string') return add(field, `The ${field} must be a string.`);
  const length = [...v.trim()].length; // code points, like mb_strlen
  if (length === 0) return add(field, `The ${field} field is required.`);
  if (length > max) add(field, `The ${field} may not be greater than ${max} characters.`);
}

function isInteger(v: unknown): boolean {
  return (typeof v === 'number' && Number.isInteger(v)) || (typeof v === 'string' && /^-?\d+$/.test(v));
}

function isId(v: unknown): v is string | number {
  return (typeof v === 'number' && Number.isInteger(v)) || (typeof v === 'string' && v.trim() !== '');
}

function isYmd(v: unknown): boolean {
  if (typeof v !== 'string') return false;
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(v);
  if (!m) return false;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.getUTCFullYear() === Number(m[1]) && d.getUTCMonth() === Number(m[2]) - 1 && d.getUTCDate() === Number(m[3]);
}

function institutionName(id: string | number): string | null {
  return LAPOR_INSTITUTIONS.find((i) => String(i.id) === String(id))?.name ?? null;
}
