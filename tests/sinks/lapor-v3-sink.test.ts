/**
 * The lapor-v3 sink against nock: one test per error class of DESIGN §4, plus request shape.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import nock from 'nock';
import type { AttemptInput, Warning } from '../../src/ledger/ledger.js';
import type { StoredComplaint } from '../../src/ledger/sqlite-ledger.js';
import { laporV3ConfigSchema } from '../../src/sinks/lapor-v3/lapor-v3-config.js';
import { LaporV3Sink } from '../../src/sinks/lapor-v3/lapor-v3-sink.js';

const BASE = 'http://lapor.test/lapor/3.0.0';
// nock 15.0.0 on Node 20: replyWithError needs Error instances (plain objects hang)
const netError = (code: string, message: string) => Object.assign(new Error(message), { code });

function makeSink(overrides: Record<string, unknown> = {}, options = {}): LaporV3Sink {
  process.env.TEST_LAPOR_TOKEN = 'bearer-secret-123';
  process.env.TEST_LAPOR_APP_TOKEN = 'app-secret-456';
  const config = laporV3ConfigSchema.parse({
    dialect: 'lapor-v3',
    base_url: BASE,
    auth: { bearer_token: '${TEST_LAPOR_TOKEN}', app_token: '${TEST_LAPOR_APP_TOKEN}' },
    timeout: '300ms',
    default_disposition_id: 77,
    // attachment URLs of these unit tests live on a made-up host (nock): allow it explicitly
    attachments: { allowed_hosts: ['files.test'] },
    ...overrides,
  });
  return new LaporV3Sink(config, { inCallRetries: 2, maxInCallWaitMs: 50, ...options });
}

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
    reporter: { name: 'Siti', phone: '+6281234567890' },
    ...over,
  };
}

function ctx() {
  const attempts: AttemptInput[] = [];
  const warnings: Warning[] = [];
  return { attempts, warnings, idempotencyKey: 'key-1', onAttempt: (a: AttemptInput) => attempts.push(a), onWarning: (w: Warning) => warnings.push(w) };
}

beforeAll(() => {
  if (!nock.isActive()) nock.activate();
  nock.disableNetConnect();
});
afterEach(() => nock.cleanAll());
afterAll(() => {
  nock.enableNetConnect();
  // un-patch node:http: jest reuses the worker, and the next test file talks to real servers
  nock.restore();
});

describe('lapor-v3 sink: request shape', () => {
  it('sends both auth headers, the idempotency key, the Ref line and tags, and no reporter fields', async () => {
    let body: Record<string, unknown> = {};
    nock(BASE, { reqheaders: { authorization: 'Bearer bearer-secret-123', token: 'app-secret-456', 'idempotency-key': 'key-1' } })
      .post('/complaints/complaint', (b: Record<string, unknown>) => {
        body = b;
        return true;
      })
      .reply(201, { complaint_id: 5551 });
    const c = ctx();
    const out = await makeSink().deliver(complaint(), c);
    expect(out).toEqual({ kind: 'delivered', laporId: '5551' });
    expect(String(body.content).split('\n').pop()).toBe('Ref: bebeja/3');
    expect(body.tags_raw).toBe('#bebeja #jalan_dan_jembatan');
    expect(body).toMatchObject({ title: 'Jalan rusak di Labuan', channel: 2, classification_id: 1, category_id: 10, disposition_id: 77, location_id: '36.01.12', date_of_incident: '2024-03-01', is_anonymous: false, is_secret: false, attachments: [] });
    expect(JSON.stringify(body)).not.toMatch(/Siti|6281234567890|reporter|nik/);
    expect(c.attempts).toHaveLength(1);
    expect(c.attempts[0]).toMatchObject({ operation: 'create', httpStatus: 201, outcome: 'delivered', idempotencyKey: 'key-1' });
  });

  it('honours configured header names (some deployments call the bearer header "auth")', async () => {
    const scope = nock(BASE, { reqheaders: { auth: 'Bearer bearer-secret-123', 'x-app-token': 'app-secret-456' }, badheaders: ['authorization', 'token'] })
      .post('/complaints/complaint')
      .reply(200, { complaint_id: 'A1' });
    const sink = makeSink({ auth: { bearer_token: '${TEST_LAPOR_TOKEN}', app_token: '${TEST_LAPOR_APP_TOKEN}', bearer_header: 'auth', app_token_header: 'x-app-token' } });
    expect(await sink.deliver(complaint(), ctx())).toEqual({ kind: 'delivered', laporId: 'A1' });
    expect(scope.isDone()).toBe(true);
  });

  it('accepts an id nested as data.complaint_id', async () => {
    nock(BASE).post('/complaints/complaint').reply(201, { data: { complaint_id: 'N-9' } });
    expect(await makeSink().deliver(complaint(), ctx())).toEqual({ kind: 'delivered', laporId: 'N-9' });
  });

  it('uploads a fetched attachment first and sends its id; a 404 attachment is dropped with a warning', async () => {
    nock('http://files.test').get('/a.png').reply(200, Buffer.from('89504e470d0a1a0a', 'hex'), { 'content-type': 'image/png' });
    nock('http://files.test').get('/missing.jpg').reply(404);
    nock(BASE).post('/complaints/complaint/file').reply(200, { results: { docs: [{ id: 'F-1' }] } });
    let body: Record<string, unknown> = {};
    nock(BASE)
      .post('/complaints/complaint', (b: Record<string, unknown>) => {
        body = b;
        return true;
      })
      .reply(201, { complaint_id: 7 });
    const c = ctx();
    const out = await makeSink().deliver(complaint({ attachments: [{ url: 'http://files.test/a.png', filename: 'a.png' }, { url: 'http://files.test/missing.jpg', filename: 'missing.jpg' }] }), c);
    expect(out.kind).toBe('delivered');
    expect(body.attachments).toEqual(['F-1']);
    expect(c.warnings).toEqual([{ field: 'attachments', message: 'missing.jpg answered HTTP 404; dropped' }]);
    expect(c.attempts.map((a) => a.operation)).toEqual(['fetch_attachment', 'upload', 'fetch_attachment', 'create']);
  });
});

describe('lapor-v3 sink: error classes (DESIGN §4)', () => {
  it('retries 503 inside the call and then delivers', async () => {
    nock(BASE).post('/complaints/complaint').reply(503).post('/complaints/complaint').reply(201, { complaint_id: 1 });
    const c = ctx();
    expect(await makeSink().deliver(complaint(), c)).toEqual({ kind: 'delivered', laporId: '1' });
    expect(c.attempts.map((a) => a.httpStatus)).toEqual([503, 201]);
  });

  it('429 with a long Retry-After goes back to the schedule with that delay', async () => {
    const scope = nock(BASE).post('/complaints/complaint').reply(429, { message: 'Too Many Requests' }, { 'Retry-After': '120' });
    const out = await makeSink().deliver(complaint(), ctx());
    expect(out).toMatchObject({ kind: 'retry', retryAfterMs: 120_000 });
    expect(scope.isDone()).toBe(true);
  });

  it('Retry-After as an HTTP-date is honoured', async () => {
    const now = new Date('2026-01-01T00:00:00Z');
    nock(BASE).post('/complaints/complaint').reply(503, {}, { 'Retry-After': 'Thu, 01 Jan 2026 00:10:00 GMT' });
    const out = await makeSink({}, { now: () => now }).deliver(complaint(), ctx());
    expect(out).toMatchObject({ kind: 'retry', retryAfterMs: 600_000 });
  });

  it('gives up after the in-call retries on persistent 503 and asks for a later retry', async () => {
    nock(BASE).post('/complaints/complaint').times(3).reply(503);
    const c = ctx();
    expect((await makeSink().deliver(complaint(), c)).kind).toBe('retry');
    expect(c.attempts).toHaveLength(3);
  });

  it.each([400, 422])('%i is rejected with the server message, not retried', async (status) => {
    const scope = nock(BASE).post('/complaints/complaint').reply(status, { message: 'The title field is required.', errors: { title: ['required'] } });
    const out = await makeSink().deliver(complaint(), ctx());
    expect(out).toEqual({ kind: 'rejected', reason: `HTTP ${status}: The title field is required.` });
    expect(scope.isDone()).toBe(true);
  });

  it.each([401, 403])('%i pauses the destination', async (status) => {
    nock(BASE).post('/complaints/complaint').reply(status, { message: 'Unauthenticated.' });
    expect((await makeSink().deliver(complaint(), ctx())).kind).toBe('paused');
  });

  it('409 means it already exists: adopt the id', async () => {
    nock(BASE).post('/complaints/complaint').reply(409, { message: 'Complaint already exists', complaint_id: 42 });
    expect(await makeSink().deliver(complaint(), ctx())).toMatchObject({ kind: 'exists', laporId: '42' });
  });

  it.each([500, 502, 504])('%i after sending leaves the complaint in doubt and is NOT re-sent', async (status) => {
    const scope = nock(BASE).post('/complaints/complaint').reply(status);
    const c = ctx();
    expect((await makeSink().deliver(complaint(), c)).kind).toBe('in_doubt');
    expect(scope.isDone()).toBe(true);
    expect(c.attempts).toHaveLength(1);
  });

  it('2xx without an id is in doubt', async () => {
    nock(BASE).post('/complaints/complaint').reply(200, { status: 'ok' });
    expect((await makeSink().deliver(complaint(), ctx())).kind).toBe('in_doubt');
  });

  it('an unparsable 2xx body is in doubt', async () => {
    nock(BASE).post('/complaints/complaint').reply(200, '<html>gateway</html>', { 'content-type': 'text/html' });
    expect((await makeSink().deliver(complaint(), ctx())).kind).toBe('in_doubt');
  });

  it('a timeout after sending is in doubt, with one attempt only', async () => {
    nock(BASE).post('/complaints/complaint').delay(1000).reply(201, { complaint_id: 1 });
    const c = ctx();
    expect((await makeSink().deliver(complaint(), c)).kind).toBe('in_doubt');
    expect(c.attempts).toHaveLength(1);
  });

  it('a connection reset after sending is in doubt', async () => {
    nock(BASE).post('/complaints/complaint').replyWithError(netError('ECONNRESET', 'socket hang up'));
    expect((await makeSink().deliver(complaint(), ctx())).kind).toBe('in_doubt');
  });

  it('connection refused (nothing sent) is retried, then scheduled', async () => {
    nock(BASE).post('/complaints/complaint').times(3).replyWithError(netError('ECONNREFUSED', 'connect ECONNREFUSED'));
    const c = ctx();
    expect((await makeSink().deliver(complaint(), c)).kind).toBe('retry');
    expect(c.attempts).toHaveLength(3);
  });

  it('never lets a token into an attempt reply', async () => {
    nock(BASE).post('/complaints/complaint').reply(422, { message: 'bad token bearer-secret-123' });
    const c = ctx();
    await makeSink().deliver(complaint(), c);
    expect(JSON.stringify(c.attempts)).not.toContain('bearer-secret-123');
  });
});

describe('lapor-v3 sink: attachments and limits', () => {
  it('a transient failure fetching an attachment retries the whole send later (nothing is dropped or created)', async () => {
    nock('http://files.test').get('/a.png').reply(503);
    const create = nock(BASE).post('/complaints/complaint').reply(201, { complaint_id: 1 });
    const c = ctx();
    const out = await makeSink().deliver(complaint({ attachments: [{ url: 'http://files.test/a.png', filename: 'a.png' }] }), c);
    expect(out).toMatchObject({ kind: 'retry', reason: expect.stringContaining('HTTP 503') });
    expect(c.warnings).toEqual([]);
    expect(create.isDone()).toBe(false);
  });

  it('410 Gone drops the attachment with a warning, like 404', async () => {
    nock('http://files.test').get('/a.png').reply(410);
    nock(BASE).post('/complaints/complaint').reply(201, { complaint_id: 1 });
    const c = ctx();
    expect((await makeSink().deliver(complaint({ attachments: [{ url: 'http://files.test/a.png', filename: 'a.png' }] }), c)).kind).toBe('delivered');
    expect(c.warnings[0]?.message).toBe('a.png answered HTTP 410; dropped');
  });

  it('keeps content plus the Ref: line within the configured limit, cutting the content visibly', async () => {
    let body: Record<string, unknown> = {};
    nock(BASE)
      .post('/complaints/complaint', (b: Record<string, unknown>) => {
        body = b;
        return true;
      })
      .reply(201, { complaint_id: 1 });
    await makeSink({ max_content_chars: 200 }).deliver(complaint({ content: 'x'.repeat(500) }), ctx());
    const content = String(body.content);
    expect([...content].length).toBeLessThanOrEqual(200);
    expect(content.endsWith('\n\nRef: bebeja/3')).toBe(true);
    expect(content).toContain('[…]');
  });

  it('an abort before the request was sent is a plain retry, not in doubt', async () => {
    const controller = new AbortController();
    controller.abort();
    const create = nock(BASE).post('/complaints/complaint').reply(201, { complaint_id: 1 });
    const out = await makeSink().deliver(complaint(), { ...ctx(), signal: controller.signal });
    expect(out.kind).toBe('retry');
    expect(create.isDone()).toBe(false);
  });
});

describe('lapor-v3 sink: lookup', () => {
  it('follows next_page_url: the exact match may be on a later page', async () => {
    nock(BASE)
      .get('/complaints/search')
      .query({ q: 'Ref: bebeja/3' })
      .reply(200, { results: { data: [{ id: 30, content: 'Ref: bebeja/30' }], next_page_url: `${BASE}/complaints/search?q=Ref%3A%20bebeja%2F3&page=2` } });
    nock(BASE)
      .get('/complaints/search')
      .query({ q: 'Ref: bebeja/3', page: '2' })
      .reply(200, { results: { data: [{ id: 3, content: 'y\n\nRef: bebeja/3' }], next_page_url: null } });
    expect(await makeSink().lookup(complaint(), ctx())).toEqual({ found: true, laporId: '3' });
  });

  it('a next_page_url to another host is a failed lookup, not "not found"', async () => {
    nock(BASE)
      .get('/complaints/search')
      .query(true)
      .reply(200, { results: { data: [], next_page_url: 'http://evil.test/steal' } });
    await expect(makeSink().lookup(complaint(), ctx())).rejects.toThrow(/another host/);
  });

  it('ignores ids an operator superseded with a forced resend', async () => {
    nock(BASE).get('/complaints/search').query(true).reply(200, { results: { data: [{ id: 3, content: 'Ref: bebeja/3' }] } });
    expect(await makeSink().lookup(complaint(), { ...ctx(), exclude: ['3'] })).toEqual({ found: false });
  });

  it('matches the Ref line exactly: bebeja/3 does not match bebeja/30', async () => {
    nock(BASE)
      .get('/complaints/search')
      .query({ q: 'Ref: bebeja/3' })
      .reply(200, { results: { data: [{ id: 30, content: 'x\n\nRef: bebeja/30' }, { id: 3, content: 'y\n\nRef: bebeja/3' }] } });
    const c = ctx();
    expect(await makeSink().lookup(complaint(), c)).toEqual({ found: true, laporId: '3' });
  });

  it('reports not found when only a longer reference contains the text', async () => {
    nock(BASE).get('/complaints/search').query(true).reply(200, { results: { data: [{ id: 30, content: 'Ref: bebeja/30' }] } });
    expect(await makeSink().lookup(complaint(), ctx())).toEqual({ found: false });
  });

  it('throws when the lookup itself fails, so the record stays in doubt', async () => {
    nock(BASE).get('/complaints/search').query(true).reply(500);
    await expect(makeSink().lookup(complaint(), ctx())).rejects.toThrow(/lookup of bebeja\/3 failed/);
  });
});
