/**
 * The lapor-legacy-xml sink against nock: the request body (a real XML document with the token
 * attribute, <pelapor> only when not anonymous), and one test per error class of DESIGN §4.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import nock from 'nock';
import type { AttemptInput, Warning } from '../../src/ledger/ledger.js';
import type { StoredComplaint } from '../../src/ledger/sqlite-ledger.js';
import { laporLegacyXmlConfigSchema } from '../../src/sinks/lapor-legacy-xml/lapor-legacy-xml-config.js';
import { LaporLegacyXmlSink } from '../../src/sinks/lapor-legacy-xml/lapor-legacy-xml-sink.js';
import { parseXml } from '../../src/sinks/lapor-legacy-xml/legacy-xml.js';

const BASE = 'http://lapor-legacy.test';
const PATH = '/api/stream/addstream';
const TOKEN = 'legacy-secret-7c1e9a';
// nock 15.0.0 on Node 20: replyWithError needs Error instances (plain objects hang)
const netError = (code: string, message: string) => Object.assign(new Error(message), { code });
const xml = (inner: string) => `<?xml version="1.0" encoding="UTF-8"?><response>${inner}</response>`;
const OK_REPLY = xml('<status>sukses</status><trackingid>L-777</trackingid><transaksiid>TRX-42</transaksiid>');

function makeSink(overrides: Record<string, unknown> = {}, options = {}): LaporLegacyXmlSink {
  process.env.TEST_LAPOR_LEGACY_TOKEN = TOKEN;
  const config = laporLegacyXmlConfigSchema.parse({ dialect: 'lapor-legacy-xml', base_url: BASE, token: '${TEST_LAPOR_LEGACY_TOKEN}', timeout: '300ms', ...overrides });
  const sink = new LaporLegacyXmlSink(config, { inCallRetries: 2, maxInCallWaitMs: 50, ...options });
  sinks.push(sink);
  return sink;
}
const sinks: LaporLegacyXmlSink[] = [];

function complaint(over: Partial<StoredComplaint> = {}): StoredComplaint {
  return {
    source: { system: 'bebeja', external_id: '3', received_at: '2024-03-01T08:30:00+07:00', ticket: 'BBJ-3' },
    channel: 'app',
    classification: 'pengaduan',
    title: 'Jalan rusak di Labuan',
    content: 'Jalan desa berlubang besar.',
    category: { source_code: 'Jalan dan Jembatan', lapor_category_id: 10 },
    location: { region_code: '36.01.12' },
    incident_date: '2024-03-01',
    attachments: [],
    is_anonymous: false,
    is_secret: false,
    reporter: { name: 'Siti Nur Aisyah', phone: '+6281234567890', email: 'siti@example.id', nik_hash: 'hmac-sha256:abc123' },
    ...over,
  };
}

function ctx() {
  const attempts: AttemptInput[] = [];
  const warnings: Warning[] = [];
  return { attempts, warnings, idempotencyKey: 'key-1', onAttempt: (a: AttemptInput) => attempts.push(a), onWarning: (w: Warning) => warnings.push(w) };
}

/** Intercepts one create, keeping the raw body. */
function captureCreate(status: number, reply: string, headers: Record<string, string> = {}): { body: () => string; scope: nock.Scope } {
  let captured = '';
  const scope = nock(BASE)
    .post(PATH, (b: unknown) => {
      captured = typeof b === 'string' ? b : JSON.stringify(b);
      return true;
    })
    .reply(status, reply, { 'Content-Type': 'text/xml; charset=utf-8', ...headers });
  return { body: () => captured, scope };
}

/** Nothing the sink hands to the ledger may carry the token. */
function expectNoToken(c: ReturnType<typeof ctx>, outcome: unknown): void {
  expect(JSON.stringify(c.attempts)).not.toContain(TOKEN);
  expect(JSON.stringify(outcome)).not.toContain(TOKEN);
}

beforeAll(() => {
  if (!nock.isActive()) nock.activate();
  nock.disableNetConnect();
});
afterEach(async () => {
  nock.cleanAll();
  for (const s of sinks.splice(0)) await s.close();
});
afterAll(() => {
  nock.enableNetConnect();
  // un-patch node:http: jest reuses the worker, and the next test file talks to real servers
  nock.restore();
});

describe('lapor-legacy-xml sink: request', () => {
  it('posts a well-formed XML document: token attribute, flags, <isi> with title, content and the Ref line', async () => {
    const { body, scope } = captureCreate(200, OK_REPLY);
    const c = ctx();
    const out = await makeSink().deliver(complaint({ is_secret: true }), c);
    expect(scope.isDone()).toBe(true);
    expect(out).toEqual({ kind: 'delivered', laporId: 'L-777', transactionId: 'TRX-42' });
    const parsed = parseXml(body());
    if (!parsed.ok) throw new Error(parsed.error);
    expect(parsed.doc.lapor).toEqual({
      '@_token': TOKEN,
      pelapor: { email: 'siti@example.id', telpon: '081234567890', namadepan: 'Siti', namabelakang: 'Nur Aisyah' },
      laporan: { '@_rahasia': '1', '@_anonim': '0', isi: 'Jalan rusak di Labuan\n\nJalan desa berlubang besar.\n\nRef: bebeja/3' },
    });
    expect(body()).not.toMatch(/abc123|nik/i); // the NIK (even its hash) is never sent
    expect(c.attempts).toHaveLength(1);
    expect(c.attempts[0]).toMatchObject({ operation: 'create', httpStatus: 200, outcome: 'delivered', idempotencyKey: 'key-1' });
    expect(c.attempts[0]?.reply).toContain('<transaksiid>TRX-42</transaksiid>'); // kept in the attempt reply
    expectNoToken(c, out);
  });

  it('sends the configured Content-Type to the configured path', async () => {
    const scope = nock(BASE, { reqheaders: { 'content-type': 'application/xml' } })
      .post('/legacy/addstream')
      .reply(200, OK_REPLY);
    const out = await makeSink({ paths: { create: '/legacy/addstream' }, content_type: 'application/xml' }).deliver(complaint(), ctx());
    expect(out.kind).toBe('delivered');
    expect(scope.isDone()).toBe(true);
  });

  it('an anonymous complaint is sent without <pelapor>', async () => {
    const { body } = captureCreate(200, OK_REPLY);
    const out = await makeSink().deliver(complaint({ is_anonymous: true }), ctx());
    expect(out.kind).toBe('delivered');
    expect(body()).not.toContain('<pelapor');
    expect(body()).not.toMatch(/Siti|6281234567890|siti@example/);
    expect(body()).toContain('anonim="1"');
  });

  it('a complaint that is not anonymous sends <pelapor> even when the source had no reporter data', async () => {
    const { body } = captureCreate(200, OK_REPLY);
    await makeSink().deliver(complaint({ reporter: undefined }), ctx());
    expect(body()).toContain('<pelapor><email></email><telpon></telpon><namadepan></namadepan><namabelakang></namabelakang></pelapor>');
  });

  it('escapes markup, entities, quotes and keeps emoji: the text parses back exactly', async () => {
    const { body } = captureCreate(200, OK_REPLY);
    const content = `Tolong </isi><script>alert("x")</script> &amp; 'kutip' a<b & c>d 😀🇮🇩 — jalan rusak`;
    await makeSink().deliver(complaint({ title: 'Judul "uji" <b>', content, is_anonymous: true }), ctx());
    expect(body()).toContain('&lt;/isi&gt;&lt;script&gt;');
    expect(body()).toContain('&amp;amp;');
    const parsed = parseXml(body());
    if (!parsed.ok) throw new Error(parsed.error);
    expect((parsed.doc.lapor as { laporan: { isi: string } }).laporan.isi).toBe(`Judul "uji" <b>\n\n${content}\n\nRef: bebeja/3`);
  });

  it('drops characters XML cannot carry and normalises CR LF', async () => {
    const { body } = captureCreate(200, OK_REPLY);
    await makeSink().deliver(complaint({ content: 'a\u0000b\u0007c\r\nd\re', is_anonymous: true }), ctx());
    const parsed = parseXml(body());
    if (!parsed.ok) throw new Error(parsed.error);
    expect((parsed.doc.lapor as { laporan: { isi: string } }).laporan.isi).toBe('Jalan rusak di Labuan\n\nabc\nd\ne\n\nRef: bebeja/3');
  });

  it('honours include_title: false, phone_format: e164, a custom ref_template and the idempotency header when configured', async () => {
    let captured = '';
    const scope = nock(BASE, { reqheaders: { 'x-idem': 'key-1' } })
      .post(PATH, (b: unknown) => {
        captured = String(b);
        return true;
      })
      .reply(200, OK_REPLY);
    await makeSink({ include_title: false, phone_format: 'e164', ref_template: 'Referensi: {system}#{external_id}', idempotency_header: 'X-Idem' }).deliver(complaint(), ctx());
    expect(scope.isDone()).toBe(true);
    expect(captured).toContain('<isi>Jalan desa berlubang besar.\n\nReferensi: bebeja#3</isi>');
    expect(captured).toContain('<telpon>+6281234567890</telpon>');
  });

  it('cuts long content but keeps the Ref line', async () => {
    const { body } = captureCreate(200, OK_REPLY);
    await makeSink({ max_content_chars: 200 }).deliver(complaint({ content: 'kata '.repeat(500), is_anonymous: true }), ctx());
    const parsed = parseXml(body());
    if (!parsed.ok) throw new Error(parsed.error);
    const isi = (parsed.doc.lapor as { laporan: { isi: string } }).laporan.isi;
    expect([...isi].length).toBeLessThanOrEqual(200);
    expect(isi.split('\n').pop()).toBe('Ref: bebeja/3');
  });

  it('warns that attachments are not sent by this dialect', async () => {
    captureCreate(200, OK_REPLY);
    const c = ctx();
    await makeSink().deliver(complaint({ attachments: [{ url: 'http://files.test/a.png', filename: 'a.png' }] }), c);
    expect(c.warnings).toEqual([{ field: 'attachments', message: 'the lapor-legacy-xml dialect sends no attachments; 1 not sent' }]);
  });
});

describe('lapor-legacy-xml sink: sentView', () => {
  it('includes the reporter name, phone and email (they are sent), never the NIK hash', () => {
    const view = makeSink().sentView(complaint()) as Record<string, unknown>;
    expect(view).toEqual({
      title: 'Jalan rusak di Labuan',
      content: 'Jalan desa berlubang besar.',
      source: { system: 'bebeja', external_id: '3' },
      is_anonymous: false,
      is_secret: false,
      reporter: { name: 'Siti Nur Aisyah', phone: '+6281234567890', email: 'siti@example.id' },
    });
    expect(JSON.stringify(view)).not.toContain('abc123');
  });

  it('leaves the reporter out for an anonymous complaint (it is not sent)', () => {
    expect(makeSink().sentView(complaint({ is_anonymous: true }))).not.toHaveProperty('reporter');
  });

  it('ignores what the dialect does not send (category, location, date)', () => {
    const sink = makeSink();
    expect(sink.sentView(complaint({ category: { source_code: 'Lain', lapor_category_id: 99 }, incident_date: '2020-01-01' }))).toEqual(sink.sentView(complaint()));
  });
});

describe('lapor-legacy-xml sink: error classes (DESIGN §4)', () => {
  it('200 with <trackingid> and <transaksiid>: delivered with the tracking id, wherever the ids sit', async () => {
    captureCreate(200, xml('<data><laporan><trackingid> 0012 </trackingid><transaksiid>T-1</transaksiid></laporan></data>'));
    expect(await makeSink().deliver(complaint(), ctx())).toEqual({ kind: 'delivered', laporId: '0012', transactionId: 'T-1' });
  });

  it('honours configured reply element names', async () => {
    captureCreate(201, xml('<nomor_tiket>ABC</nomor_tiket><id_transaksi>9</id_transaksi>'));
    const out = await makeSink({ reply: { tracking_id: 'nomor_tiket', transaction_id: 'id_transaksi' } }).deliver(complaint(), ctx());
    expect(out).toEqual({ kind: 'delivered', laporId: 'ABC', transactionId: '9' });
  });

  it('200 without <trackingid> is in doubt (it may be filed), with the server message', async () => {
    captureCreate(200, xml('<status>sukses</status><transaksiid>TRX-1</transaksiid>'));
    const c = ctx();
    const out = await makeSink().deliver(complaint(), c);
    expect(out).toEqual({ kind: 'in_doubt', reason: 'HTTP 200: no <trackingid> in the reply' });
    expect(c.attempts).toHaveLength(1); // never re-sent inside the call
    expect(c.attempts[0]).toMatchObject({ outcome: 'in_doubt', httpStatus: 200 });
  });

  it('200 with an empty <trackingid/> is in doubt', async () => {
    captureCreate(200, xml('<trackingid/><transaksiid/>'));
    expect((await makeSink().deliver(complaint(), ctx())).kind).toBe('in_doubt');
  });

  it.each([
    ['HTML from a gateway', '<html><body>Bad Gateway<br></body></html>'],
    ['JSON', '{"trackingid": 5}'],
    ['truncated XML', '<response><trackingid>5</trackingid>'],
    ['an empty body', ''],
    ['a DTD with entities', '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x "5">]><response><trackingid>&x;</trackingid></response>'],
  ])('a 200 with unparsable XML (%s) is in doubt', async (_what, reply) => {
    captureCreate(200, reply);
    const out = await makeSink().deliver(complaint(), ctx());
    expect(out.kind).toBe('in_doubt');
    expect((out as { reason: string }).reason).toMatch(/^HTTP 200: the reply is not XML/);
  });

  it.each([400, 422])('%i with an XML message is rejected with the server message, not retried', async (status) => {
    const { scope } = captureCreate(status, xml('<status>gagal</status><message>Isi laporan wajib diisi.</message>'));
    const c = ctx();
    const out = await makeSink().deliver(complaint(), c);
    expect(out).toEqual({ kind: 'rejected', reason: `HTTP ${status}: Isi laporan wajib diisi.` });
    expect(scope.isDone()).toBe(true);
    expect(c.attempts).toHaveLength(1);
  });

  it('400 with a message in <pesan> is read too', async () => {
    captureCreate(400, xml('<pesan>Format tidak dikenal</pesan>'));
    expect(await makeSink().deliver(complaint(), ctx())).toEqual({ kind: 'rejected', reason: 'HTTP 400: Format tidak dikenal' });
  });

  it('400 with a body that is not XML is still rejected (the status decides)', async () => {
    captureCreate(400, 'Bad Request');
    expect(await makeSink().deliver(complaint(), ctx())).toMatchObject({ kind: 'rejected' });
  });

  it.each([401, 403])('%i pauses the destination; a reply echoing the token never reaches the ledger', async (status) => {
    captureCreate(status, xml(`<message>Token ${TOKEN} tidak valid</message><request token="${TOKEN}"/>`));
    const c = ctx();
    const out = await makeSink().deliver(complaint(), c);
    expect(out.kind).toBe('paused');
    expect((out as { reason: string }).reason).toMatch(new RegExp(`^HTTP ${status}: Token .* tidak valid$`));
    expect(c.attempts).toHaveLength(1);
    expectNoToken(c, out);
  });

  it.each([500, 502, 504])('%i is in doubt (the server may have stored it)', async (status) => {
    captureCreate(status, xml('<message>Internal error</message>'));
    const c = ctx();
    const out = await makeSink().deliver(complaint(), c);
    expect(out).toEqual({ kind: 'in_doubt', reason: `HTTP ${status}: Internal error` });
    expect(c.attempts).toHaveLength(1);
  });

  it('409 / "sudah ada" is an existing complaint', async () => {
    captureCreate(409, xml('<message>Laporan sudah ada</message><trackingid>L-1</trackingid>'));
    expect(await makeSink().deliver(complaint(), ctx())).toEqual({ kind: 'exists', laporId: 'L-1', reason: 'HTTP 409: Laporan sudah ada' });
  });

  it('503 is retried inside the call and then delivered', async () => {
    nock(BASE).post(PATH).reply(503, xml('<message>sibuk</message>')).post(PATH).reply(200, OK_REPLY);
    const c = ctx();
    expect(await makeSink().deliver(complaint(), c)).toMatchObject({ kind: 'delivered', laporId: 'L-777' });
    expect(c.attempts.map((a) => a.httpStatus)).toEqual([503, 200]);
  });

  it('429 with a long Retry-After goes back to the schedule with that delay', async () => {
    captureCreate(429, xml('<message>Terlalu banyak</message>'), { 'Retry-After': '120' });
    expect(await makeSink().deliver(complaint(), ctx())).toMatchObject({ kind: 'retry', retryAfterMs: 120_000 });
  });

  it('a timeout after sending is in doubt', async () => {
    nock(BASE).post(PATH).delay(500).reply(200, OK_REPLY);
    const c = ctx();
    const out = await makeSink({ timeout: '100ms' }).deliver(complaint(), c);
    expect(out).toEqual({ kind: 'in_doubt', reason: 'no reply (ETIMEDOUT)' });
    expect(c.attempts[0]).toMatchObject({ error: 'ETIMEDOUT', outcome: 'in_doubt' });
  });

  it('a connection reset after sending is in doubt', async () => {
    nock(BASE).post(PATH).replyWithError(netError('ECONNRESET', 'socket hang up'));
    const c = ctx();
    expect(await makeSink().deliver(complaint(), c)).toEqual({ kind: 'in_doubt', reason: 'no reply (ECONNRESET)' });
    expect(c.attempts).toHaveLength(1);
  });

  it('connection refused (nothing sent) is retried, then goes back to the schedule', async () => {
    nock(BASE).post(PATH).times(3).replyWithError(netError('ECONNREFUSED', 'connect ECONNREFUSED'));
    const c = ctx();
    expect(await makeSink().deliver(complaint(), c)).toMatchObject({ kind: 'retry' });
    expect(c.attempts).toHaveLength(3);
  });

  it('decodes a reply in the charset it declares', async () => {
    const latin1 = Buffer.from('<?xml version="1.0" encoding="ISO-8859-1"?><response><message>Data tidak lengkap: café</message></response>', 'latin1');
    nock(BASE).post(PATH).reply(400, latin1, { 'Content-Type': 'text/xml' });
    expect(await makeSink().deliver(complaint(), ctx())).toEqual({ kind: 'rejected', reason: 'HTTP 400: Data tidak lengkap: café' });
  });
});

describe('lapor-legacy-xml sink: lookup', () => {
  const search = (items: [string, string][], extra = '') =>
    xml(`<data>${items.map(([id, isi]) => `<laporan><trackingid>${id}</trackingid><isi>${isi}</isi></laporan>`).join('')}</data>${extra}`);

  it('has no lookup by default (in-doubt records go to needs_review)', () => {
    expect(makeSink().capabilities.lookup).toBe(false);
  });

  it('matches the exact Ref line only (bebeja/3 is not bebeja/30), sending the token in a header', async () => {
    const scope = nock(BASE, { reqheaders: { token: TOKEN } })
      .get('/api/stream/search')
      .query({ q: 'Ref: bebeja/3' })
      .reply(200, search([['L-30', 'x\n\nRef: bebeja/30'], ['L-3', 'y &amp; z\n\nRef: bebeja/3']]), { 'Content-Type': 'text/xml' });
    const sink = makeSink({ lookup: {} });
    expect(sink.capabilities.lookup).toBe(true);
    const c = ctx();
    expect(await sink.lookup(complaint(), { onAttempt: c.onAttempt })).toEqual({ found: true, laporId: 'L-3' });
    expect(scope.isDone()).toBe(true);
    expect(c.attempts[0]).toMatchObject({ operation: 'lookup', httpStatus: 200, outcome: 'ok' });
    expectNoToken(c, null);
  });

  it('finds nothing when only a longer reference matches, and skips excluded ids', async () => {
    nock(BASE).get('/api/stream/search').query(true).reply(200, search([['L-30', 'Ref: bebeja/30']]));
    expect(await makeSink({ lookup: {} }).lookup(complaint(), { onAttempt: () => undefined })).toEqual({ found: false });
    nock(BASE).get('/api/stream/search').query(true).reply(200, search([['L-3', 'Ref: bebeja/3']]));
    expect(await makeSink({ lookup: {} }).lookup(complaint(), { onAttempt: () => undefined, exclude: ['L-3'] })).toEqual({ found: false });
  });

  it('follows next_page_url on the same origin', async () => {
    nock(BASE).get('/api/stream/search').query(true).reply(200, search([['L-30', 'Ref: bebeja/30']], `<next_page_url>${BASE}/api/stream/search?q=x&amp;page=2</next_page_url>`));
    nock(BASE).get('/api/stream/search').query({ q: 'x', page: '2' }).reply(200, search([['L-3', 'Ref: bebeja/3']]));
    expect(await makeSink({ lookup: {} }).lookup(complaint(), { onAttempt: () => undefined })).toEqual({ found: true, laporId: 'L-3' });
  });

  it('a search that cannot be read is a failed lookup, never "not found"', async () => {
    nock(BASE).get('/api/stream/search').query(true).reply(200, '<html>oops');
    await expect(makeSink({ lookup: {} }).lookup(complaint(), { onAttempt: () => undefined })).rejects.toThrow(/lookup of bebeja\/3 failed/);
    nock(BASE).get('/api/stream/search').query(true).reply(500, xml('<message>down</message>'));
    await expect(makeSink({ lookup: {} }).lookup(complaint(), { onAttempt: () => undefined })).rejects.toThrow(/HTTP 500/);
    nock(BASE).get('/api/stream/search').query(true).replyWithError(netError('ECONNRESET', 'socket hang up'));
    await expect(makeSink({ lookup: {} }).lookup(complaint(), { onAttempt: () => undefined })).rejects.toThrow(/ECONNRESET/);
  });
});
