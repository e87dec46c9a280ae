/**
 * In-process simulator of the SP4N-LAPOR! v3 integration API as publicly known (DESIGN §4):
 * attachment upload, complaint create (Laravel-style validation, Idempotency-Key), status,
 * follow-ups, search and the master lists (institutions, categories; Laravel-paginated with
 * `page_size`/`page`), plus fault injection for error-handling
 * tests: scripted faults (`setFaults`), a seeded random fault profile (`setFaultProfile`, see
 * lapor-faults.ts), added latency and a rate limit. Every API call is logged with what it did
 * (`requests()`, `GET /_sim/calls`). Used by `demo`, `simulate lapor`, end-to-end tests and benchmarks.
 *
 * With `dialect: 'legacy-xml'` it speaks the older XML dialect instead (DESIGN §4,
 * `lapor-legacy-xml`): `POST /api/stream/addstream` (text/xml) with the token in the `<lapor
 * token="…">` attribute (wrong → 401), malformed XML or no `<isi>` → 400, reply
 * `<response><trackingid/><transaksiid/></response>`; a `GET /api/stream/search?q=` (token in the
 * `token` header) lists complaints whose `<isi>` contains the text. Faults, latency, the rate limit
 * and the call log work the same way; error replies are XML.
 *
 * With `lifecycle` on (both dialects), every complaint created gets a deterministic plan of status
 * changes and agency follow-ups over time (lapor-lifecycle.ts); the steps whose time has come on
 * the injected clock are applied at the start of every request (`advance()`).
 */
import multipart from '@fastify/multipart';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { createHash } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import { normaliseFaultProfile, storesFirst, type FaultProfile, type FaultRule } from './lapor-faults.js';
import { normaliseLifecycle, planLifecycle, type LaporLifecycleOptions, type LifecycleOutcome, type LifecyclePlan, type NormalisedLifecycle } from './lapor-lifecycle.js';
import { LEGACY_XML_PATHS, legacyErrorXml, legacyNoIdXml, legacySearchXml, legacySuccessXml, maskToken, parseAddStream } from './lapor-legacy-xml.js';
import { HttpSimulator, deepCopy, dmyWib, mulberry32, sleep, type ListenOptions } from './sim-util.js';

export {
  FAULT_KINDS,
  FAULT_MATCHES,
  FaultSpecError,
  formatFaultSpec,
  parseFaultSpec,
  type FaultKind,
  type FaultProfile,
  type FaultRule,
  type FaultRuleMatch,
} from './lapor-faults.js';
export {
  DEFAULT_LIFECYCLE_WEIGHTS,
  LIFECYCLE_OUTCOMES,
  type LaporLifecycleOptions,
  type LifecycleOutcome,
  type LifecyclePlan,
  type LifecycleStep,
} from './lapor-lifecycle.js';

/** `v3` (JSON, the default) or `legacy-xml` (the older XML dialect). */
export type LaporDialect = 'v3' | 'legacy-xml';

export interface LaporSimulatorOptions extends ListenOptions {
  /** Which LAPOR! API to speak; default `v3`. */
  dialect?: LaporDialect;
  /**
   * Expected as `<bearerHeader>: Bearer <bearerToken>`; default `lapor-demo-token`. In the
   * legacy-xml dialect, the expected value of the `<lapor token="…">` attribute.
   */
  bearerToken?: string;
  /** Expected as `<appTokenHeader>: <appToken>`; default `lapor-demo-app-token`. */
  appToken?: string;
  /** Default `authorization`; some deployments use `auth`. */
  bearerHeader?: string;
  /** Default `token`. */
  appTokenHeader?: string;
  /** Reply to a create with `{ data: { complaint_id } }` instead of `{ complaint_id }`. */
  nestId?: boolean;
  /** Default `/lapor/3.0.0` (v3) or `` (legacy-xml: the API lives at the origin). */
  basePath?: string;
  /** legacy-xml: the create and search paths under the base path; default `/api/stream/addstream`, `/api/stream/search`. */
  legacyPaths?: { create?: string; search?: string };
  /** Header carrying the idempotency key; default `idempotency-key`. */
  idempotencyHeader?: string;
  /** Largest accepted upload per file; default 10 MB. Larger answers 413. */
  maxFileBytes?: number;
  /** Follow-ups per page; default 10. */
  followupPageSize?: number;
  /**
   * Largest page of a master list (`/masters/...`): a bigger `page_size` is capped to it, as real
   * gateways do; default no cap. Set it small to exercise `next_page_url` paging.
   */
  mastersPageSize?: number;
  /** Serve `GET /masters/categories`; default true (some deployments do not offer it: 404). */
  categories?: boolean;
  /** Also the clock of the rate limiter's window, so a frozen clock makes `rateLimit` count-based. */
  now?: () => Date;
  /** Random faults rolled on every authenticated API request (after scripted faults, which take precedence). */
  faultProfile?: FaultProfile;
  /** Added delay (ms) before every API reply. */
  latencyMs?: number;
  /**
   * Authenticated API requests accepted per sliding 1-second window (all routes together); over
   * it the reply is 429 with `Retry-After: 1` and nothing is stored.
   */
  rateLimit?: number;
  /**
   * Advance every complaint created through a seeded plan of statuses and follow-ups as `now`
   * passes its steps (off by default: complaints stay 'Belum Terverifikasi' unless set by hand).
   */
  lifecycle?: LaporLifecycleOptions;
}

/** `lookup` is the search endpoint. */
export type LaporFaultMatch = 'create' | 'upload' | 'lookup' | 'any';

/** One scripted misbehaviour, consumed in order by matching requests (after authentication). */
export interface LaporFault {
  /** Which requests it applies to; default `any` (every API route). */
  match?: LaporFaultMatch;
  /** Reply status; default 500 when the fault fails the request. */
  status?: number;
  /** Reply body; default `{ message: <reason phrase> }` (legacy-xml: an XML error; a string body is sent as XML). */
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
  /**
   * The JSON body exactly as received (v3), or in the legacy-xml dialect what the XML carried,
   * decoded: `{ isi, rahasia, anonim, pelapor? }` (see LegacyComplaintBody).
   */
  body: Record<string, unknown>;
  /** legacy-xml: the transaction id of the reply. */
  transaksiId?: string;
  /** legacy-xml: the request body as received, with the token attribute's value masked. */
  raw?: string;
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
  /** 0 when a fault dropped the connection or left it hanging. */
  status: number;
  /** ISO 8601: when the reply was sent (or the connection dropped / left hanging). */
  at: string;
  /** Creates: the idempotency key sent, if any; null otherwise. */
  idempotencyKey: string | null;
  /** Whether this call stored a new complaint (also when a fault then failed it); false for an idempotent replay. */
  stored: boolean;
  /**
   * The fault applied: a FaultKind (scripted faults are named the same way: `status`,
   * `store-then-status`, `reset`, `store-then-reset`), or `rate-limit`.
   */
  fault?: string;
  /** Creates: the complaint stored or replayed by this call. */
  complaintId?: string;
  /** Uploads: the ids of the files stored by this call. */
  uploadIds?: number[];
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

export interface LaporCategory {
  id: number;
  name: string;
  /** Parent category (LAPOR! categories form a tree); null for a top-level one. */
  parent_id: number | null;
}

/**
 * The category master list served by `/masters/categories`. The ids agree with the shipped
 * `config/lookups/bebeja-kategori.csv`, so a demo mapping and this list tell the same story.
 */
export const LAPOR_CATEGORIES: readonly LaporCategory[] = [
  { id: 10, name: 'Infrastruktur dan Pekerjaan Umum', parent_id: null },
  { id: 20, name: 'Kesehatan', parent_id: null },
  { id: 30, name: 'Pendidikan dan Kebudayaan', parent_id: null },
  { id: 40, name: 'Administrasi Kependudukan', parent_id: null },
  { id: 50, name: 'Lingkungan Hidup dan Kehutanan', parent_id: null },
  { id: 60, name: 'Sosial dan Kesejahteraan', parent_id: null },
  { id: 70, name: 'Air Minum dan Sanitasi', parent_id: null },
  { id: 80, name: 'Ketenteraman, Ketertiban Umum, dan Perlindungan Masyarakat', parent_id: null },
  { id: 90, name: 'Pelayanan Publik', parent_id: null },
  { id: 100, name: 'Perhubungan', parent_id: null },
  { id: 110, name: 'Ketenagakerjaan', parent_id: null },
  { id: 120, name: 'Pertanian dan Ketahanan Pangan', parent_id: null },
  { id: 130, name: 'Penanggulangan Bencana', parent_id: null },
  { id: 999, name: 'Topik Lainnya', parent_id: null },
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
const FIRST_TRANSACTION_ID = 1;
const FIRST_UPLOAD_ID = 90001;
const REPORTER_FIELDS = ['nik', 'name', 'nama', 'phone', 'email', 'reporter', 'pelapor'];

type RequestKind = 'create' | 'upload' | 'status' | 'followups' | 'search' | 'institutions' | 'categories';
const XML_TYPE = 'text/xml; charset=utf-8';
type ActiveFault = LaporFault & { remaining: number };
type Errors = Record<string, string[]>;

/** A complaint's lifecycle plan and how far it has been applied. */
interface PlanState {
  plan: LifecyclePlan;
  /** Step times (ms), parallel to plan.steps. */
  times: number[];
  /** Index of the first step not yet applied. */
  next: number;
}

/** What one call did, filled in while it is handled and written to the log when it ends. */
interface CallInfo {
  stored: boolean;
  fault?: string;
  complaintId?: string;
  uploadIds?: number[];
}

const MALFORMED_BODY = '<html>Gateway</html>';

export class LaporSimulator extends HttpSimulator {
  readonly dialect: LaporDialect;
  readonly bearerToken: string;
  readonly appToken: string;
  private readonly bearerHeader: string;
  private readonly appTokenHeader: string;
  private readonly idempotencyHeader: string;
  private readonly nestId: boolean;
  private readonly basePath: string;
  private readonly legacyPaths: { create: string; search: string };
  private readonly maxFileBytes: number;
  private readonly followupPageSize: number;
  private readonly mastersPageSize: number | undefined;
  private readonly serveCategories: boolean;
  private readonly now: () => Date;
  private readonly latencyMs: number;
  private readonly rateLimit: number | undefined;
  private readonly lifecycle: NormalisedLifecycle | undefined;

  private store = new Map<string, LaporComplaint>();
  private byKey = new Map<string, string>();
  private followupByKey = new Map<string, number>();
  private uploadStore = new Map<string, LaporUpload>();
  private log: LaporRequestLog[] = [];
  private faults: ActiveFault[] = [];
  private nextComplaintId = FIRST_COMPLAINT_ID;
  private nextUploadId = FIRST_UPLOAD_ID;
  private nextFollowupId = 1;
  private nextTransactionId = FIRST_TRANSACTION_ID;
  private plans = new Map<string, PlanState>();
  /** Time (ms) of the earliest step not yet applied, so most requests skip the scan. */
  private nextDue = Infinity;
  private readonly dropped = new WeakSet<FastifyRequest>();
  private readonly callInfo = new WeakMap<FastifyRequest, CallInfo>();
  /** Sockets a `hang` fault keeps open; destroyed on stop(). */
  private readonly hanging = new Set<Socket>();
  private profile: Required<FaultProfile> | undefined;
  private profileRng: () => number = Math.random;
  /** Arrival times (ms) of the requests admitted in the current rate window, oldest first from rateHead. */
  private rateTimes: number[] = [];
  private rateHead = 0;

  constructor(options: LaporSimulatorOptions = {}) {
    super(options);
    const dialect = options.dialect ?? 'v3';
    if (dialect !== 'v3' && dialect !== 'legacy-xml') throw new Error(`[lapor-simulator] unknown dialect "${String(dialect)}" (expected v3 or legacy-xml)`);
    this.dialect = dialect;
    this.bearerToken = options.bearerToken ?? 'lapor-demo-token';
    this.appToken = options.appToken ?? 'lapor-demo-app-token';
    this.bearerHeader = (options.bearerHeader ?? 'authorization').toLowerCase();
    this.appTokenHeader = (options.appTokenHeader ?? 'token').toLowerCase();
    this.idempotencyHeader = (options.idempotencyHeader ?? 'idempotency-key').toLowerCase();
    this.nestId = options.nestId ?? false;
    this.basePath = normaliseBasePath(options.basePath ?? (dialect === 'legacy-xml' ? '' : '/lapor/3.0.0'));
    this.legacyPaths = {
      create: normaliseBasePath(options.legacyPaths?.create ?? LEGACY_XML_PATHS.create),
      search: normaliseBasePath(options.legacyPaths?.search ?? LEGACY_XML_PATHS.search),
    };
    this.maxFileBytes = options.maxFileBytes ?? 10 * 1024 * 1024;
    this.followupPageSize = options.followupPageSize ?? 10;
    if (options.mastersPageSize !== undefined && !(Number.isInteger(options.mastersPageSize) && options.mastersPageSize > 0)) {
      throw new Error(`[lapor-simulator] mastersPageSize must be a whole number > 0, not ${options.mastersPageSize}`);
    }
    this.mastersPageSize = options.mastersPageSize;
    this.serveCategories = options.categories ?? true;
    this.now = options.now ?? (() => new Date());
    const latency = options.latencyMs ?? 0;
    if (!Number.isFinite(latency) || latency < 0) throw new Error(`[lapor-simulator] latencyMs must be a number >= 0, not ${latency}`);
    this.latencyMs = latency;
    if (options.rateLimit !== undefined && !(Number.isFinite(options.rateLimit) && options.rateLimit > 0)) {
      throw new Error(`[lapor-simulator] rateLimit must be a number > 0, not ${options.rateLimit}`);
    }
    this.rateLimit = options.rateLimit;
    this.lifecycle = options.lifecycle ? normaliseLifecycle(options.lifecycle) : undefined;
    this.setFaultProfile(options.faultProfile);
  }

  protected get name(): string {
    return 'lapor-simulator';
  }

  /** Closes the connections `hang` faults keep open, then stops like any simulator. */
  override async stop(): Promise<void> {
    for (const socket of this.hanging) socket.destroy();
    this.hanging.clear();
    await super.stop();
  }

  /** Connections currently held open by a `hang` fault. */
  get hangingConnections(): number {
    return this.hanging.size;
  }

  /** Base URL of the API, including the base path, e.g. `http://127.0.0.1:41234/lapor/3.0.0`. */
  get url(): string {
    return this.origin + this.basePath;
  }

  /** Every stored complaint as of now (lifecycle steps due are applied first). */
  complaints(): LaporComplaint[] {
    this.advance();
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

  /**
   * Installs (or with `undefined` removes) the random fault profile; its PRNG starts over from the
   * seed (default 1). Throws FaultSpecError on an invalid rule.
   */
  setFaultProfile(profile: FaultProfile | undefined): void {
    if (!profile) {
      this.profile = undefined;
      return;
    }
    this.profile = normaliseFaultProfile(profile);
    this.profileRng = mulberry32(this.profile.seed);
  }

  /** The random fault profile in force, if any. */
  get faultProfile(): FaultProfile | undefined {
    return this.profile ? deepCopy(this.profile) : undefined;
  }

  /** Faults not yet consumed. */
  pendingFaults(): LaporFault[] {
    return this.faults.map(({ remaining, ...f }) => ({ ...f, times: remaining }));
  }

  /**
   * Moves a complaint to a status (as a LAPOR! operator would), optionally disposing it to an
   * institution; the data log entry is stamped `at` (default now). Lifecycle steps due are applied first.
   */
  setStatus(id: string, statusName: string, disposition?: { id: string | number; name?: string }, at?: Date): void {
    this.advance();
    this.applyStatus(id, statusName, disposition, at ?? this.now());
  }

  /**
   * Adds an agency follow-up; `created_at` as a Date is formatted `d-m-Y H:i:s` WIB (default now).
   * Lifecycle steps due are applied first. Returns its id.
   */
  addFollowup(id: string, followup: { content: string; created_at?: string | Date; institution_name?: string }): number {
    this.advance();
    return this.pushFollowup(id, followup);
  }

  /**
   * Applies every lifecycle step whose time is at or before now, in time order (ties: complaints
   * in creation order, then plan order), each stamped with its own time; returns how many. A step
   * applies once. Runs at the start of every request; a no-op without `lifecycle`.
   */
  advance(): number {
    const now = this.now().getTime();
    if (now < this.nextDue) return 0;
    const due: { at: number; id: string; state: PlanState }[] = [];
    let nextDue = Infinity;
    for (const [id, state] of this.plans) {
      let i = state.next;
      for (; i < state.times.length && (state.times[i] as number) <= now; i++) due.push({ at: state.times[i] as number, id, state });
      if (i < state.times.length) nextDue = Math.min(nextDue, state.times[i] as number);
    }
    this.nextDue = nextDue;
    due.sort((a, b) => a.at - b.at); // stable: creation order, then plan order
    for (const { at, id, state } of due) {
      const step = state.plan.steps[state.next++];
      if (step && this.store.has(id)) this.applyStep(id, step, new Date(at));
    }
    return due.length;
  }

  /** The lifecycle plan of a complaint (a copy), or undefined (no such complaint, or lifecycle off). */
  lifecyclePlan(id: string): LifecyclePlan | undefined {
    const state = this.plans.get(String(id));
    return state ? deepCopy(state.plan) : undefined;
  }

  private applyStep(id: string, step: LifecyclePlan['steps'][number], at: Date): void {
    if (step.status !== undefined) this.applyStatus(id, step.status, step.disposition, at);
    if (step.followup) this.pushFollowup(id, { ...step.followup, created_at: at });
  }

  private applyStatus(id: string, statusName: string, disposition: { id: string | number; name?: string } | undefined, at: Date): void {
    const c = this.mustGet(id);
    c.status_name = statusName;
    c.status_code = LAPOR_STATUS_CODES[statusName] ?? 99;
    if (disposition) {
      c.disposition_id = disposition.id;
      c.disposition_name = disposition.name ?? institutionName(disposition.id);
    }
    c.data_logs.push({ status_name: statusName, created_at: dmyWib(at.getTime()) });
  }

  private pushFollowup(id: string, followup: { content: string; created_at?: string | Date; institution_name?: string }): number {
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

  /**
   * Forgets every complaint (and lifecycle plan), upload, logged request and scripted fault; ids start over. A random
   * fault profile stays, its PRNG restarted from the seed, so the simulator behaves like a new one.
   */
  reset(): void {
    if (this.profile) this.profileRng = mulberry32(this.profile.seed);
    this.rateTimes = [];
    this.rateHead = 0;
    this.store = new Map();
    this.plans = new Map();
    this.nextDue = Infinity;
    this.byKey = new Map();
    this.followupByKey = new Map();
    this.uploadStore = new Map();
    this.log = [];
    this.faults = [];
    this.nextComplaintId = FIRST_COMPLAINT_ID;
    this.nextUploadId = FIRST_UPLOAD_ID;
    this.nextFollowupId = 1;
    this.nextTransactionId = FIRST_TRANSACTION_ID;
  }

  protected async build(app: FastifyInstance): Promise<void> {
    if (this.dialect === 'legacy-xml') return this.buildLegacy(app);
    await app.register(multipart, { limits: { fileSize: this.maxFileBytes, files: 20, fieldSize: 1024 * 1024 } });
    this.registerLogAndViews(app);

    await app.register(
      async (api) => {
        api.addHook('onRequest', async (req, reply) => {
          if (this.latencyMs > 0) await sleep(this.latencyMs);
          if (!this.authorised(req)) return reply.code(401).send({ message: 'Unauthenticated.' });
          if (!this.admit()) {
            this.call(req).fault = 'rate-limit';
            return reply.code(429).header('retry-after', '1').send({ message: 'Too Many Attempts.' });
          }
        });
        api.post('/complaints/complaint/file', (req, reply) => this.upload(req, reply));
        api.post('/complaints/complaint', (req, reply) => this.create(req, reply));
        api.get('/complaints/search', (req, reply) => this.search(req, reply));
        api.get('/complaints/:id/complaint', (req, reply) => this.status(req, reply));
        api.get('/complaints/:id/followups', (req, reply) => this.followups(req, reply));
        api.post('/complaints/:id/followups', (req, reply) => this.postFollowup(req, reply));
        api.get('/masters/institutions/external', (req, reply) => this.institutions(req, reply));
        if (this.serveCategories) api.get('/masters/categories', (req, reply) => this.categories(req, reply));
      },
      { prefix: this.basePath },
    );
  }

  /** The call log, and the read-only `/_sim/` views (both dialects). */
  private registerLogAndViews(app: FastifyInstance): void {
    // before anything else (auth, faults, the views): every client sees the state as of now
    app.addHook('onRequest', async () => {
      this.advance();
    });
    app.addHook('onResponse', async (req, reply) => {
      if (!this.dropped.has(req) && !req.url.startsWith('/_sim/')) this.logRequest(req, reply.statusCode);
    });
    // read-only views for a human running `simulate lapor`, or a test driving it from another
    // process; outside the API, so no auth, no faults, and not logged themselves
    app.get('/_sim/complaints', async () => ({ data: this.complaints().map((c) => this.withOutcome(c)) }));
    app.get('/_sim/calls', async (req, reply) => {
      const fromText = (req.query as Record<string, string | undefined>).from ?? '0';
      if (!/^\d+$/.test(fromText)) return reply.code(400).send({ message: 'from must be a whole number' });
      return { data: deepCopy(this.log.slice(Number(fromText))), total: this.log.length };
    });
  }

  /** The legacy-xml dialect: XML bodies, the token in the body, XML replies. */
  private async buildLegacy(app: FastifyInstance): Promise<void> {
    app.addContentTypeParser(['text/xml', 'application/xml'], { parseAs: 'buffer', bodyLimit: 4 * 1024 * 1024 }, (_req, body: Buffer, done) => {
      try {
        done(null, new TextDecoder('utf-8', { fatal: true }).decode(body));
      } catch {
        done(null, { invalidEncoding: true });
      }
    });
    this.registerLogAndViews(app);
    await app.register(
      async (api) => {
        api.addHook('onRequest', async () => {
          if (this.latencyMs > 0) await sleep(this.latencyMs);
        });
        api.post(this.legacyPaths.create, (req, reply) => this.legacyCreate(req, reply));
        api.get(this.legacyPaths.search, (req, reply) => this.legacySearch(req, reply));
      },
      { prefix: this.basePath },
    );
  }

  private async legacyCreate(req: FastifyRequest, reply: FastifyReply): Promise<unknown> {
    const parsed = parseAddStream(req.body);
    if (!parsed.ok) return this.xmlError(reply, parsed.status, parsed.message);
    if (parsed.token !== this.bearerToken) return this.xmlError(reply, 401, 'Token tidak valid.');
    if (!this.admit()) {
      this.call(req).fault = 'rate-limit';
      void reply.header('retry-after', '1');
      return this.xmlError(reply, 429, 'Terlalu banyak permintaan.');
    }
    const key = headerValue(req, this.idempotencyHeader);
    const call = this.call(req);
    const fault = await this.takeFault('create');
    const rule = fault ? undefined : this.rollFault('create');
    if (fault && failsBeforeStore(fault)) return this.fail(fault, req, reply);
    if (rule && !storesFirst(rule.kind)) return this.answerRule(rule, 'create', req, reply);

    // an idempotent replay (same key) answers like the first call: same ids
    let id = key !== undefined ? this.byKey.get(key) : undefined;
    if (id === undefined) {
      id = this.storeComplaint(parsed.body, req, key);
      const stored = this.store.get(id) as LaporComplaint;
      stored.transaksiId = `TRX${String(this.nextTransactionId++).padStart(8, '0')}`;
      stored.raw = maskToken(String(req.body));
      call.stored = true;
    }
    call.complaintId = id;
    if (fault?.storeThenFail) return this.fail(fault, req, reply);
    if (rule) return this.answerRule(rule, 'create', req, reply);
    if (fault?.headers) void reply.headers(fault.headers);
    const c = this.store.get(id) as LaporComplaint;
    return reply.code(200).type(XML_TYPE).send(legacySuccessXml(c.id, c.transaksiId ?? ''));
  }

  private async legacySearch(req: FastifyRequest, reply: FastifyReply): Promise<unknown> {
    const query = req.query as Record<string, string | undefined>;
    if ((headerValue(req, 'token') ?? query.token) !== this.bearerToken) return this.xmlError(reply, 401, 'Token tidak valid.');
    if (!this.admit()) {
      this.call(req).fault = 'rate-limit';
      void reply.header('retry-after', '1');
      return this.xmlError(reply, 429, 'Terlalu banyak permintaan.');
    }
    if (await this.readFault('search', req, reply)) return reply;
    const q = query.q;
    if (typeof q !== 'string' || q === '') return this.xmlError(reply, 400, 'Parameter q wajib diisi.');
    const items = [...this.store.values()].filter((c) => typeof c.body.isi === 'string' && c.body.isi.includes(q)).map((c) => ({ trackingid: c.id, isi: c.body.isi as string }));
    return reply.code(200).type(XML_TYPE).send(legacySearchXml(items));
  }

  private xmlError(reply: FastifyReply, status: number, message: string): FastifyReply {
    return reply.code(status).type(XML_TYPE).send(legacyErrorXml(message));
  }

  /** An error reply in the simulator's dialect (JSON `{ message }` for v3, XML for legacy-xml). */
  private errorReply(reply: FastifyReply, status: number, message: string): unknown {
    return this.dialect === 'legacy-xml' ? this.xmlError(reply, status, message) : reply.code(status).send({ message });
  }

  // ---- routes ----

  private async upload(req: FastifyRequest, reply: FastifyReply): Promise<unknown> {
    const fault = await this.takeFault('upload');
    const rule = fault ? undefined : this.rollFault('upload');
    if (fault && failsBeforeStore(fault)) {
      if (!fault.dropConnection) await drainParts(req);
      return this.fail(fault, req, reply);
    }
    if (rule && !storesFirst(rule.kind)) {
      if (rule.kind === 'status' || rule.kind === '429') await drainParts(req);
      return this.answerRule(rule, 'upload', req, reply);
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
    this.call(req).uploadIds = received.map((u) => u.id);
    if (fault?.storeThenFail) return this.fail(fault, req, reply);
    if (rule) return this.answerRule(rule, 'upload', req, reply);
    if (fault?.headers) void reply.headers(fault.headers);
    return { results: { docs: received.map((u) => ({ id: u.id, filename: u.filename, size: u.size, mime: u.mime })) } };
  }

  private async create(req: FastifyRequest, reply: FastifyReply): Promise<unknown> {
    const key = headerValue(req, this.idempotencyHeader);
    const call = this.call(req);
    const fault = await this.takeFault('create');
    const rule = fault ? undefined : this.rollFault('create');
    if (fault && failsBeforeStore(fault)) return this.fail(fault, req, reply);
    if (rule && !storesFirst(rule.kind)) return this.answerRule(rule, 'create', req, reply);

    let id = key !== undefined ? this.byKey.get(key) : undefined;
    const replay = id !== undefined;
    if (id === undefined) {
      const body = req.body;
      const problem = this.validate(body);
      if (problem) return reply.code(422).send(problem);
      id = this.storeComplaint(body as Record<string, unknown>, req, key);
      call.stored = true;
    }
    call.complaintId = id;
    if (fault?.storeThenFail) return this.fail(fault, req, reply);
    if (rule) return this.answerRule(rule, 'create', req, reply);
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

  /** An update sent by the integration (the bridge's `on_change: followup`); idempotent by key. */
  private postFollowup(req: FastifyRequest, reply: FastifyReply): unknown {
    const id = (req.params as { id: string }).id;
    if (!this.store.has(id)) return reply.code(404).send({ message: 'Complaint not found.' });
    const content = (req.body as { content?: unknown } | undefined)?.content;
    if (typeof content !== 'string' || content.trim() === '') return reply.code(422).send({ message: 'The content field is required.', errors: { content: ['The content field is required.'] } });
    const key = headerValue(req, this.idempotencyHeader);
    const seen = key ? this.followupByKey.get(key) : undefined;
    if (seen !== undefined) return reply.code(200).send({ followup_id: seen });
    const followupId = this.addFollowup(id, { content, institution_name: 'Integrasi SP4N Bridge' });
    if (key) this.followupByKey.set(key, followupId);
    return reply.code(201).send({ followup_id: followupId });
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
    return this.masterPage(req, '/masters/institutions/external', LAPOR_INSTITUTIONS);
  }

  private async categories(req: FastifyRequest, reply: FastifyReply): Promise<unknown> {
    if (await this.readFault('categories', req, reply)) return reply;
    return this.masterPage(req, '/masters/categories', LAPOR_CATEGORIES);
  }

  /** One page of a master list, Laravel-style: `page_size` (capped by mastersPageSize) and `page`. */
  private masterPage(req: FastifyRequest, route: string, all: readonly object[]): unknown {
    const q = req.query as Record<string, string | undefined>;
    const asked = /^\d+$/.test(q.page_size ?? '') && Number(q.page_size) > 0 ? Number(q.page_size) : 15;
    const size = Math.min(asked, this.mastersPageSize ?? asked);
    const page = /^\d+$/.test(q.page ?? '') && Number(q.page) >= 1 ? Number(q.page) : 1;
    const lastPage = Math.max(1, Math.ceil(all.length / size));
    const data = all.slice((page - 1) * size, page * size).map((x) => ({ ...x }));
    const path = `${this.url}${route}`;
    const link = (n: number) => `${path}?page_size=${size}&page=${n}`;
    return {
      results: {
        current_page: page,
        data,
        first_page_url: link(1),
        from: data.length ? (page - 1) * size + 1 : null,
        last_page: lastPage,
        last_page_url: link(lastPage),
        next_page_url: page < lastPage ? link(page + 1) : null,
        path,
        per_page: size,
        prev_page_url: page > 1 ? link(page - 1) : null,
        to: data.length ? (page - 1) * size + data.length : null,
        total: all.length,
      },
    };
  }

  // ---- helpers ----

  private authorised(req: FastifyRequest): boolean {
    const bearer = headerValue(req, this.bearerHeader);
    const match = bearer !== undefined ? /^Bearer\s+(.+)$/i.exec(bearer.trim()) : null;
    return match?.[1] === this.bearerToken && headerValue(req, this.appTokenHeader) === this.appToken;
  }

  /** Takes the first fault matching this request (counting it down) and waits its delay. */
  private async takeFault(kind: RequestKind): Promise<ActiveFault | undefined> {
    const match = kind === 'search' ? 'lookup' : kind;
    const index = this.faults.findIndex((f) => (f.match ?? 'any') === 'any' || f.match === match);
    if (index < 0) return undefined;
    const fault = this.faults[index] as ActiveFault;
    fault.remaining -= 1;
    if (fault.remaining <= 0) this.faults.splice(index, 1);
    if (fault.delayMs) await sleep(fault.delayMs);
    return fault;
  }

  /** Rolls the random fault profile's rules matching this request in order; the first hit applies. */
  private rollFault(kind: RequestKind): FaultRule | undefined {
    if (!this.profile) return undefined;
    const match = kind === 'search' ? 'lookup' : kind;
    for (const rule of this.profile.rules) {
      if (rule.match !== 'any' && rule.match !== match) continue;
      if (this.profileRng() < rule.rate) return rule;
    }
    return undefined;
  }

  /** The rate limiter: true when the request fits in the sliding 1-second window (and counts it). */
  private admit(): boolean {
    if (this.rateLimit === undefined) return true;
    const now = this.now().getTime();
    while (this.rateHead < this.rateTimes.length && (this.rateTimes[this.rateHead] as number) <= now - 1000) this.rateHead++;
    if (this.rateHead > 1024 && this.rateHead * 2 > this.rateTimes.length) {
      this.rateTimes = this.rateTimes.slice(this.rateHead);
      this.rateHead = 0;
    }
    if (this.rateTimes.length - this.rateHead >= this.rateLimit) return false;
    this.rateTimes.push(now);
    return true;
  }

  /**
   * Answers with a random fault. Create and upload call it before storing for the kinds that do not
   * store first and after storing for the others; reads (nothing to store) call it straight away.
   */
  private answerRule(rule: FaultRule, kind: RequestKind, req: FastifyRequest, reply: FastifyReply): unknown {
    this.call(req).fault = rule.kind;
    switch (rule.kind) {
      case 'status':
      case 'store-then-status': {
        const status = rule.status ?? 500;
        if (rule.retryAfter !== undefined) void reply.header('retry-after', String(rule.retryAfter));
        return this.errorReply(reply, status, reasonOf(status));
      }
      case '429':
        void reply.header('retry-after', String(rule.retryAfter ?? 1));
        return this.errorReply(reply, 429, 'Too Many Attempts.');
      case 'hang':
      case 'store-then-hang':
        return this.hang(req, reply);
      case 'reset':
      case 'store-then-reset':
        return this.drop(req, reply);
      case 'malformed':
        return reply
          .code(rule.status ?? 200)
          .type('text/html; charset=utf-8')
          .send(MALFORMED_BODY);
      case 'no-id':
        if (this.dialect === 'legacy-xml') return reply.code(rule.status ?? 200).type(XML_TYPE).send(legacyNoIdXml());
        return reply.code(rule.status ?? (kind === 'create' ? 201 : 200)).send({ status: 'ok' });
    }
  }

  /** Destroys the socket without a reply. */
  private drop(req: FastifyRequest, reply: FastifyReply): undefined {
    this.dropped.add(req);
    this.logRequest(req, 0);
    reply.hijack();
    req.raw.socket.destroy();
    return undefined;
  }

  /** Never answers: the socket stays open until the client gives up or the simulator stops. */
  private hang(req: FastifyRequest, reply: FastifyReply): undefined {
    this.dropped.add(req);
    this.logRequest(req, 0);
    reply.hijack();
    const socket = req.raw.socket;
    if (socket.destroyed) return undefined;
    this.hanging.add(socket);
    socket.once('close', () => this.hanging.delete(socket));
    return undefined;
  }

  /** For reads, where there is nothing to store: true when a fault has answered (or dropped) the request. */
  private async readFault(kind: RequestKind, req: FastifyRequest, reply: FastifyReply): Promise<boolean> {
    const fault = await this.takeFault(kind);
    if (!fault) {
      const rule = this.rollFault(kind);
      if (!rule) return false;
      this.answerRule(rule, kind, req, reply);
      return true;
    }
    if (fault.storeThenFail || failsBeforeStore(fault)) {
      this.fail(fault, req, reply);
      return true;
    }
    if (fault.headers) void reply.headers(fault.headers);
    return false;
  }

  private fail(fault: LaporFault, req: FastifyRequest, reply: FastifyReply): unknown {
    const stored = fault.storeThenFail === true;
    this.call(req).fault = fault.dropConnection ? (stored ? 'store-then-reset' : 'reset') : stored ? 'store-then-status' : 'status';
    if (fault.dropConnection) return this.drop(req, reply);
    const status = fault.status ?? 500;
    if (fault.headers) void reply.headers(fault.headers);
    if (fault.body === undefined) return this.errorReply(reply, status, reasonOf(status));
    if (this.dialect === 'legacy-xml' && typeof fault.body === 'string') return reply.code(status).type(XML_TYPE).send(fault.body);
    return reply.code(status).send(fault.body);
  }

  private call(req: FastifyRequest): CallInfo {
    let info = this.callInfo.get(req);
    if (!info) {
      info = { stored: false };
      this.callInfo.set(req, info);
    }
    return info;
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
    if (this.lifecycle) this.plan(id, now, dispositionId);
    return id;
  }

  private plan(id: string, createdAt: Date, disposition: string | number | null): void {
    const plan = planLifecycle(this.lifecycle as NormalisedLifecycle, id, createdAt, LAPOR_INSTITUTIONS, disposition);
    const times = plan.steps.map((s) => Date.parse(s.at));
    this.plans.set(id, { plan, times, next: 0 });
    if (times.length) this.nextDue = Math.min(this.nextDue, times[0] as number);
  }

  /** A complaint as `/_sim/complaints` shows it: with `lifecycle_outcome` when it has a plan. */
  private withOutcome(c: LaporComplaint): LaporComplaint & { lifecycle_outcome?: LifecycleOutcome } {
    const state = this.plans.get(c.id);
    return state ? { ...c, lifecycle_outcome: state.plan.outcome } : c;
  }

  private mustGet(id: string): LaporComplaint {
    const c = this.store.get(String(id));
    if (!c) throw new Error(`[lapor-simulator] no complaint ${id}`);
    return c;
  }

  private logRequest(req: FastifyRequest, status: number): void {
    const url = req.url;
    const q = url.indexOf('?');
    const info = this.call(req);
    const path = q < 0 ? url : url.slice(0, q);
    const isCreate = req.method === 'POST' && path === (this.dialect === 'legacy-xml' ? `${this.basePath}${this.legacyPaths.create}` : `${this.basePath}/complaints/complaint`);
    const entry: LaporRequestLog = {
      method: req.method,
      path,
      url,
      status,
      at: this.now().toISOString(),
      idempotencyKey: isCreate ? (headerValue(req, this.idempotencyHeader) ?? null) : null,
      stored: info.stored,
    };
    if (info.fault !== undefined) entry.fault = info.fault;
    if (info.complaintId !== undefined) entry.complaintId = info.complaintId;
    if (info.uploadIds !== undefined) entry.uploadIds = info.uploadIds;
    this.log.push(entry);
  }
}

function normaliseBasePath(path: string): string {
  const trimmed = path.trim().replace(/\/+$/, '');
  if (trimmed === '') return '';
  return trimmed.startsWith('/') ? trimmed : `/${trimmed}`;
}

function reasonOf(status: number): string {
  return status === 500 ? 'Server Error' : (STATUS_CODES[status] ?? `HTTP ${status}`);
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
