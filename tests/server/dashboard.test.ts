/**
 * The audit dashboard over plain HTTP, against a ledger built by a real sync: no data without
 * the token (cookie or bearer), the session cookie is an HMAC (HttpOnly, SameSite=Strict),
 * values are escaped, its connection refuses writes and the ledger is unchanged after use,
 * search, timeline, lists, verify and CSV export, both languages, and the mount on the
 * daemon's HTTP server next to /metrics.
 */
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import Database from 'better-sqlite3';
import { verifyLedger } from '../../src/ledger/verify-ledger.js';
import { esc, html } from '../../src/server/dashboard/html.js';
import { DashboardServer } from '../../src/server/dashboard/dashboard.js';
import { ReadOnlyLedger } from '../../src/server/dashboard/queries.js';
import { BridgeHttpServer } from '../../src/server/http-server.js';
import { BridgeMetrics } from '../../src/server/metrics.js';
import { dashboardFixture, SCRIPT_TITLE, type DashboardFixture } from './dashboard-fixture.js';

let fx: DashboardFixture;
let server: DashboardServer;
let base: string;
const logs: { level: string; message: string; meta?: Record<string, unknown> }[] = [];

function ledgerFingerprint(file: string): { events: number; head: string; records: string } {
  const db = new Database(file, { readonly: true });
  try {
    const head = db.prepare('SELECT id, hash FROM events ORDER BY id DESC LIMIT 1').get() as { id: number; hash: string };
    const records = JSON.stringify(db.prepare('SELECT * FROM records ORDER BY id').all());
    return { events: head.id, head: head.hash, records };
  } finally {
    db.close();
  }
}

let before: ReturnType<typeof ledgerFingerprint>;

beforeAll(async () => {
  fx = await dashboardFixture();
  before = ledgerFingerprint(fx.ledgerPath);
  server = new DashboardServer({
    host: '127.0.0.1',
    port: 0,
    ledgerPath: () => fx.ledgerPath,
    token: () => fx.token,
    logger: {
      info: (message, meta) => logs.push({ level: 'info', message, meta }),
      warn: (message, meta) => logs.push({ level: 'warn', message, meta }),
    },
  });
  base = (await server.start()).url;
});

afterAll(async () => {
  await server?.stop();
  await fx?.close();
});

const bearer = () => ({ authorization: `Bearer ${fx.token}` });
const get = (path: string, headers: Record<string, string> = {}) => fetch(`${base}${path}`, { headers, redirect: 'manual' });

async function login(token: string): Promise<Response> {
  return fetch(`${base}/login`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ token }).toString(), redirect: 'manual' });
}

describe('html escaping helpers', () => {
  it('escapes every interpolated value unless it is html itself', () => {
    expect(esc(`<a href="x" onclick='y'>&\``)).toBe('&lt;a href=&quot;x&quot; onclick=&#39;y&#39;&gt;&amp;&#96;');
    const inner = html`<b>${'<i>'}</b>`;
    expect(html`<p>${inner}${['<', html`<br>`]}${null}${undefined}${false}${0}</p>`.value).toBe('<p><b>&lt;i&gt;</b>&lt;<br>0</p>');
  });
});

describe('access', () => {
  it('refuses every page and the export without the token, showing no data', async () => {
    const paths = ['', '/', '/search?q=' + encodeURIComponent(fx.script.laporId), `/records/${encodeURIComponent(fx.script.ref)}`, '/records?state=quarantined', '/failures', '/runs', '/verify', '/no-such-page'];
    for (const p of paths) {
      const r = await get(p);
      expect({ p, status: r.status }).toEqual({ p, status: 401 });
      const body = await r.text();
      expect(body).toContain('name="token"'); // the login form, nothing else
      // (the login form echoes the address asked for, so a LAPOR! id in the query is no leak)
      if (!p.includes(fx.script.laporId)) expect(body).not.toContain(fx.script.laporId);
      expect(body).not.toContain(fx.script.ref);
      expect(body).not.toContain(fx.script.ticket);
      expect(body).not.toContain('Jembatan');
      expect(body).not.toContain(before.head);
      expect(body).not.toContain(fx.ledgerPath);
    }
    const csv = await get('/export.csv?table=records');
    expect(csv.status).toBe(401);
    expect(csv.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect(await csv.text()).not.toContain(fx.script.ref);
  });

  it('refuses a wrong bearer token, a forged cookie, and the token itself as the cookie', async () => {
    expect((await get('', { authorization: `Bearer ${fx.token}x` })).status).toBe(401);
    expect((await get('', { authorization: `Basic ${Buffer.from(`a:${fx.token}`).toString('base64')}` })).status).toBe(401);
    expect((await get('', { cookie: `sp4n_dashboard=${fx.token}` })).status).toBe(401);
    const far = Date.now() + 3600_000;
    expect((await get('', { cookie: `sp4n_dashboard=${far}.${'A'.repeat(43)}` })).status).toBe(401);
  });

  it('a wrong token at the login form gets 401; the right one a session cookie that is an HMAC, HttpOnly and SameSite=Strict', async () => {
    const bad = await login('wrong-token');
    expect(bad.status).toBe(401);
    expect(bad.headers.get('set-cookie')).toBeNull();
    expect(await bad.text()).toContain('Token salah');

    const ok = await login(fx.token);
    expect(ok.status).toBe(303);
    expect(ok.headers.get('location')).toBe('/dashboard');
    const setCookie = ok.headers.get('set-cookie') as string;
    expect(setCookie).toMatch(/^sp4n_dashboard=\d+\.[A-Za-z0-9_-]{43}; Path=\/dashboard; SameSite=Strict; Max-Age=43200; HttpOnly$/);
    expect(setCookie).not.toContain(fx.token);
    const session = setCookie.split(';')[0] as string;
    const page = await get('', { cookie: session });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('Pengaduan menurut status');

    // logging out clears the cookie
    const out = await fetch(`${base}/logout`, { method: 'POST', headers: { cookie: session }, redirect: 'manual' });
    expect(out.status).toBe(303);
    expect(out.headers.get('set-cookie')).toMatch(/^sp4n_dashboard=; .*Max-Age=0/);
  });

  it('goes back to the page asked for after the login, but never off the dashboard', async () => {
    const form = await (await get('/runs')).text();
    expect(form).toContain('name="next" value="/dashboard/runs"');
    const post = (next: string) =>
      fetch(`${base}/login`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ token: fx.token, next }).toString(), redirect: 'manual' });
    expect((await post('/dashboard/runs')).headers.get('location')).toBe('/dashboard/runs');
    expect((await post('https://evil.example/')).headers.get('location')).toBe('/dashboard');
    expect((await post('//evil.example/dashboard')).headers.get('location')).toBe('/dashboard');
  });

  it('never logs the token', () => {
    expect(logs.some((l) => l.message === 'dashboard login')).toBe(true);
    expect(logs.some((l) => l.message === 'dashboard login failed')).toBe(true);
    expect(JSON.stringify(logs)).not.toContain(fx.token);
  });

  it('sends a CSP without scripts and no-store on every page', async () => {
    const r = await get('', bearer());
    expect(r.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(r.headers.get('content-security-policy')).not.toContain('script-src');
    expect(r.headers.get('cache-control')).toBe('no-store');
    expect(r.headers.get('x-frame-options')).toBe('DENY');
  });
});

describe('pages', () => {
  it('overview: states, head hash, last runs, export links and the SLA summary, in Bahasa Indonesia by default', async () => {
    const r = await get('', bearer());
    expect(r.status).toBe(200);
    const body = await r.text();
    expect(body).toContain('<html lang="id">');
    expect(body).toContain('terkirim');
    expect(body).toContain(before.head);
    expect(body).toContain('Proses terakhir');
    expect(body).toContain('/dashboard/export.csv?table=records');
    // every complaint was delivered just now: followed at LAPOR!, none overdue yet
    expect(body).toContain('Tenggat SLA (hari kerja)');
    expect(body).toMatch(/<a class="tile sla-overdue zero" href="\/dashboard\/sla"><span class="num">0<\/span>/);
    expect(body).toContain('/dashboard/export.csv?table=statuses');
    expect(body).not.toMatch(/<script/i);
  });

  it('English with ?lang=en, remembered in a cookie', async () => {
    const r = await get('?lang=en', bearer());
    const body = await r.text();
    expect(body).toContain('<html lang="en">');
    expect(body).toContain('Complaints by state');
    const langCookie = (r.headers.get('set-cookie') as string).split(';')[0] as string;
    expect(langCookie).toBe('sp4n_lang=en');
    expect(await (await get('/runs', { ...bearer(), cookie: langCookie })).text()).toContain('<html lang="en">');
  });

  it('search by LAPOR! id or ticket redirects to the timeline; an unknown reference says so', async () => {
    for (const q of [fx.script.laporId, fx.script.ticket, fx.script.ticket.toLowerCase(), fx.script.ref]) {
      const r = await get(`/search?q=${encodeURIComponent(q)}`, bearer());
      expect({ q, status: r.status, location: r.headers.get('location') }).toEqual({ q, status: 303, location: `/dashboard/records/${encodeURIComponent(fx.script.ref)}` });
    }
    const none = await get('/search?q=%3Cb%3Enope%3C%2Fb%3E', bearer());
    expect(none.status).toBe(200);
    const text = await none.text();
    expect(text).toContain('Tidak ada pengaduan yang cocok');
    expect(text).toContain('&lt;b&gt;nope&lt;/b&gt;');
    expect(text).not.toContain('<b>nope');
  });

  it('timeline: versions with mapping version, attempts and events; the title escaped; no reporter data', async () => {
    const r = await get(`/records/${encodeURIComponent(fx.script.ref)}`, bearer());
    expect(r.status).toBe(200);
    const body = await r.text();
    expect(body).toContain(esc(SCRIPT_TITLE));
    expect(body).toContain('&lt;script&gt;alert(&quot;xss&quot;)&lt;/script&gt;');
    expect(body).not.toMatch(/<script/i);
    expect(body).toContain(fx.script.laporId);
    expect(body).toContain('versi pemetaan');
    expect(body).toMatch(/<code>received<\/code>/);
    expect(body).toMatch(/<td>create<\/td>/);
    expect(body).not.toContain('Kampung Cilaja'); // the complaint text stays out
    for (const rec of fx.bebeja.records()) {
      if (rec.pelapor.nama) expect(body).not.toContain(rec.pelapor.nama);
      if (rec.pelapor.no_hp) expect(body).not.toContain(rec.pelapor.no_hp);
    }
    // the same page by the LAPOR! id in the URL; an unknown one is a 404
    expect((await get(`/records/${encodeURIComponent(fx.script.laporId)}`, bearer())).status).toBe(200);
    expect((await get('/records/nope%2Fnope', bearer())).status).toBe(404);
  });

  it('lists by state, failures and runs; an unknown state is a 400', async () => {
    const q = await (await get('/records?state=quarantined', bearer())).text();
    expect(q).toContain('Pengaduan berstatus: dikarantina');
    expect(q).toContain('/dashboard/export.csv?table=records&amp;state=quarantined');
    expect((await get('/records?state=needs_review', bearer())).status).toBe(200);
    expect((await get('/failures', bearer())).status).toBe(200);
    expect(await (await get('/runs', bearer())).text()).toMatch(/badge good">ok</);
    expect((await get('/records?state=%3Cx%3E', bearer())).status).toBe(400);
  });

  it('verify: OK with the head hash, the same as `ledger verify`', async () => {
    const body = await (await get('/verify', bearer())).text();
    const db = new Database(fx.ledgerPath, { readonly: true });
    const report = verifyLedger(db);
    db.close();
    expect(report.ok).toBe(true);
    expect(body).toContain(`<code class="hash" id="head-hash">${report.head?.hash}</code>`);
    expect(body).toContain('BAIK');
  });

  it('CSV export: UTF-8 with BOM, filtered by state, no personal data', async () => {
    const r = await get('/export.csv?table=records', bearer());
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(r.headers.get('content-disposition')).toMatch(/^attachment; filename="sp4n-records-\d{8}-\d{6}\.csv"$/);
    const bytes = Buffer.from(await r.arrayBuffer());
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const text = bytes.toString('utf8').slice(1);
    const lines = text.trim().split('\n');
    expect(lines[0]).toMatch(/^ref,source,external_id,ticket,state,lapor_id/);
    expect(lines[0]).not.toMatch(/reporter/);
    expect(lines).toHaveLength(1 + fx.bebeja.records().length);
    for (const rec of fx.bebeja.records()) if (rec.pelapor.nama) expect(text).not.toContain(rec.pelapor.nama);

    const quarantined = (await (await get('/export.csv?table=records&state=quarantined', bearer())).text()).trim().split('\n').slice(1);
    expect(quarantined.length).toBeGreaterThan(0);
    expect(quarantined.every((l) => l.includes(',quarantined,'))).toBe(true);
    const events = Buffer.from(await (await get('/export.csv?table=events', bearer())).arrayBuffer()).toString('utf8'); // (Response.text() drops the BOM)
    expect(events.split('\n')[0]).toBe('\uFEFFid,at,ref,type,from_state,to_state,actor,reason,hash');
    expect((await get('/export.csv?table=secrets', bearer())).status).toBe(400);
  });
});

describe('read-only by construction', () => {
  it('the dashboard connection refuses writes', () => {
    const db = server.ledger().db;
    expect(db.readonly).toBe(true);
    expect(() => db.prepare("UPDATE records SET state = 'dropped'").run()).toThrow(/readonly|read-only/i);
    expect(() => db.exec('DELETE FROM runs')).toThrow(/readonly|read-only/i);
    expect(() => db.exec('CREATE TABLE x (a)')).toThrow(/readonly|read-only/i);
  });

  it('opening it never creates a ledger', () => {
    const missing = `${fx.dir}/nowhere/ledger.sqlite`;
    expect(() => ReadOnlyLedger.open(missing)).toThrow(/no ledger at/);
    expect(fs.existsSync(missing)).toBe(false);
  });

  it('the ledger is exactly as it was after every page above', () => {
    expect(ledgerFingerprint(fx.ledgerPath)).toEqual(before);
  });
});

describe('on the daemon’s HTTP server', () => {
  it('is mounted under /dashboard next to /metrics, with the same access rules', async () => {
    const http = new BridgeHttpServer({
      host: '127.0.0.1',
      port: 0,
      metrics: new BridgeMetrics({ ledger: () => undefined, breaker: () => undefined, destination: () => 'lapor' }),
      readiness: { ledger: () => undefined, destination: () => 'lapor', sources: () => [], lastResult: () => undefined },
      dashboard: { ledgerPath: () => fx.ledgerPath, token: () => fx.token, lang: () => 'en' },
    });
    const addr = await http.start();
    try {
      const root = `http://127.0.0.1:${addr.port}`;
      expect((await fetch(`${root}/metrics`)).status).toBe(200);
      expect((await fetch(`${root}/healthz`)).status).toBe(200);
      expect((await fetch(`${root}/dashboard`, { redirect: 'manual' })).status).toBe(401);
      const page = await fetch(`${root}/dashboard`, { headers: bearer() });
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('Complaints by state'); // lang: en from the config
      // the dashboard's form parser and hooks stay inside /dashboard
      expect((await fetch(`${root}/metrics`)).headers.get('content-security-policy')).toBeNull();
    } finally {
      await http.stop();
    }
  });
});
