/** Behaviour of the Bebeja and LAPOR! simulators over real HTTP on 127.0.0.1. */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { BebejaSimulator, DEMO_SEED_EXPECTATIONS, type BebejaRecord } from '../../src/simulators/bebeja-simulator.js';
import { LaporSimulator } from '../../src/simulators/lapor-simulator.js';

const KEY = { 'X-API-Key': 'bebeja-demo-key' };
const FIXED_NOW = new Date('2025-01-15T10:00:00+07:00');

interface ListReply {
  data: BebejaRecord[];
  meta: { current_page: number; last_page: number; total: number; per_page: number };
}

async function getJson<T = unknown>(url: string, headers: Record<string, string> = {}): Promise<{ status: number; body: T }> {
  const res = await fetch(url, { headers });
  return { status: res.status, body: (await res.json()) as T };
}

function listUrl(sim: BebejaSimulator, params: Record<string, string | number>): string {
  const u = new URL('/api/v1/aduan', sim.url);
  for (const [k, v] of Object.entries(params)) u.searchParams.set(k, String(v));
  return u.toString();
}

function isSorted(rows: BebejaRecord[]): boolean {
  return rows.every((r, i) => {
    const prev = rows[i - 1];
    if (!prev) return true;
    const a = Date.parse(prev.updated_at);
    const b = Date.parse(r.updated_at);
    return a < b || (a === b && prev.id < r.id);
  });
}

describe('BebejaSimulator (demo seed)', () => {
  let now = FIXED_NOW;
  const sim = new BebejaSimulator({ now: () => now });

  beforeAll(async () => {
    await sim.start();
  });
  afterAll(async () => {
    await sim.stop();
  });

  it('refuses a missing or wrong API key with 401 JSON', async () => {
    const none = await getJson<{ message: string }>(listUrl(sim, {}));
    expect(none.status).toBe(401);
    expect(typeof none.body.message).toBe('string');
    const wrong = await getJson(listUrl(sim, {}), { 'X-API-Key': 'nope' });
    expect(wrong.status).toBe(401);
  });

  it('matches its published expectations', () => {
    const rows = sim.records();
    expect(rows).toHaveLength(DEMO_SEED_EXPECTATIONS.total);
    for (const id of DEMO_SEED_EXPECTATIONS.quarantined) {
      const r = rows.find((x) => x.id === id);
      expect(r?.judul).toBe('');
      expect(r?.isi).toBe('');
    }
    const tied = rows.filter((r) => DEMO_SEED_EXPECTATIONS.tiedUpdatedAt.includes(r.id));
    expect(tied.length).toBeGreaterThanOrEqual(3);
    expect(new Set(tied.map((r) => r.updated_at)).size).toBe(1);
    expect(rows.some((r) => r.id === 3) && rows.some((r) => r.id === 30)).toBe(true);
  });

  it('pages through every record ordered by (updated_at, id)', async () => {
    const first = await getJson<ListReply>(listUrl(sim, { page: 1, per_page: 5 }), KEY);
    expect(first.status).toBe(200);
    expect(first.body.meta).toEqual({ current_page: 1, last_page: Math.ceil(DEMO_SEED_EXPECTATIONS.total / 5), total: DEMO_SEED_EXPECTATIONS.total, per_page: 5 });
    const all: BebejaRecord[] = [...first.body.data];
    for (let page = 2; page <= first.body.meta.last_page; page++) {
      all.push(...(await getJson<ListReply>(listUrl(sim, { page, per_page: 5 }), KEY)).body.data);
    }
    expect(all.map((r) => r.id)).toEqual(sim.records().map((r) => r.id));
    expect(isSorted(all)).toBe(true);
    const r1 = all.find((r) => r.id === 1) as BebejaRecord;
    expect(r1.nomor_tiket).toBe('BBJ-2024-000001');
    expect(r1.updated_at).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+07:00$/);
    expect(r1.tanggal).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
    expect(r1.anonim).toBe('0');
    expect(typeof r1.rahasia).toBe('boolean');
    const beyond = await getJson<ListReply>(listUrl(sim, { page: 99, per_page: 5 }), KEY);
    expect(beyond.body.data).toEqual([]);
  });

  it('reads updated_since inclusively, with WIB as the default offset', async () => {
    const tie = sim.records().find((r) => r.id === DEMO_SEED_EXPECTATIONS.tiedUpdatedAt[0]) as BebejaRecord;
    const withOffset = await getJson<ListReply>(listUrl(sim, { updated_since: tie.updated_at, per_page: 100 }), KEY);
    expect(withOffset.body.data.slice(0, DEMO_SEED_EXPECTATIONS.tiedUpdatedAt.length).map((r) => r.id)).toEqual([...DEMO_SEED_EXPECTATIONS.tiedUpdatedAt].sort((a, b) => a - b));
    expect(withOffset.body.data.every((r) => Date.parse(r.updated_at) >= Date.parse(tie.updated_at))).toBe(true);
    const local = await getJson<ListReply>(listUrl(sim, { updated_since: tie.updated_at.slice(0, 19), per_page: 100 }), KEY);
    expect(local.body.meta.total).toBe(withOffset.body.meta.total);
    const utc = await getJson<ListReply>(listUrl(sim, { updated_since: new Date(Date.parse(tie.updated_at)).toISOString(), per_page: 100 }), KEY);
    expect(utc.body.meta.total).toBe(withOffset.body.meta.total);
    const oneSecondLater = new Date(Date.parse(tie.updated_at) + 1000).toISOString();
    const after = await getJson<ListReply>(listUrl(sim, { updated_since: oneSecondLater, per_page: 100 }), KEY);
    expect(after.body.meta.total).toBe(withOffset.body.meta.total - DEMO_SEED_EXPECTATIONS.tiedUpdatedAt.length);
    const bad = await getJson(listUrl(sim, { updated_since: 'kemarin sore' }), KEY);
    expect(bad.status).toBe(400);
  });

  it('caps per_page at 100', async () => {
    const res = await getJson<ListReply>(listUrl(sim, { per_page: 500 }), KEY);
    expect(res.status).toBe(200);
    expect(res.body.meta.per_page).toBe(100);
    expect(res.body.data).toHaveLength(DEMO_SEED_EXPECTATIONS.total);
    expect((await getJson(listUrl(sim, { per_page: 0 }), KEY)).status).toBe(400);
    expect((await getJson(listUrl(sim, { page: 'x' }), KEY)).status).toBe(400);
  });

  it('moves an edited record after the previous newest one', async () => {
    const before = sim.records();
    const newest = before[before.length - 1] as BebejaRecord;
    const edited = sim.edit(5, { isi: 'Isi yang sudah diperbarui oleh petugas.', pelapor: { email: 'baru@example.org' } });
    expect(Date.parse(edited.updated_at)).toBeGreaterThan(Date.parse(newest.updated_at));
    expect(edited.pelapor.nama).toBe('Rizky Maulana');
    expect(edited.pelapor.email).toBe('baru@example.org');
    const res = await getJson<ListReply>(listUrl(sim, { updated_since: newest.updated_at }), KEY);
    expect(res.body.data.map((r) => r.id)).toEqual([newest.id, 5]);
    expect(sim.records().at(-1)?.id).toBe(5);
  });

  it('applies a write-back: status changes, updated_at moves to now', async () => {
    const url = new URL('/api/v1/aduan/7/tindak-lanjut', sim.url);
    const send = (body: unknown, headers: Record<string, string> = KEY) =>
      fetch(url, { method: 'POST', headers: { ...headers, 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
    expect((await send({ status: 'Diproses' }, {})).status).toBe(401);
    expect((await send({ keterangan: 'tanpa status' })).status).toBe(422);
    const missing = await fetch(new URL('/api/v1/aduan/9999/tindak-lanjut', sim.url), { method: 'POST', headers: { ...KEY, 'Content-Type': 'application/json' }, body: JSON.stringify({ status: 'Selesai' }) });
    expect(missing.status).toBe(404);

    now = new Date('2025-02-01T08:00:00+07:00');
    const ok = await send({ status: 'Selesai', keterangan: 'Ditangani Dinas Sosial', tracking_id: '1000001' });
    expect(ok.status).toBe(200);
    const record = sim.get(7) as BebejaRecord;
    expect(record.status).toBe('Selesai');
    expect(record.updated_at).toBe('2025-02-01T08:00:00+07:00');
    expect(sim.writeBacks()).toEqual([{ id: 7, status: 'Selesai', keterangan: 'Ditangani Dinas Sosial', tracking_id: '1000001', received_at: '2025-02-01T08:00:00+07:00' }]);
    const echo = await getJson<ListReply>(listUrl(sim, { updated_since: '2025-02-01T08:00:00' }), KEY);
    expect(echo.body.data.map((r) => r.id)).toEqual([7]);
  });

  it('serves attachments publicly and answers 404 for a missing one', async () => {
    const r14 = sim.get(14) as BebejaRecord;
    expect(r14.lampiran).toHaveLength(2);
    expect(r14.lampiran[0]?.startsWith(`${sim.url}/files/`)).toBe(true);
    const jpg = await fetch(r14.lampiran[0] as string);
    expect(jpg.status).toBe(200);
    expect(jpg.headers.get('content-type')).toBe('image/jpeg');
    const jpgBytes = new Uint8Array(await jpg.arrayBuffer());
    expect([...jpgBytes.slice(0, 3)]).toEqual([0xff, 0xd8, 0xff]);
    expect((await fetch(r14.lampiran[1] as string)).status).toBe(404);

    const png = await fetch((sim.get(6) as BebejaRecord).lampiran[0] as string);
    expect(png.headers.get('content-type')).toBe('image/png');
    expect([...new Uint8Array(await png.arrayBuffer()).slice(0, 4)]).toEqual([0x89, 0x50, 0x4e, 0x47]);
    const pdf = await fetch((sim.get(10) as BebejaRecord).lampiran[0] as string);
    expect(pdf.headers.get('content-type')).toBe('application/pdf');
    expect((await pdf.text()).startsWith('%PDF-1.4')).toBe(true);
    expect((await fetch(`${sim.url}/files/tidak-ada.png`)).status).toBe(404);
  });

  it('lets a fault hook override list responses and counts list requests', async () => {
    const before = sim.requestCount;
    sim.setFault(({ requestNumber }) => (requestNumber === before + 1 ? { status: 503, body: { message: 'maintenance' }, headers: { 'Retry-After': '1' } } : undefined));
    const faulted = await fetch(listUrl(sim, {}), { headers: KEY });
    expect(faulted.status).toBe(503);
    expect(faulted.headers.get('retry-after')).toBe('1');
    expect((await fetch(listUrl(sim, {}), { headers: KEY })).status).toBe(200);
    sim.setFault(undefined);
    expect(sim.requestCount).toBe(before + 2);
  });

  it('adds records that sort after everything else', async () => {
    const id = sim.add({ judul: 'Aduan baru', isi: 'Isi aduan baru.', lampiran: ['foto-baru.png'] });
    const r = sim.get(id) as BebejaRecord;
    expect(r.nomor_tiket).toMatch(/^BBJ-\d{4}-\d{6}$/);
    expect(sim.records().at(-1)?.id).toBe(id);
    expect((await fetch(r.lampiran[0] as string)).status).toBe(200);
  });
});

describe('BebejaSimulator (numeric seed)', () => {
  const sim = new BebejaSimulator({ seed: 2000, apiKey: 'k' });

  beforeAll(async () => {
    await sim.start();
  });
  afterAll(async () => {
    await sim.stop();
  });

  it('generates the same valid records every time', () => {
    const rows = sim.records();
    expect(rows).toHaveLength(2000);
    expect(isSorted(rows)).toBe(true);
    expect(new BebejaSimulator({ seed: 2000 }).records().slice(0, 50)).toEqual(new BebejaSimulator({ seed: 2000 }).records().slice(0, 50));
    const invalid = rows.filter((r) => !/^\d{16}$/.test(r.pelapor.nik ?? '') || !r.judul || !r.isi || !r.tanggal.startsWith('2024-'));
    expect(invalid).toEqual([]);
    expect(rows.some((r, i) => i > 0 && r.updated_at === rows[i - 1]?.updated_at)).toBe(true);
  });

  it('filters by updated_since with the same answer as a scan', async () => {
    const rows = sim.records();
    const pivot = rows[1234] as BebejaRecord;
    const expected = rows.filter((r) => Date.parse(r.updated_at) >= Date.parse(pivot.updated_at));
    const res = await getJson<ListReply>(listUrl(sim, { updated_since: pivot.updated_at, per_page: 100, page: 2 }), { 'X-API-Key': 'k' });
    expect(res.body.meta.total).toBe(expected.length);
    expect(res.body.data.map((r) => r.id)).toEqual(expected.slice(100, 200).map((r) => r.id));
  });

  it('serves generated attachments', async () => {
    const withFile = sim.records().find((r) => r.lampiran.length > 0) as BebejaRecord;
    expect((await fetch(withFile.lampiran[0] as string)).status).toBe(200);
  });
});

const AUTH = { Authorization: 'Bearer lapor-demo-token', token: 'lapor-demo-app-token' };

function validBody(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    title: 'Jalan rusak di Labuan',
    content: 'Jalan berlubang.\n\nRef: bebeja/1',
    channel: 2,
    classification_id: 1,
    disposition_id: 3601010,
    date_of_incident: '2024-01-08',
    tags_raw: '#bebeja #infrastruktur',
    is_anonymous: false,
    is_secret: false,
    attachments: [],
    ...extra,
  };
}

describe('LaporSimulator', () => {
  const sim = new LaporSimulator({ now: () => FIXED_NOW });

  beforeAll(async () => {
    await sim.start();
  });
  afterAll(async () => {
    await sim.stop();
  });

  const create = (body: unknown, headers: Record<string, string> = {}) =>
    fetch(`${sim.url}/complaints/complaint`, { method: 'POST', headers: { ...AUTH, 'Content-Type': 'application/json', ...headers }, body: JSON.stringify(body) });

  it('requires both the bearer token and the app token', async () => {
    const cases: Record<string, string>[] = [{}, { Authorization: AUTH.Authorization }, { token: AUTH.token }, { ...AUTH, token: 'wrong' }, { ...AUTH, Authorization: 'Bearer wrong' }];
    for (const headers of cases) {
      const res = await fetch(`${sim.url}/masters/institutions/external?page_size=1000`, { headers });
      expect(res.status).toBe(401);
      expect(await res.json()).toEqual({ message: 'Unauthenticated.' });
    }
    const ok = await getJson<{ results: { data: { id: number; name: string }[] } }>(`${sim.url}/masters/institutions/external?page_size=1000`, AUTH);
    expect(ok.status).toBe(200);
    expect(ok.body.results.data.length).toBeGreaterThanOrEqual(10);
  });

  it('rejects reporter fields and invalid bodies with Laravel-style 422', async () => {
    const reporter = await create(validBody({ nik: '3601121203870002' }));
    expect(reporter.status).toBe(422);
    expect(((await reporter.json()) as { message: string }).message).toBe('reporter fields are not accepted');

    const invalid = await create(validBody({ title: '', channel: 'web', date_of_incident: '08-01-2024' }));
    expect(invalid.status).toBe(422);
    const body = (await invalid.json()) as { message: string; errors: Record<string, string[]> };
    expect(Object.keys(body.errors).sort()).toEqual(['channel', 'date_of_incident', 'title']);
    expect(body.message).toContain('(and 2 more errors)');

    expect((await create(validBody({ title: 'x'.repeat(151) }))).status).toBe(422);
    expect((await create(validBody({ title: '😀'.repeat(150) }))).status).toBe(201); // code points, not UTF-16 units
    expect((await create(validBody({ attachments: [424242] }))).status).toBe(422);
  });

  it('creates a complaint and reports its status', async () => {
    const res = await create(validBody());
    expect(res.status).toBe(201);
    const { complaint_id } = (await res.json()) as { complaint_id: string };
    expect(complaint_id).toMatch(/^\d+$/);
    const status = await getJson<{ results: { data: Record<string, unknown>; data_logs: unknown[] } }>(`${sim.url}/complaints/${complaint_id}/complaint`, AUTH);
    expect(status.body.results.data).toMatchObject({ id: complaint_id, status_name: 'Belum Terverifikasi', disposition_id: 3601010, title: 'Jalan rusak di Labuan' });
    sim.setStatus(complaint_id, 'Dalam Proses', { id: 3601011 });
    const moved = await getJson<{ results: { data: Record<string, unknown> } }>(`${sim.url}/complaints/${complaint_id}/complaint`, AUTH);
    expect(moved.body.results.data).toMatchObject({ status_name: 'Dalam Proses', disposition_name: 'Dinas Kesehatan Kabupaten Pandeglang' });
    expect((await fetch(`${sim.url}/complaints/999/complaint`, { headers: AUTH })).status).toBe(404);
  });

  it('answers a repeated Idempotency-Key with the same id and stores once', async () => {
    const before = sim.complaints().length;
    const a = await create(validBody({ content: 'Satu kali saja.\n\nRef: bebeja/2' }), { 'Idempotency-Key': 'bebeja:2:v1' });
    const b = await create(validBody({ content: 'Satu kali saja.\n\nRef: bebeja/2' }), { 'Idempotency-Key': 'bebeja:2:v1' });
    expect(a.status).toBe(201);
    expect(b.status).toBe(200);
    expect(((await a.json()) as { complaint_id: string }).complaint_id).toBe(((await b.json()) as { complaint_id: string }).complaint_id);
    const stored = sim.complaints();
    expect(stored).toHaveLength(before + 1);
    expect(stored.at(-1)?.idempotencyKey).toBe('bebeja:2:v1');
    expect(stored.at(-1)?.headers['idempotency-key']).toBe('bebeja:2:v1');
  });

  it('accepts uploads and then a create that uses their ids', async () => {
    const form = new FormData();
    form.append('attachments[]', new Blob([new Uint8Array([0xff, 0xd8, 0xff, 0xd9])], { type: 'image/jpeg' }), 'foto.jpg');
    form.append('attachments[]', new Blob(['%PDF-1.4\n%%EOF\n'], { type: 'application/pdf' }), 'surat.pdf');
    const up = await fetch(`${sim.url}/complaints/complaint/file`, { method: 'POST', headers: AUTH, body: form });
    expect(up.status).toBe(200);
    const docs = ((await up.json()) as { results: { docs: { id: number; filename: string; size: number; mime: string }[] } }).results.docs;
    expect(docs.map((d) => [d.filename, d.size, d.mime])).toEqual([
      ['foto.jpg', 4, 'image/jpeg'],
      ['surat.pdf', 15, 'application/pdf'],
    ]);
    expect(sim.uploads().find((u) => u.id === docs[0]?.id)?.sha256).toMatch(/^[0-9a-f]{64}$/);
    const res = await create(validBody({ attachments: docs.map((d) => String(d.id)) }));
    expect(res.status).toBe(201);
    const unauth = await fetch(`${sim.url}/complaints/complaint/file`, { method: 'POST', body: new FormData() });
    expect(unauth.status).toBe(401);
  });

  it('finds complaints whose content contains the text', async () => {
    await create(validBody({ content: 'Posyandu.\n\nRef: bebeja/30' }));
    await create(validBody({ content: 'Antrean.\n\nRef: bebeja/3' }));
    const found = await getJson<{ results: { data: { id: string; content: string }[] } }>(`${sim.url}/complaints/search?q=${encodeURIComponent('Ref: bebeja/3')}`, AUTH);
    const refs = found.body.results.data.map((c) => c.content.split('\n').at(-1));
    expect(refs).toEqual(expect.arrayContaining(['Ref: bebeja/3', 'Ref: bebeja/30']));
    expect(found.body.results.data.every((c) => c.content.includes('Ref: bebeja/3'))).toBe(true);
  });

  it('pages follow-ups like a Laravel paginator', async () => {
    const id = ((await (await create(validBody())).json()) as { complaint_id: string }).complaint_id;
    for (let i = 0; i < 12; i++) sim.addFollowup(id, { content: `Tindak lanjut ${i + 1}`, created_at: new Date(Date.UTC(2025, 0, 2, 3, i)) });
    type Page = { results: { data: { content: string; created_at: string }[]; next_page_url: string | null } };
    const p1 = await getJson<Page>(`${sim.url}/complaints/${id}/followups?page=1`, AUTH);
    expect(p1.body.results.data).toHaveLength(10);
    expect(p1.body.results.data[0]?.created_at).toBe('02-01-2025 10:00:00');
    expect(p1.body.results.next_page_url).toBe(`${sim.url}/complaints/${id}/followups?page=2`);
    const p2 = await getJson<Page>(p1.body.results.next_page_url as string, AUTH);
    expect(p2.body.results.data.map((f) => f.content)).toEqual(['Tindak lanjut 11', 'Tindak lanjut 12']);
    expect(p2.body.results.next_page_url).toBeNull();
  });

  it('stores then fails with 500 on a storeThenFail fault; the key then replays the id', async () => {
    const before = sim.complaints().length;
    sim.setFaults([{ match: 'create', storeThenFail: true }]);
    const failed = await create(validBody({ content: 'Gagal setelah simpan.\n\nRef: bebeja/8' }), { 'Idempotency-Key': 'bebeja:8:v1' });
    expect(failed.status).toBe(500);
    expect(sim.complaints()).toHaveLength(before + 1);
    const again = await create(validBody({ content: 'Gagal setelah simpan.\n\nRef: bebeja/8' }), { 'Idempotency-Key': 'bebeja:8:v1' });
    expect(again.status).toBe(200);
    expect(((await again.json()) as { complaint_id: string }).complaint_id).toBe(sim.complaints().at(-1)?.id);
    expect(sim.complaints()).toHaveLength(before + 1);
  });

  it('fails without storing, honours times and headers, and drops connections', async () => {
    const before = sim.complaints().length;
    sim.setFaults([{ match: 'create', status: 503, headers: { 'Retry-After': '2' }, times: 2 }]);
    const r1 = await create(validBody());
    expect(r1.status).toBe(503);
    expect(r1.headers.get('retry-after')).toBe('2');
    expect((await create(validBody())).status).toBe(503);
    expect(sim.complaints()).toHaveLength(before);
    expect((await create(validBody())).status).toBe(201);

    sim.setFaults([{ match: 'upload', status: 500 }, { match: 'create', dropConnection: true, storeThenFail: true }]);
    await expect(create(validBody())).rejects.toThrow();
    expect(sim.complaints()).toHaveLength(before + 2);
    expect(sim.pendingFaults()).toEqual([{ match: 'upload', status: 500, times: 1 }]);
    expect(sim.requests().some((r) => r.status === 0 && r.path.endsWith('/complaints/complaint'))).toBe(true);

    sim.setFaults([{ status: 502 }, { match: 'any', dropConnection: true }]);
    expect((await fetch(`${sim.url}/masters/institutions/external`, { headers: AUTH })).status).toBe(502);
    await expect(fetch(`${sim.url}/complaints/1000001/complaint`, { headers: AUTH })).rejects.toThrow();
    expect((await fetch(`${sim.url}/masters/institutions/external`, { headers: AUTH })).status).toBe(200);
  });

  it('logs requests and exposes stored complaints under /_sim', async () => {
    const log = sim.requests();
    expect(log.some((r) => r.method === 'POST' && r.status === 201 && r.path === '/lapor/3.0.0/complaints/complaint')).toBe(true);
    const view = await getJson<{ data: { id: string }[] }>(`${sim.origin}/_sim/complaints`);
    expect(view.body.data.map((c) => c.id)).toEqual(sim.complaints().map((c) => c.id));
  });

  it('forgets everything on reset', async () => {
    sim.reset();
    expect(sim.complaints()).toEqual([]);
    const res = await create(validBody());
    expect(((await res.json()) as { complaint_id: string }).complaint_id).toBe('1000001');
  });
});

describe('LaporSimulator variants', () => {
  const sim = new LaporSimulator({ nestId: true, bearerHeader: 'auth', appTokenHeader: 'X-App-Token', basePath: '/api/v3/', maxFileBytes: 1024 });

  beforeAll(async () => {
    await sim.start();
  });
  afterAll(async () => {
    await sim.stop();
  });

  const headers = { auth: 'Bearer lapor-demo-token', 'X-App-Token': 'lapor-demo-app-token' };

  it('nests the id and uses the configured header names and base path', async () => {
    expect(sim.url).toBe(`${sim.origin}/api/v3`);
    const res = await fetch(`${sim.url}/complaints/complaint`, { method: 'POST', headers: { ...headers, 'Content-Type': 'application/json' }, body: JSON.stringify(validBody()) });
    expect(res.status).toBe(201);
    expect(await res.json()).toEqual({ data: { complaint_id: '1000001' } });
    expect((await fetch(`${sim.url}/masters/institutions/external`, { headers: AUTH })).status).toBe(401);
  });

  it('answers 413 for a file over the limit and stores nothing', async () => {
    const form = new FormData();
    form.append('attachments[]', new Blob([new Uint8Array(4096)], { type: 'image/png' }), 'besar.png');
    const res = await fetch(`${sim.url}/complaints/complaint/file`, { method: 'POST', headers, body: form });
    expect(res.status).toBe(413);
    expect(sim.uploads()).toEqual([]);
  });
});
