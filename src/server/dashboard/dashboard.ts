/**
 * The read-only audit dashboard (issue #8 item 5), as a fastify plugin under `/dashboard`:
 * mounted on the daemon's HTTP server, or served alone by `sp4n-bridge dashboard`.
 *
 * - Read-only by construction: its own `readonly` SQLite connection (see queries.ts).
 * - Access by token: a login form sets an HttpOnly, SameSite=Strict session cookie (an HMAC,
 *   not the token), or `Authorization: Bearer <token>`; anything else gets 401 and no data.
 * - Server-rendered HTML that works without JavaScript (the CSP forbids scripts outright),
 *   in Bahasa Indonesia by default, English with `?lang=en` (remembered in a cookie).
 */
import type { AddressInfo } from 'node:net';
import { stringify } from 'csv-stringify/sync';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { auditColumns, auditRows, auditTables, type AuditTable } from '../../ledger/audit-queries.js';
import { recordStates } from '../../ledger/record-state.js';
import { defaultSlaSetup, type SlaReport } from '../../ledger/sla-report.js';
import { verifyLedger } from '../../ledger/verify-ledger.js';
import type { SlaSetup } from '../../sla/sla-setup.js';
import { cookie, LANG_COOKIE, LoginThrottle, parseCookies, SESSION_COOKIE, SESSION_TTL_MS, sessionValue, validBearer, validSession } from './auth.js';
import { timeText } from './format.js';
import type { SafeHtml } from './html.js';
import { isLang, translator, type Lang } from './i18n.js';
import { BASE, failuresPage, listPage, loginPage, messagePage, overviewPage, recordPage, recordUrl, runsPage, searchPage, slaPage, verifyPage, type PageContext } from './pages.js';
import { FAILURE_STATES, ReadOnlyLedger } from './queries.js';
import { STYLE_CSS } from './style.js';

export interface DashboardLogger {
  info(message: string, meta?: Record<string, unknown>): unknown;
  warn(message: string, meta?: Record<string, unknown>): unknown;
}

export interface DashboardOptions {
  /** The ledger file; read again on every request, so a reloaded configuration takes effect. */
  readonly ledgerPath: () => string;
  /** The access token; undefined turns the dashboard off (503). */
  readonly token: () => string | undefined;
  /** Default language when the visitor chose none (`id`). */
  readonly lang?: () => Lang;
  readonly logger?: DashboardLogger;
  readonly now?: () => Date;
  /**
   * SLA rules and calendar for the overdue list and tiles (read on each request; the daemon
   * passes its configured ones). Without them, or when this returns undefined, LAPOR!'s defaults
   * and the shipped calendar.
   */
  readonly sla?: () => SlaSetup | Promise<SlaSetup> | undefined;
}

/** `?period=YYYY-MM` → [from, to) in WIB, or undefined when absent or malformed. */
function monthRange(v: unknown): { from: string; to: string } | undefined {
  const m = typeof v === 'string' ? /^(\d{4})-(0[1-9]|1[0-2])$/.exec(v) : null;
  if (!m) return undefined;
  const y = Number(m[1]);
  const mo = Number(m[2]);
  const next = mo === 12 ? `${y + 1}-01` : `${y}-${String(mo + 1).padStart(2, '0')}`;
  return { from: new Date(`${m[1]}-${m[2]}-01T00:00:00+07:00`).toISOString(), to: new Date(`${next}-01T00:00:00+07:00`).toISOString() };
}

const PAGE_SIZE = 100;
const PUBLIC = new Set([`${BASE}/login`, `${BASE}/assets/style.css`]);

const SECURITY_HEADERS: Record<string, string> = {
  'content-security-policy': "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-store',
};

/** The dashboard's connection, opened on first use and again if the ledger path changes. */
export class DashboardLedgerHandle {
  private current: ReadOnlyLedger | undefined;

  constructor(private readonly pathOf: () => string) {}

  get(): ReadOnlyLedger {
    const file = this.pathOf();
    if (this.current && this.current.path !== file) this.close();
    if (!this.current) this.current = ReadOnlyLedger.open(file);
    return this.current;
  }

  close(): void {
    this.current?.close();
    this.current = undefined;
  }
}

function pathOnly(rawUrl: string): string {
  const q = rawUrl.indexOf('?');
  return q < 0 ? rawUrl : rawUrl.slice(0, q);
}

function clientIp(req: FastifyRequest): string {
  return req.ip ?? req.socket.remoteAddress ?? 'unknown';
}

function positiveInt(v: unknown, fallback: number): number {
  const n = typeof v === 'string' && /^\d{1,9}$/.test(v) ? Number(v) : NaN;
  return Number.isInteger(n) && n >= 1 ? n : fallback;
}

/** Only a path inside the dashboard is a place to go back to after the login (no open redirect). */
function safeNext(next: unknown): string {
  return typeof next === 'string' && /^\/dashboard(\/[^\\]*|\?[^\\]*)?$/.test(next) && !next.startsWith('//') ? next : BASE;
}

/**
 * Registers the dashboard's routes on `app` under `/dashboard`, in their own encapsulated
 * scope (its form parser and hooks do not touch the other endpoints). Returns the handle of its
 * read-only connection, closed with the server.
 */
export async function mountDashboard(app: FastifyInstance, o: DashboardOptions): Promise<DashboardLedgerHandle> {
  const handle = new DashboardLedgerHandle(o.ledgerPath);
  const now = o.now ?? (() => new Date());
  const throttle = new LoginThrottle();
  const slaSetup = async (): Promise<SlaSetup> => (await o.sla?.()) ?? defaultSlaSetup();

  await app.register(
    async (scope) => {
      scope.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 4096 }, (_req, body, done) => {
        done(null, Object.fromEntries(new URLSearchParams(body as string)));
      });
      scope.addHook('onClose', async () => handle.close());

      const langOf = (req: FastifyRequest, reply: FastifyReply): Lang => {
        const q = (req.query as Record<string, unknown>).lang;
        if (isLang(q)) {
          reply.header('set-cookie', cookie(LANG_COOKIE, q, { maxAgeSeconds: 365 * 86400, httpOnly: true, secure: req.protocol === 'https' }));
          return q;
        }
        const c = parseCookies(req.headers.cookie)[LANG_COOKIE];
        return isLang(c) ? c : (o.lang?.() ?? 'id');
      };

      const ctxOf = (req: FastifyRequest, reply: FastifyReply): PageContext => {
        const lang = langOf(req, reply);
        const query = Object.fromEntries(Object.entries(req.query as Record<string, unknown>).filter(([k, v]) => typeof v === 'string' && k !== 'lang')) as Record<string, string>;
        let ledgerPath = '';
        try {
          ledgerPath = o.ledgerPath();
        } catch {
          /* shown empty */
        }
        return { lang, t: translator(lang), now: now(), path: pathOnly(req.url), query, ledgerPath };
      };

      const sendHtml = (reply: FastifyReply, body: SafeHtml, status = 200) => reply.code(status).type('text/html; charset=utf-8').send(body.value);

      const authed = (req: FastifyRequest, token: string): boolean =>
        validBearer(token, req.headers.authorization) || validSession(token, parseCookies(req.headers.cookie)[SESSION_COOKIE], now().getTime());

      scope.addHook('onSend', async (_req, reply, payload) => {
        for (const [k, v] of Object.entries(SECURITY_HEADERS)) if (!reply.hasHeader(k)) reply.header(k, v);
        return payload;
      });

      // every route but the login form and the stylesheet needs the token
      scope.addHook('onRequest', async (req, reply) => {
        const token = o.token();
        const p = pathOnly(req.url);
        if (!token) {
          const ctx = ctxOf(req, reply);
          return sendHtml(reply, messagePage(ctx, '503', 'The dashboard is turned off: no dashboard.token is configured.', false), 503);
        }
        if (PUBLIC.has(p)) return;
        if (authed(req, token)) return;
        reply.header('www-authenticate', 'Bearer realm="sp4n-bridge dashboard"');
        if ((req.method === 'GET' || req.method === 'HEAD') && !p.endsWith('.csv')) {
          // the login form, with 401: a request without the token sees no ledger data
          const ctx = ctxOf(req, reply);
          return sendHtml(reply, loginPage(ctx, { next: req.url }), 401);
        }
        return reply.code(401).type('text/plain; charset=utf-8').send('401 unauthorized: log in at /dashboard/login or send Authorization: Bearer <token>\n');
      });

      scope.setErrorHandler((err: Error & { statusCode?: number }, req, reply) => {
        const status = err.statusCode && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 500;
        if (status === 500) o.logger?.warn('dashboard request failed', { path: pathOnly(req.url), error: err.message });
        const ctx = ctxOf(req, reply);
        return sendHtml(reply, messagePage(ctx, String(status), status === 500 ? err.message : ctx.t('bad_request', { why: err.message })), status);
      });

      scope.setNotFoundHandler((req, reply) => {
        const ctx = ctxOf(req, reply);
        return sendHtml(reply, messagePage(ctx, '404', ctx.t('not_found')), 404);
      });

      scope.get('/assets/style.css', async (_req, reply) => reply.type('text/css; charset=utf-8').header('cache-control', 'max-age=3600').send(STYLE_CSS));

      scope.get('/login', async (req, reply) => {
        const token = o.token() as string;
        const next = safeNext((req.query as Record<string, unknown>).next);
        if (authed(req, token)) return reply.redirect(next, 303);
        return sendHtml(reply, loginPage(ctxOf(req, reply), { next: next === BASE ? undefined : next }));
      });

      scope.post('/login', async (req, reply) => {
        const token = o.token() as string;
        const body = (req.body ?? {}) as Record<string, unknown>;
        const ip = clientIp(req);
        const ctx = ctxOf(req, reply);
        const next = safeNext(body.next);
        if (throttle.blocked(ip, now().getTime())) {
          o.logger?.warn('dashboard login refused: too many failed attempts', { ip });
          return sendHtml(reply, loginPage(ctx, { error: ctx.t('login_throttled'), next }), 429);
        }
        const given = typeof body.token === 'string' ? body.token.trim() : '';
        if (!given || !validBearer(token, `Bearer ${given}`)) {
          throttle.fail(ip, now().getTime());
          o.logger?.warn('dashboard login failed', { ip });
          return sendHtml(reply, loginPage(ctx, { error: ctx.t('login_failed'), next }), 401);
        }
        throttle.succeed(ip);
        o.logger?.info('dashboard login', { ip });
        const expires = now().getTime() + SESSION_TTL_MS;
        reply.header('set-cookie', cookie(SESSION_COOKIE, sessionValue(token, expires), { maxAgeSeconds: SESSION_TTL_MS / 1000, secure: req.protocol === 'https' }));
        return reply.redirect(next, 303);
      });

      scope.post('/logout', async (req, reply) => {
        reply.header('set-cookie', cookie(SESSION_COOKIE, '', { maxAgeSeconds: 0, secure: req.protocol === 'https' }));
        return reply.redirect(`${BASE}/login`, 303);
      });

      scope.get('/', async (req, reply) => {
        const ledger = handle.get();
        const ctx = ctxOf(req, reply);
        let sla: SlaReport | null = null;
        try {
          sla = ledger.sla(await slaSetup(), { asOf: ctx.now });
        } catch (err) {
          // the overview still shows the rest; the SLA tile says none
          o.logger?.warn('dashboard SLA summary failed', { error: (err as Error).message });
        }
        return sendHtml(reply, overviewPage(ctx, ledger.overview(), sla));
      });

      scope.get('/sla', async (req, reply) => {
        const q = req.query as Record<string, unknown>;
        const ctx = ctxOf(req, reply);
        const source = typeof q.source === 'string' && q.source ? q.source : undefined;
        const periodText = typeof q.period === 'string' && q.period ? q.period : undefined;
        const period = monthRange(periodText);
        if (periodText && !period) return sendHtml(reply, messagePage(ctx, '400', ctx.t('bad_request', { why: `period "${periodText}" (YYYY-MM)` })), 400);
        const ledger = handle.get();
        const report = ledger.sla(await slaSetup(), { asOf: ctx.now, sourceId: source, ...period });
        const sources = (ledger.db.prepare('SELECT id FROM sources ORDER BY id').all() as { id: string }[]).map((s) => s.id);
        return sendHtml(reply, slaPage(ctx, report, { sources, source, period: periodText }));
      });

      scope.get('/search', async (req, reply) => {
        const q = String((req.query as Record<string, unknown>).q ?? '').slice(0, 200);
        const ledger = handle.get();
        const hits = ledger.search(q);
        if (hits.length === 1) return reply.redirect(recordUrl(hits[0] as { source_id: string; external_id: string }), 303);
        const ctx = ctxOf(req, reply);
        const rows = hits.map((h) => ({ ...h, title: titleOf(ledger, h.id, h.version) }));
        return sendHtml(reply, searchPage(ctx, q, rows));
      });

      scope.get('/records', async (req, reply) => {
        const q = req.query as Record<string, unknown>;
        const state = typeof q.state === 'string' && q.state ? q.state : undefined;
        const ctx = ctxOf(req, reply);
        if (state && !(recordStates as readonly string[]).includes(state)) return sendHtml(reply, messagePage(ctx, '400', ctx.t('bad_request', { why: `state "${state}"` })), 400);
        const pageNo = positiveInt(q.page, 1);
        const source = typeof q.source === 'string' && q.source ? q.source : undefined;
        const { total, rows } = handle.get().listRecords({ states: state ? [state] : [], sourceId: source, limit: PAGE_SIZE, offset: (pageNo - 1) * PAGE_SIZE });
        return sendHtml(reply, listPage(ctx, { state, rows, total, page: pageNo, size: PAGE_SIZE }));
      });

      scope.get('/records/*', async (req, reply) => {
        const ref = (req.params as Record<string, string>)['*'] ?? '';
        const ledger = handle.get();
        const ctx = ctxOf(req, reply);
        const r = ref ? ledger.findRecord(ref) : undefined;
        if (!r) return sendHtml(reply, messagePage(ctx, '404', ctx.t('search_not_found', { q: ref })), 404);
        return sendHtml(reply, recordPage(ctx, r, ledger.timeline(r.id), ledger.followThrough(r.id)));
      });

      scope.get('/failures', async (req, reply) => {
        const q = req.query as Record<string, unknown>;
        const pageNo = positiveInt(q.page, 1);
        const ledger = handle.get();
        const { total, rows } = ledger.listRecords({ states: FAILURE_STATES, limit: PAGE_SIZE, offset: (pageNo - 1) * PAGE_SIZE });
        return sendHtml(reply, failuresPage(ctxOf(req, reply), { counts: ledger.countsInStates(FAILURE_STATES), rows, total, page: pageNo, size: PAGE_SIZE }));
      });

      scope.get('/runs', async (req, reply) => {
        const pageNo = positiveInt((req.query as Record<string, unknown>).page, 1);
        const { total, rows } = handle.get().runs(PAGE_SIZE, (pageNo - 1) * PAGE_SIZE);
        return sendHtml(reply, runsPage(ctxOf(req, reply), { rows, total, page: pageNo, size: PAGE_SIZE }));
      });

      scope.get('/verify', async (req, reply) => {
        const report = verifyLedger(handle.get().db);
        return sendHtml(reply, verifyPage(ctxOf(req, reply), report));
      });

      scope.get('/export.csv', async (req, reply) => {
        const q = req.query as Record<string, unknown>;
        const table = (typeof q.table === 'string' && q.table ? q.table : 'records') as AuditTable;
        const state = typeof q.state === 'string' && q.state ? q.state : undefined;
        const source = typeof q.source === 'string' && q.source ? q.source : undefined;
        if (!auditTables.includes(table)) return reply.code(400).type('text/plain; charset=utf-8').send(`table: one of ${auditTables.join(', ')}\n`);
        if (state && !(recordStates as readonly string[]).includes(state)) return reply.code(400).type('text/plain; charset=utf-8').send(`state: one of ${recordStates.join(', ')}\n`);
        // personal data is never exported here (that needs `ledger export --include-personal --reason`)
        const cols = auditColumns(table, false);
        const chunks: string[] = [`\uFEFF${stringify([cols])}`];
        let batch: unknown[][] = [];
        for (const row of auditRows(handle.get().db, table, { state, sourceId: source, includePersonal: false })) {
          batch.push(cols.map((c) => row[c] ?? ''));
          if (batch.length >= 1000) {
            chunks.push(stringify(batch));
            batch = [];
          }
        }
        if (batch.length) chunks.push(stringify(batch));
        const stamp = timeText(now()).replace(/[-:]/g, '').replace(' WIB', '').replace(' ', '-');
        const name = `sp4n-${table}${state ? `-${state}` : ''}${source ? `-${source.replace(/[^A-Za-z0-9_-]/g, '_')}` : ''}-${stamp}.csv`;
        return reply.type('text/csv; charset=utf-8').header('content-disposition', `attachment; filename="${name}"`).send(chunks.join(''));
      });
    },
    { prefix: BASE },
  );
  return handle;
}

function titleOf(ledger: ReadOnlyLedger, recordId: number, version: number): string | null {
  const row = ledger.db.prepare("SELECT json_extract(canonical_json, '$.title') AS title FROM record_versions WHERE record_id = ? AND version = ?").get(recordId, version) as { title: string | null } | undefined;
  return row?.title ?? null;
}

/** `sp4n-bridge dashboard`: the dashboard alone, on its own port, without the daemon. */
export class DashboardServer {
  private app: FastifyInstance | undefined;
  private handle: DashboardLedgerHandle | undefined;

  constructor(private readonly o: DashboardOptions & { readonly host: string; readonly port: number }) {}

  async start(): Promise<{ host: string; port: number; url: string }> {
    const app = Fastify({ logger: false });
    app.get('/', async (_req, reply) => reply.redirect(BASE, 302));
    this.handle = await mountDashboard(app, this.o);
    await app.listen({ host: this.o.host, port: this.o.port });
    this.app = app;
    const address = app.server.address() as AddressInfo;
    const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
    return { host: address.address, port: address.port, url: `http://${host}:${address.port}${BASE}` };
  }

  /** The dashboard's read-only connection (for checks and tests). */
  ledger(): ReadOnlyLedger {
    if (!this.handle) throw new Error('dashboard not started');
    return this.handle.get();
  }

  async stop(): Promise<void> {
    await this.app?.close();
    this.app = undefined;
  }
}
