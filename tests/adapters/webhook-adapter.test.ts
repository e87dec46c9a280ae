/**
 * The webhook adapter on 127.0.0.1: the shared contract suite (its fixture POSTs signed requests
 * and waits until they are queued, never for their answer, which comes only after settle), then
 * authentication, validation, limits and the "answered only after the commit" rule.
 */
import http from 'node:http';
import type { Logger } from 'winston';
import { afterEach, describe, expect, it } from '@jest/globals';
import type { SourceBatch } from '../../src/adapters/adapter.js';
import { adapterRegistry } from '../../src/adapters/registry.js';
import { WebhookAdapter, webhookAdapterFactory } from '../../src/adapters/webhook/webhook-adapter.js';
import { signWebhook } from '../../src/adapters/webhook/webhook-auth.js';
import { webhookConfigSchema } from '../../src/adapters/webhook/webhook-config.js';
import { silentLogger } from '../../src/util/logger.js';
import { adapterContractSuite, suiteRows, walk, type AdapterFixture, type SuiteRow } from './adapter-suite.js';

const SECRET = 'webhook-test-secret-4f1c9a';
const TOKEN = 'webhook-test-token-77e2b0';
process.env.TEST_WEBHOOK_SECRET = SECRET;
process.env.TEST_WEBHOOK_TOKEN = TOKEN;
const BATCH = 3;

function makeAdapter(over: Record<string, unknown> = {}, sourceId = 'lokal', logger: Logger = silentLogger()): WebhookAdapter {
  const config = webhookConfigSchema.parse({
    type: 'webhook',
    port: 0,
    auth: { type: 'hmac', secret: '${TEST_WEBHOOK_SECRET}' },
    max_records_per_request: BATCH,
    ...over,
  });
  return new WebhookAdapter(config, { sourceId, logger, now: () => new Date() });
}

/** A logger that keeps every entry, to see what would be written. */
function recordingLogger(): { logger: Logger; entries: string[] } {
  const entries: string[] = [];
  const keep = (level: string) => (message: string, meta?: unknown) => {
    entries.push(`${level} ${message} ${JSON.stringify(meta ?? {})}`);
  };
  const logger = { error: keep('error'), warn: keep('warn'), info: keep('info'), debug: keep('debug'), isDebugEnabled: () => true } as unknown as Logger;
  return { logger, entries };
}

interface PostOptions {
  readonly secret?: string;
  readonly timestamp?: number | string;
  readonly headers?: Record<string, string>;
  readonly signal?: AbortSignal;
  /** Send exactly these signature headers (a replay). */
  readonly signed?: { timestamp: string; signature: string };
}

/** A sender as the docs describe it: sign `<unix seconds>.<body>` and POST. */
function post(url: string, body: unknown, o: PostOptions = {}): Promise<Response> {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  const timestamp = String(o.timestamp ?? Math.floor(Date.now() / 1000));
  const signed = o.signed ?? { timestamp, signature: signWebhook(o.secret ?? SECRET, timestamp, text) };
  return fetch(url, {
    method: 'POST',
    body: text,
    signal: o.signal,
    headers: { 'Content-Type': 'application/json', 'X-Timestamp': signed.timestamp, 'X-Signature': signed.signature, ...o.headers },
  });
}

/** Counts queued requests through the onPending listener, and lets a test wait for a count. */
function queueWatch(adapter: WebhookAdapter) {
  let queued = 0;
  const waiters: { n: number; resolve: () => void }[] = [];
  adapter.onPending(() => {
    queued++;
    for (const w of waiters.splice(0)) {
      if (queued >= w.n) w.resolve();
      else waiters.push(w);
    }
  });
  return {
    get count() {
      return queued;
    },
    until(n: number): Promise<void> {
      return queued >= n ? Promise.resolve() : new Promise((resolve) => waiters.push({ n, resolve }));
    },
  };
}

async function makeFixture(): Promise<AdapterFixture> {
  const adapter = makeAdapter();
  await adapter.open();
  const watch = queueWatch(adapter);
  const rows = new Map<string, SuiteRow>();
  const inflight: Promise<unknown>[] = [];
  // the answer comes only after settle: POST, wait until the request is queued, never for the answer
  const send = async (records: SuiteRow[]) => {
    const target = watch.count + 1;
    inflight.push(post(adapter.url, { records }).then((r) => r.text(), () => undefined));
    await watch.until(target);
  };
  let clock = Date.parse('2030-01-01T00:00:00Z');
  return {
    adapter,
    batchSize: BATCH,
    async add(list) {
      for (const r of list) rows.set(r.id, r);
      for (let i = 0; i < list.length; i += BATCH) await send(list.slice(i, i + BATCH));
    },
    async edit(id, patch) {
      const row = { ...(rows.get(id) as SuiteRow), ...patch, updated_at: new Date((clock += 60_000)).toISOString() };
      rows.set(id, row);
      await send([row]);
    },
    broken: () => makeAdapter({ port: adapter.address()?.port }),
    brokenSecret: SECRET,
    async teardown() {
      await adapter.close();
      await Promise.allSettled(inflight);
    },
  };
}

adapterContractSuite('webhook', makeFixture, { incremental: false });

describe('webhook adapter', () => {
  const open: WebhookAdapter[] = [];
  const inflight: Promise<unknown>[] = [];
  async function started(over: Record<string, unknown> = {}, logger?: Logger): Promise<WebhookAdapter> {
    const a = makeAdapter(over, 'lokal', logger);
    open.push(a);
    await a.open();
    return a;
  }
  /** A POST whose answer is awaited later (it comes only after settle). */
  function held(p: Promise<Response>) {
    let settled = false;
    const done = p.then(async (r) => ({ status: r.status, retryAfter: r.headers.get('retry-after'), body: (await r.json()) as Record<string, unknown> }));
    void done.then(() => (settled = true), () => (settled = true));
    inflight.push(done.catch(() => undefined));
    return {
      done,
      get settled() {
        return settled;
      },
    };
  }
  afterEach(async () => {
    for (const a of open.splice(0)) await a.close();
    await Promise.allSettled(inflight.splice(0));
  });

  it('is registered, and its config has the documented defaults', () => {
    expect(adapterRegistry.webhook).toBe(webhookAdapterFactory);
    const c = webhookConfigSchema.parse({ type: 'webhook', port: 8080, auth: { type: 'hmac', secret: '${TEST_WEBHOOK_SECRET}' } });
    expect(c).toMatchObject({ host: '127.0.0.1', body_limit: 1024 * 1024, max_records_per_request: 500, max_wait: 30_000, id_field: 'id', auth: { header: 'X-Signature', timestamp_header: 'X-Timestamp', tolerance: 300_000 } });
    expect(String(c.auth.type === 'hmac' && c.auth.secret)).toBe('[secret]');
    const a = webhookAdapterFactory.create(c, { sourceId: 'kota-x', logger: silentLogger(), now: () => new Date() });
    expect(a.capabilities).toEqual({ incremental: false, writeBack: false, push: true });
    expect((a as WebhookAdapter).path).toBe('/webhook/kota-x');
    expect(webhookConfigSchema.safeParse({ type: 'webhook', port: 8080, auth: { type: 'hmac', secret: 'plain-secret' } }).success).toBe(false);
    expect(webhookConfigSchema.parse({ type: 'webhook', port: 1, body_limit: '512KB', auth: { type: 'bearer', token: '${TEST_WEBHOOK_TOKEN}' } }).body_limit).toBe(512 * 1024);
  });

  it('answers 202 only after the batch is settled (after the ledger commit), with the number of records', async () => {
    const a = await started();
    const watch = queueWatch(a);
    const rows = suiteRows(2);
    const res = held(post(a.url, { records: rows }));
    await watch.until(1);
    const it = a.read(undefined)[Symbol.asyncIterator]();
    const first = await it.next();
    const batch = first.value as SourceBatch<undefined>;
    expect(batch.records.map((r) => r.externalId)).toEqual(rows.map((r) => r.id));
    expect(batch.records[0]?.raw).toEqual(rows[0]);
    // round trips to the same server come back while the held request has no answer yet
    for (let i = 0; i < 3; i++) expect((await post(a.url, {}, { secret: 'wrong' })).status).toBe(401);
    expect(res.settled).toBe(false);
    expect(a.waiting).toBe(1);
    await batch.settle?.();
    expect(await res.done).toEqual({ status: 202, retryAfter: null, body: { accepted: 2 } });
    expect((await it.next()).done).toBe(true);
    expect(a.waiting).toBe(0);
  });

  it('a batch not settled (failed commit, dry run) is read again and its sender still waits', async () => {
    const a = await started();
    const watch = queueWatch(a);
    const res = held(post(a.url, suiteRows(1)[0]));
    await watch.until(1);
    for await (const b of a.read(undefined)) {
      expect(b.records).toHaveLength(1);
      break; // the walk ends without settle
    }
    expect(res.settled).toBe(false);
    const again = await walk(a);
    expect(again.records).toHaveLength(1);
    expect((await res.done).status).toBe(202);
  });

  it('hands each request out at most once per walk: a walk that settles nothing (a dry run) ends, and intake is asked again later', async () => {
    const a = await started();
    const watch = queueWatch(a);
    const big = held(post(a.url, suiteRows(3)));
    await watch.until(1);
    const small = held(post(a.url, suiteRows(1)));
    await watch.until(2);
    const seen: number[] = [];
    for await (const b of a.read(undefined)) {
      seen.push(b.records.length); // a dry run: previewed, never settled
      if (seen.length > 5) break;
    }
    expect(seen).toEqual([3, 1]);
    expect(big.settled || small.settled).toBe(false);
    expect(a.waiting).toBe(2);
    // the listener is called again (about a second later), and the next walk has both, in order
    await watch.until(3);
    const again: number[] = [];
    await walk(a, undefined, async (b) => void again.push(b.records.length));
    expect(again).toEqual([3, 1]);
    expect([(await big.done).status, (await small.done).status]).toEqual([202, 202]);
  });

  it('answers 503 with Retry-After to a request not committed within max_wait (a paused source is not read at all)', async () => {
    const { logger, entries } = recordingLogger();
    const a = await started({ max_wait: '300ms' }, logger);
    const watch = queueWatch(a);
    const waiting = held(post(a.url, suiteRows(1)));
    await watch.until(1);
    expect(await waiting.done).toMatchObject({ status: 503, retryAfter: '5', body: { error: 'unavailable', message: expect.stringMatching(/waited 300ms \(adapter\.max_wait\) without being committed.*send the request again/) } });
    expect(a.waiting).toBe(0);
    expect(entries.some((e) => /^warn webhook request waited too long/.test(e))).toBe(true);
    expect((await walk(a)).records).toEqual([]);

    // being committed when max_wait is over: its batch decides, 202 when settled, 503 when not
    const committed = held(post(a.url, suiteRows(1)));
    await watch.until(2);
    const it = a.read(undefined)[Symbol.asyncIterator]();
    const batch = (await it.next()).value as SourceBatch<undefined>;
    await new Promise((r) => setTimeout(r, 500));
    expect(committed.settled).toBe(false);
    await batch.settle?.();
    expect((await it.next()).done).toBe(true);
    expect((await committed.done).status).toBe(202);

    const failed = held(post(a.url, suiteRows(1)));
    await watch.until(3);
    for await (const b of a.read(undefined)) {
      expect(b.records).toHaveLength(1);
      await new Promise((r) => setTimeout(r, 500)); // a slow commit that then fails
    }
    expect(await failed.done).toMatchObject({ status: 503, retryAfter: '5' });
    expect(a.waiting).toBe(0);
    expect(webhookConfigSchema.safeParse({ type: 'webhook', port: 1, max_wait: 0, auth: { type: 'bearer', token: '${TEST_WEBHOOK_TOKEN}' } }).success).toBe(false);
  });

  it('takes one object, a list, or { records: [...] }; several requests may share one batch up to the limit', async () => {
    const a = await started();
    const watch = queueWatch(a);
    const [r1, r2, r3, r4] = suiteRows(4);
    const answers = [held(post(a.url, r1)), held(post(a.url, [r2, r3])), held(post(a.url, { records: [{ ...r4, id: 77 }] }))];
    await watch.until(3);
    const batches: string[][] = [];
    for await (const b of a.read(undefined)) {
      batches.push(b.records.map((r) => r.externalId));
      await b.settle?.();
    }
    // 1 + 2 records fit in a batch of 3; the third request starts the next
    expect(batches).toEqual([[r1?.id, r2?.id, r3?.id], ['77']]);
    expect((await Promise.all(answers.map((x) => x.done))).map((x) => x.body)).toEqual([{ accepted: 1 }, { accepted: 2 }, { accepted: 1 }]);
  });

  it('refuses a wrong signature, a missing one, and one over a different body with 401; nothing is queued', async () => {
    const a = await started();
    const body = JSON.stringify(suiteRows(1)[0]);
    const wrong = await post(a.url, body, { secret: 'not-the-secret' });
    expect(wrong.status).toBe(401);
    expect(await wrong.json()).toMatchObject({ error: 'unauthorized', message: expect.stringMatching(/signature does not match/) });
    const ts = String(Math.floor(Date.now() / 1000));
    const tampered = await post(a.url, body.replace('Pengaduan', 'Tampered'), { signed: { timestamp: ts, signature: signWebhook(SECRET, ts, body) } });
    expect(tampered.status).toBe(401);
    const unsigned = await fetch(a.url, { method: 'POST', body, headers: { 'Content-Type': 'application/json' } });
    expect(unsigned.status).toBe(401);
    expect(await unsigned.text()).toMatch(/missing X-Timestamp/);
    expect(a.waiting).toBe(0);
    expect((await walk(a)).records).toEqual([]);
  });

  it('refuses a timestamp outside the tolerance (old or ahead) with 401, even when correctly signed', async () => {
    const a = await started();
    const now = Math.floor(Date.now() / 1000);
    const old = await post(a.url, suiteRows(1)[0], { timestamp: now - 600 });
    expect(old.status).toBe(401);
    expect(await old.json()).toMatchObject({ error: 'stale_timestamp', message: expect.stringMatching(/more than 5m away/) });
    expect((await post(a.url, suiteRows(1)[0], { timestamp: now + 600 })).status).toBe(401);
    expect((await post(a.url, suiteRows(1)[0], { timestamp: `${now}.5` })).status).toBe(401);
    expect(a.waiting).toBe(0);
  });

  it('refuses a replayed signed request with 409; the same records signed anew are taken (and keep their ids)', async () => {
    const a = await started();
    const watch = queueWatch(a);
    const text = JSON.stringify(suiteRows(2));
    const ts = String(Math.floor(Date.now() / 1000));
    const signed = { timestamp: ts, signature: `sha256=${signWebhook(SECRET, ts, text)}` }; // the prefix is accepted
    const first = held(post(a.url, text, { signed }));
    await watch.until(1);
    const replayWhileWaiting = await post(a.url, text, { signed });
    expect(replayWhileWaiting.status).toBe(409);
    const one = await walk(a);
    expect((await first.done).status).toBe(202);
    const replay = await post(a.url, text, { signed });
    expect(replay.status).toBe(409);
    expect(await replay.json()).toMatchObject({ error: 'replayed' });
    // a sender that lost the 202 retries, signing again (a later second): same records, same external ids
    const retry = held(post(a.url, text, { timestamp: Number(ts) + 1 }));
    await watch.until(2);
    const two = await walk(a);
    expect(two.records.map((r) => r.externalId)).toEqual(one.records.map((r) => r.externalId));
    expect((await retry.done).status).toBe(202);
  });

  it('a request refused for its body is not remembered: sent again as is, it gets the same 422, not 409', async () => {
    const a = await started();
    const text = JSON.stringify({ judul: 'tanpa id' });
    const ts = String(Math.floor(Date.now() / 1000));
    const signed = { timestamp: ts, signature: signWebhook(SECRET, ts, text) };
    expect((await post(a.url, text, { signed })).status).toBe(422);
    // not remembered as seen: the same request again gets the same 422, not a 409
    expect((await post(a.url, text, { signed })).status).toBe(422);
  });

  it('accepts a bearer token instead of a signature', async () => {
    const a = await started({ auth: { type: 'bearer', token: '${TEST_WEBHOOK_TOKEN}' } });
    const watch = queueWatch(a);
    const body = JSON.stringify(suiteRows(1));
    const bad = await fetch(a.url, { method: 'POST', body, headers: { 'Content-Type': 'application/json', Authorization: 'Bearer nope' } });
    expect(bad.status).toBe(401);
    expect(bad.headers.get('www-authenticate')).toBe('Bearer');
    expect((await fetch(a.url, { method: 'POST', body, headers: { 'Content-Type': 'application/json' } })).status).toBe(401);
    const good = held(fetch(a.url, { method: 'POST', body, headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${TOKEN}` } }));
    await watch.until(1);
    expect((await walk(a)).records).toHaveLength(1);
    expect(await good.done).toMatchObject({ status: 202, body: { accepted: 1 } });
  });

  it('answers 413 over the body limit and over max_records_per_request', async () => {
    const a = await started({ body_limit: '1KB' });
    const big = await post(a.url, { id: 'x', isi: 'a'.repeat(2000) });
    expect(big.status).toBe(413);
    expect(await big.json()).toMatchObject({ error: 'body_too_large', message: expect.stringMatching(/larger than 1KB/) });
    const many = await post(a.url, suiteRows(BATCH + 1).map((r) => ({ id: r.id })));
    expect(many.status).toBe(413);
    expect(await many.json()).toMatchObject({ error: 'too_many_records', message: expect.stringMatching(/at most 3/) });
    expect(a.waiting).toBe(0);
  });

  it('answers 422 with every field error (record index and field) and accepts nothing of the request', async () => {
    const a = await started({ max_records_per_request: 10 });
    const ok = { id: 'A-1', judul: 'baik' };
    const res = await post(a.url, { records: [ok, { judul: 'tanpa id' }, 'teks', { id: '  ' }, { id: { nested: 1 } }, { id: 'A-1' }, { id: 'B', updated_at: { x: 1 } }] });
    expect(res.status).toBe(422);
    const body = (await res.json()) as { error: string; message: string; errors: unknown[] };
    expect(body.error).toBe('invalid_records');
    expect(body.message).toMatch(/^6 problems in the body \(first: record 1, id is required/);
    expect(body.errors).toEqual([
      { index: 1, field: 'id', message: expect.stringMatching(/is required/) },
      { index: 2, field: 'records[2]', message: 'must be a complaint object' },
      { index: 3, field: 'id', message: expect.stringMatching(/is required/) },
      { index: 4, field: 'id', message: expect.stringMatching(/not object/) },
      { index: 5, field: 'id', message: expect.stringMatching(/appears twice .*index 0/) },
      { index: 6, field: 'updated_at', message: expect.any(String) },
    ]);
    expect(a.waiting).toBe(0);
    const notJson = await post(a.url, '{"id": 1,');
    expect(notJson.status).toBe(400);
    expect(await notJson.json()).toMatchObject({ error: 'invalid_json' });
    expect((await post(a.url, 42)).status).toBe(422);
    const text = await fetch(a.url, { method: 'POST', body: 'id=1', headers: { 'Content-Type': 'application/x-www-form-urlencoded' } });
    expect(text.status).toBe(415);
  });

  it('refuses an id with control characters or line breaks with 422 (field id); spaces at its ends are trimmed as before', async () => {
    const a = await started({ max_records_per_request: 10 });
    const watch = queueWatch(a);
    const res = await post(a.url, [{ id: 'A-1\nB-2' }, { id: 'C\u0000' }, { id: 'D\u2028E' }, { id: 'F\u0085' }, { id: 'G\u001b[31m' }, { id: 'ok' }]);
    expect(res.status).toBe(422);
    const body = (await res.json()) as { errors: unknown[] };
    expect(body.errors).toEqual([0, 1, 2, 3, 4].map((index) => ({ index, field: 'id', message: 'must not contain control characters' })));
    expect(a.waiting).toBe(0);
    const trimmed = held(post(a.url, [{ id: '\tH-1 \n' }]));
    await watch.until(1);
    expect((await walk(a)).records.map((r) => r.externalId)).toEqual(['H-1']);
    expect((await trimmed.done).status).toBe(202);
  });

  it('a body that is not JSON is answered and logged with the position only, never a piece of the body', async () => {
    const { logger, entries } = recordingLogger();
    const a = await started({}, logger);
    const cases: [string, string][] = [
      ['{"pelapor": "Siti Aminah" "isi": "x"}', 'the body is not JSON (at character 26)'],
      ['Siti Aminah melapor', 'the body is not JSON'],
      ['{"pelapor": "Siti Aminah', 'the body is not JSON (at character 24)'],
      ['\uFEFF{"pelapor": "Siti Aminah",}', 'the body is not JSON (at character 27)'],
    ];
    for (const [text, message] of cases) {
      const res = await post(a.url, text);
      expect(res.status).toBe(400);
      expect(await res.json()).toEqual({ error: 'invalid_json', message });
    }
    expect(entries.filter((e) => e.includes('invalid') || e.includes('not JSON'))).toHaveLength(cases.length);
    for (const e of entries) expect(e).not.toMatch(/Siti|Amin/);
  });

  it('uses id_field for the record id, dotted paths included', async () => {
    const a = await started({ id_field: 'aduan.nomor' });
    const watch = queueWatch(a);
    const res = held(post(a.url, [{ aduan: { nomor: 'PGD-9' }, isi: 'x' }]));
    await watch.until(1);
    expect((await walk(a)).records.map((r) => r.externalId)).toEqual(['PGD-9']);
    expect((await res.done).status).toBe(202);
    expect((await post(a.url, [{ id: 'PGD-10' }])).status).toBe(422);
  });

  it('answers 503 with Retry-After to requests still waiting when it closes (queued, or read but not settled)', async () => {
    const a = await started();
    const watch = queueWatch(a);
    const claimed = held(post(a.url, suiteRows(3)));
    await watch.until(1);
    const it = a.read(undefined)[Symbol.asyncIterator]();
    expect(((await it.next()).value as SourceBatch<undefined>).records).toHaveLength(3);
    const queued = held(post(a.url, suiteRows(1)));
    await watch.until(2);
    await a.close();
    for (const r of [await claimed.done, await queued.done]) {
      expect(r).toMatchObject({ status: 503, retryAfter: '5', body: { error: 'unavailable', message: expect.stringMatching(/nothing was committed/) } });
    }
    await expect(a.close()).resolves.toBeUndefined();
  });

  it('tells the listener when requests wait, also one registered late', async () => {
    const a = await started();
    const watch = queueWatch(a);
    const res = held(post(a.url, suiteRows(1)));
    await watch.until(1);
    const late = await new Promise<boolean>((resolve) => a.onPending(() => resolve(true)));
    expect(late).toBe(true);
    await walk(a);
    expect((await res.done).status).toBe(202);
  });

  it('drops a queued request whose sender hung up (it will send again)', async () => {
    const a = await started();
    const watch = queueWatch(a);
    const body = JSON.stringify(suiteRows(1));
    const ts = String(Math.floor(Date.now() / 1000));
    const req = http.request(a.url, { method: 'POST', headers: { 'Content-Type': 'application/json', 'X-Timestamp': ts, 'X-Signature': signWebhook(SECRET, ts, body) } });
    req.on('error', () => undefined);
    req.end(body);
    await watch.until(1);
    req.destroy();
    while (a.waiting > 0) await new Promise((r) => setTimeout(r, 10));
    expect((await walk(a)).records).toEqual([]);
  });

  it('answers too many waiting requests 503 instead of holding them', async () => {
    const a = await started({ max_pending_requests: 1 });
    const watch = queueWatch(a);
    const first = held(post(a.url, suiteRows(1)));
    await watch.until(1);
    const busy = await post(a.url, suiteRows(1));
    expect(busy.status).toBe(503);
    expect(busy.headers.get('retry-after')).toBe('5');
    await walk(a);
    expect((await first.done).status).toBe(202);
  });

  it('check() reports the URL it listens on; before open, whether it can bind', async () => {
    const a = await started();
    expect(await a.check()).toEqual({ ok: true, message: expect.stringContaining(a.url) });
    const free = makeAdapter();
    expect(await free.check()).toEqual({ ok: true, message: expect.stringMatching(/^can listen on 127\.0\.0\.1:0/) });
    const taken = makeAdapter({ port: a.address()?.port }, 'kota-y');
    expect(await taken.check()).toEqual({ ok: false, message: expect.stringMatching(/^\[kota-y\] cannot listen on 127\.0\.0\.1:\d+: the port is already in use/) });
    await expect(taken.open()).rejects.toThrow(/\[kota-y\] cannot listen on .*already in use/);
    await taken.close();
  });

  it('answers 404 elsewhere and a JSON 401 before reading the records', async () => {
    const a = await started();
    const res = await fetch(new URL('/other', a.url), { method: 'POST', body: '{}', headers: { 'Content-Type': 'application/json' } });
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ message: 'POST complaints to /webhook/lokal' });
  });
});
