/**
 * The SLA numbers outside the CLI, on the fixture ledger of sla-fixture.ts: the /metrics gauges
 * (the same numbers as `ledger report --sla`), the dashboard's overdue list grouped by agency
 * with links to each timeline, the overview tiles, and the timeline's statuses, follow-ups and
 * write-backs; and the daemon's HTTP server handing its SLA rules to the dashboard.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { SqliteLedger } from '../../src/ledger/sqlite-ledger.js';
import { defaultSlaSetup } from '../../src/ledger/sla-report.js';
import { DashboardServer } from '../../src/server/dashboard/dashboard.js';
import { BridgeHttpServer } from '../../src/server/http-server.js';
import { BridgeMetrics } from '../../src/server/metrics.js';
import { slaRulesSchema } from '../../src/sla/sla-rules.js';
import { AS_OF, DINKES, PUPR, slaFixture, type SlaFixture } from './sla-fixture.js';

const TOKEN = 'token-uji-sla-dasbor-0123456789';
let fx: SlaFixture;
let server: DashboardServer;
let base: string;

beforeAll(async () => {
  fx = slaFixture('sp4n-sla-dash-');
  server = new DashboardServer({ host: '127.0.0.1', port: 0, ledgerPath: () => fx.ledgerPath, token: () => TOKEN, now: () => new Date(AS_OF) });
  base = (await server.start()).url;
});

afterAll(async () => {
  await server?.stop();
  fx?.close();
});

const page = async (p: string, url = base): Promise<{ status: number; body: string }> => {
  const r = await fetch(`${url}${p}`, { headers: { authorization: `Bearer ${TOKEN}` }, redirect: 'manual' });
  return { status: r.status, body: await r.text() };
};

/** The value of one sample of a metric, whatever the order of its labels. */
function sample(text: string, name: string, labels: Record<string, string>): number | undefined {
  const want = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  const line = text.split('\n').find((l) => l.startsWith(`${name}{`) && want.every((w) => l.includes(w)) && (l.match(/="/g) ?? []).length === want.length);
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
}

describe('/metrics', () => {
  it('has the SLA gauges by source and agency, followed complaints by stage, write-backs by state', async () => {
    const ledger = SqliteLedger.open(fx.ledgerPath);
    try {
      const metrics = new BridgeMetrics({ ledger: () => ledger, breaker: () => undefined, destination: () => 'lapor', now: () => new Date(AS_OF) }, await defaultSlaSetup());
      const text = await metrics.registry.metrics();
      const sla = (source: string, agency: string, state: string) => sample(text, 'sp4n_sla_complaints', { source, agency, state });
      expect(sla('sambat', DINKES, 'overdue')).toBe(1);
      expect(sla('sambat', DINKES, 'at_risk')).toBe(1);
      expect(sla('bebeja', PUPR, 'overdue')).toBe(1);
      expect(sla('bebeja', PUPR, 'at_risk')).toBe(0);
      expect(sla('bebeja', '(belum didisposisi)', 'overdue')).toBe(1);
      expect(sla('sambat', '(belum didisposisi)', 'overdue')).toBe(0);
      expect(text.split('\n').filter((l) => l.startsWith('sp4n_sla_complaints{'))).toHaveLength(8);
      const stage = (s: string) => sample(text, 'sp4n_followed_complaints', { stage: s });
      expect([stage('received'), stage('verified'), stage('disposed'), stage('in_progress'), stage('closed'), stage('rejected')]).toEqual([2, 0, 1, 2, 1, 0]);
      const wb = (s: string) => sample(text, 'sp4n_write_backs', { state: s });
      expect([wb('pending'), wb('sending'), wb('retry_wait'), wb('sent'), wb('failed')]).toEqual([0, 0, 1, 1, 0]);
    } finally {
      ledger.close();
    }
  });

  it('without a ledger (starting, reloading) the SLA gauges are empty, not an error', async () => {
    const metrics = new BridgeMetrics({ ledger: () => undefined, breaker: () => undefined, destination: () => 'lapor' });
    const text = await metrics.registry.metrics();
    expect(text).toContain('# TYPE sp4n_sla_complaints gauge');
    expect(text.split('\n').filter((l) => l.startsWith('sp4n_sla_complaints{'))).toEqual([]);
  });
});

describe('dashboard: SLA overdue list', () => {
  it('needs the token', async () => {
    const r = await fetch(`${base}/sla`, { redirect: 'manual' });
    expect(r.status).toBe(401);
    expect(await r.text()).not.toContain('bebeja/1');
  });

  it('lists the overdue and at-risk complaints grouped by agency, each linked to its timeline', async () => {
    const { status, body } = await page('/sla');
    expect(status).toBe(200);
    expect(body).toContain('SLA terlambat');
    expect(body).toMatch(/id="sla-overdue">3</);
    expect(body).toMatch(/id="sla-at-risk">1</);
    const sections = [...body.matchAll(/<section class="agency" id="agency-\d+">\s*<h2>([^<]*)[\s\S]*?<\/section>/g)].map((m) => [
      m[1]?.trim(),
      [...(m[0] as string).matchAll(/<a href="\/dashboard\/records\/([^"]+)">/g)].map((a) => decodeURIComponent(a[1] as string)),
    ]);
    expect(sections).toEqual([
      [DINKES, ['sambat/12', 'sambat/10']],
      [PUPR, ['bebeja/2']],
      ['(belum didisposisi)', ['bebeja/1']],
    ]);
    expect(body).toContain('batas terluar terlewati');
    expect(body).toContain('2025-04-10 23:59:59 WIB');
    expect(body).not.toContain('bebeja/3');
    expect(body).not.toContain('Siti');
  });

  it('in English, filtered by source and month', async () => {
    const { body } = await page('/sla?lang=en&source=bebeja&period=2025-03');
    expect(body).toContain('SLA overdue: complaints past or near their deadline');
    expect(body).toContain('(not disposed yet)');
    const refs = [...body.matchAll(/<a href="\/dashboard\/records\/([^"]+)">/g)].map((a) => decodeURIComponent(a[1] as string));
    expect(refs).toEqual(['bebeja/2', 'bebeja/1']);
    expect((await page('/sla?period=maret')).status).toBe(400);
  });

  it('the overview has the SLA tiles, the agencies with breaches and a warning', async () => {
    const { body } = await page('/');
    expect(body).toMatch(/<a class="tile sla-overdue bad" href="\/dashboard\/sla"><span class="num">3<\/span>/);
    expect(body).toMatch(/<a class="tile sla-at-risk warn" href="\/dashboard\/sla"><span class="num">1<\/span>/);
    expect(body).toContain('3 pengaduan di LAPOR! terlambat menurut SLA');
    expect(body).not.toContain('Segera hadir');
  });
});

describe('dashboard: timeline', () => {
  it('shows the LAPOR! status, follow-ups with their time at LAPOR!, and write-backs', async () => {
    const { status, body } = await page(`/records/${encodeURIComponent('sambat/10')}`);
    expect(status).toBe(200);
    expect(body).toContain('Status dan tindak lanjut dari LAPOR!');
    expect(body).toContain('<dd class="lapor-status">Dalam Proses</dd>');
    const statuses = body.slice(body.indexOf('<table class="statuses">'), body.indexOf('</table>', body.indexOf('<table class="statuses">')));
    expect(statuses).toContain('2025-03-21 10:00:00 WIB'); // occurred_at, as LAPOR! gave it
    expect(statuses).toContain('tindak lanjut');
    expect(statuses).toContain('pengasapan dijadwalkan &lt;Senin&gt;.'); // agency text, escaped
    const writeBacks = body.slice(body.indexOf('<table class="write-backs">'), body.indexOf('</table>', body.indexOf('<table class="write-backs">')));
    expect(writeBacks).toContain('menunggu coba ulang');
    expect(writeBacks).toContain('[sambat] HTTP 503');
  });

  it('a sent write-back shows when it was sent; a timeline found by LAPOR! id', async () => {
    const search = await fetch(`${base}/search?q=${fx.laporIds['bebeja/2']}`, { headers: { authorization: `Bearer ${TOKEN}` }, redirect: 'manual' });
    expect(search.status).toBe(303);
    const { body } = await page(new URL(search.headers.get('location') as string, base).pathname.replace('/dashboard', ''));
    const writeBacks = body.slice(body.indexOf('<table class="write-backs">'));
    expect(writeBacks).toContain('terkirim');
    expect(writeBacks).toContain('2025-03-21 10:00:02 WIB');
    expect(body).toContain('Terverifikasi');
    expect(body).toContain(PUPR);
  });

  it('a delivered complaint not yet checked says so', async () => {
    const { body } = await page(`/records/${encodeURIComponent('sambat/11')}?lang=en`);
    expect(body).toContain('Not checked at LAPOR! yet');
    expect(body).toContain('No status or follow-up from LAPOR! yet.');
  });

  it('offers the statuses and write-backs as CSV', async () => {
    const r = await fetch(`${base}/export.csv?table=statuses`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(r.status).toBe(200);
    const bytes = Buffer.from(await r.arrayBuffer());
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]); // UTF-8 BOM
    expect(bytes.subarray(3).toString('utf8').split('\n')[0]).toBe('id,ref,lapor_id,kind,observed_at,occurred_at,status_name,status_code,stage,disposition_id,disposition_name,followup_id,institution_name,own,content');
    expect((await page('/')).body).toContain('table=write_backs');
  });
});

describe('daemon HTTP server', () => {
  it('hands the configured SLA rules to the dashboard and /metrics', async () => {
    const ledger = SqliteLedger.open(fx.ledgerPath);
    const setup = { ...(await defaultSlaSetup()), rules: slaRulesSchema.parse({ verification_days: 5 }) };
    const http = new BridgeHttpServer({
      host: '127.0.0.1',
      port: 0,
      metrics: new BridgeMetrics({ ledger: () => ledger, breaker: () => undefined, destination: () => 'lapor', now: () => new Date(AS_OF) }, () => setup),
      readiness: { ledger: () => ledger, destination: () => 'lapor', sources: () => [], lastResult: () => undefined },
      dashboard: { ledgerPath: () => fx.ledgerPath, token: () => TOKEN, now: () => new Date(AS_OF) },
    });
    try {
      const addr = await http.start();
      const url = `http://127.0.0.1:${addr.port}`;
      // with 5 working days to verify, bebeja/1 (27 March) is at risk, not overdue
      const sla = await page('/dashboard/sla', url);
      expect(sla.body).toMatch(/id="sla-overdue">2</);
      expect(sla.body).toMatch(/id="sla-at-risk">2</);
      const metrics = await (await fetch(`${url}/metrics`)).text();
      expect(sample(metrics, 'sp4n_sla_complaints', { source: 'bebeja', agency: '(belum didisposisi)', state: 'at_risk' })).toBe(1);
      expect(sample(metrics, 'sp4n_sla_complaints', { source: 'bebeja', agency: '(belum didisposisi)', state: 'overdue' })).toBe(0);
    } finally {
      await http.stop();
      ledger.close();
    }
  });
});
