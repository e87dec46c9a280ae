/**
 * The LAPOR! simulator in the legacy XML dialect, driven over real HTTP by the real
 * lapor-legacy-xml sink and by hand-written requests: text round-trips intact, the token and
 * the XML are checked, faults apply, and `simulate lapor --dialect legacy-xml` serves it.
 */
import { afterAll, afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AttemptInput } from '../../src/ledger/ledger.js';
import type { StoredComplaint } from '../../src/ledger/sqlite-ledger.js';
import { LaporSimulator, type LaporComplaint } from '../../src/simulators/lapor-simulator.js';
import { laporLegacyXmlConfigSchema } from '../../src/sinks/lapor-legacy-xml/lapor-legacy-xml-config.js';
import { LaporLegacyXmlSink } from '../../src/sinks/lapor-legacy-xml/lapor-legacy-xml-sink.js';
import { buildXml, findText, parseXml } from '../../src/sinks/lapor-legacy-xml/legacy-xml.js';

const TOKEN = 'legacy-sim-token-5b2d';
let lapor: LaporSimulator;
const sinks: LaporLegacyXmlSink[] = [];

function makeSink(overrides: Record<string, unknown> = {}): LaporLegacyXmlSink {
  process.env.TEST_LEGACY_SIM_TOKEN = TOKEN;
  const config = laporLegacyXmlConfigSchema.parse({ dialect: 'lapor-legacy-xml', base_url: lapor.url, token: '${TEST_LEGACY_SIM_TOKEN}', timeout: '2s', ...overrides });
  const sink = new LaporLegacyXmlSink(config, { inCallRetries: 1, maxInCallWaitMs: 20 });
  sinks.push(sink);
  return sink;
}

function complaint(over: Partial<StoredComplaint> = {}): StoredComplaint {
  return {
    source: { system: 'bebeja', external_id: '3', received_at: '2024-03-01T08:30:00+07:00' },
    channel: 'app',
    classification: 'pengaduan',
    title: 'Jalan rusak di Labuan',
    content: 'Jalan desa berlubang besar.',
    attachments: [],
    is_anonymous: false,
    is_secret: false,
    reporter: { name: 'Siti Nur Aisyah', phone: '+6281234567890', email: 'siti@example.id' },
    ...over,
  };
}

function ctx() {
  const attempts: AttemptInput[] = [];
  return { attempts, idempotencyKey: 'key-1', onAttempt: (a: AttemptInput) => attempts.push(a), onWarning: () => undefined };
}

async function post(body: string, contentType = 'text/xml; charset=utf-8'): Promise<{ status: number; type: string | null; text: string }> {
  const res = await fetch(`${lapor.url}/api/stream/addstream`, { method: 'POST', headers: { 'Content-Type': contentType }, body });
  return { status: res.status, type: res.headers.get('content-type'), text: await res.text() };
}

/** The <message> of an XML error reply (decoded). */
function messageOf(text: string): string | undefined {
  const parsed = parseXml(text);
  return parsed.ok ? findText(parsed.doc, ['message']) : undefined;
}

const request = (token: string | undefined, isi: unknown, extra: Record<string, unknown> = {}) =>
  buildXml({ lapor: { ...(token === undefined ? {} : { '@_token': token }), laporan: { '@_rahasia': '0', '@_anonim': '1', ...(isi === undefined ? {} : { isi }) }, ...extra } });

beforeEach(async () => {
  lapor = new LaporSimulator({ dialect: 'legacy-xml', bearerToken: TOKEN });
  await lapor.start();
});

afterEach(async () => {
  for (const s of sinks.splice(0)) await s.close();
  await lapor.stop();
});

describe('legacy-xml simulator: round trip through the real sink', () => {
  it('a complaint containing </isi><script>, &amp;, quotes, <, emoji and Indonesian text arrives intact in the stored text', async () => {
    const title = 'Lampu "PJU" mati & jalan <gelap>';
    const content = [
      'Warga RT 03/RW 05 Desa Cikeusik melaporkan: </isi><script>alert("xss")</script>',
      "Harga 'Rp 5.000' & ongkos &amp; biaya lain; nilai < 10 dan > 2.",
      'Mohon segera ditindaklanjuti 🙏😀🇮🇩 — terima kasih, Pak/Bu.',
    ].join('\n');
    const out = await makeSink().deliver(complaint({ title, content }), ctx());
    expect(out).toEqual({ kind: 'delivered', laporId: '1000001', transactionId: 'TRX00000001' });

    const expected = `${title}\n\n${content}\n\nRef: bebeja/3`;
    const [stored] = lapor.complaints();
    expect(stored?.body.isi).toBe(expected);
    // the same through the read-only HTTP view a human (or another process) would use
    const view = (await (await fetch(`${lapor.origin}/_sim/complaints`)).json()) as { data: LaporComplaint[] };
    expect(view.data[0]?.body.isi).toBe(expected);
    // and on the wire it was escaped by the builder, never spliced in
    expect(stored?.raw).toContain('&lt;/isi&gt;&lt;script&gt;alert(&quot;xss&quot;)&lt;/script&gt;');
    expect(stored?.raw).toContain('&amp;amp; biaya');
    expect(stored?.raw).toContain('token="[token]"'); // the simulator keeps no token either
    expect(stored?.raw).not.toContain(TOKEN);
  });

  it('a complaint that is not anonymous carries <pelapor> (name split, local phone); the flags are kept', async () => {
    await makeSink().deliver(complaint({ is_secret: true }), ctx());
    expect(lapor.complaints()[0]?.body).toEqual({
      isi: 'Jalan rusak di Labuan\n\nJalan desa berlubang besar.\n\nRef: bebeja/3',
      rahasia: '1',
      anonim: '0',
      pelapor: { email: 'siti@example.id', telpon: '081234567890', namadepan: 'Siti', namabelakang: 'Nur Aisyah' },
    });
  });

  it('an anonymous complaint arrives without <pelapor> and without any of the reporter data', async () => {
    await makeSink().deliver(complaint({ is_anonymous: true }), ctx());
    const [stored] = lapor.complaints();
    expect(stored?.body).toEqual({ isi: 'Jalan rusak di Labuan\n\nJalan desa berlubang besar.\n\nRef: bebeja/3', rahasia: '0', anonim: '1' });
    expect(stored?.raw).not.toMatch(/pelapor|Siti|81234567890|siti@example/);
  });

  it('the search finds a stored complaint by its exact Ref line', async () => {
    const sink = makeSink({ lookup: {} });
    await sink.deliver(complaint({ source: { system: 'bebeja', external_id: '30', received_at: '2024-03-01T08:30:00+07:00' } }), ctx());
    expect(await sink.lookup(complaint(), { onAttempt: () => undefined })).toEqual({ found: false });
    await sink.deliver(complaint(), ctx());
    expect(await sink.lookup(complaint(), { onAttempt: () => undefined })).toEqual({ found: true, laporId: '1000002' });
  });

  it('an idempotency key (when the deployment honours one) replays the same ids', async () => {
    const sink = makeSink({ idempotency_header: 'Idempotency-Key' });
    const first = await sink.deliver(complaint(), ctx());
    const second = await sink.deliver(complaint(), ctx());
    expect(second).toEqual(first);
    expect(lapor.complaints()).toHaveLength(1);
  });
});

describe('legacy-xml simulator: validation', () => {
  it('answers a wrong or missing token with 401 in XML, storing nothing', async () => {
    for (const token of ['wrong', undefined]) {
      const res = await post(request(token, 'Isi'));
      expect(res.status).toBe(401);
      expect(res.type).toMatch(/^text\/xml/);
      expect(messageOf(res.text)).toBe('Token tidak valid.');
    }
    expect(lapor.complaints()).toEqual([]);
  });

  it.each([
    ['malformed XML', '<lapor token="x"><laporan><isi>a</laporan></lapor>', /XML tidak valid/],
    ['a DTD', `<!DOCTYPE lapor [<!ENTITY x SYSTEM "file:///etc/passwd">]><lapor token="${TOKEN}"><laporan><isi>&x;</isi></laporan></lapor>`, /DTDs are not accepted/],
    ['another root element', `<laporan token="${TOKEN}"><isi>a</isi></laporan>`, /akar harus <lapor>/],
    ['no <laporan>', request(TOKEN, undefined).replace(/<laporan[^>]*><\/laporan>/, ''), /<laporan> wajib/],
    ['no <isi>', request(TOKEN, undefined), /<isi> wajib/],
    ['an empty <isi>', request(TOKEN, '   '), /wajib diisi/],
    ['a bad flag', request(TOKEN, 'a').replace('anonim="1"', 'anonim="ya"'), /anonim harus 0 atau 1/],
  ])('rejects %s with 400 and an XML message', async (_what, body, message) => {
    const res = await post(body);
    expect(res.status).toBe(400);
    expect(messageOf(res.text)).toMatch(message);
    expect(lapor.complaints()).toEqual([]);
  });

  it('rejects a body that is not XML (JSON) with 400', async () => {
    const res = await post(JSON.stringify({ isi: 'x', token: TOKEN }), 'application/json');
    expect(res.status).toBe(400);
  });

  it('reads character references from other clients', async () => {
    const res = await post(`<?xml version="1.0"?><lapor token="${TOKEN}"><laporan anonim="1"><isi>Caf&#233; &#x1F600; &amp;amp;</isi></laporan></lapor>`);
    expect(res.status).toBe(200);
    expect(res.text).toMatch(/<trackingid>1000001<\/trackingid><transaksiid>TRX00000001<\/transaksiid>/);
    expect(lapor.complaints()[0]?.body.isi).toBe('Café 😀 &amp;');
  });

  it('does not serve the v3 routes, and a v3 simulator does not serve addstream (v3 unchanged)', async () => {
    expect((await fetch(`${lapor.url}/lapor/3.0.0/complaints/complaint`, { method: 'POST' })).status).toBe(404);
    const v3 = new LaporSimulator();
    await v3.start();
    try {
      expect(v3.url).toBe(`${v3.origin}/lapor/3.0.0`);
      const res = await fetch(`${v3.origin}/api/stream/addstream`, { method: 'POST', headers: { 'Content-Type': 'text/xml' }, body: request(v3.bearerToken, 'x') });
      expect(res.status).toBe(404);
    } finally {
      await v3.stop();
    }
  });
});

describe('legacy-xml simulator: faults', () => {
  it('a scripted 500 after storing: the sink is in doubt, the complaint is there, the call log says so', async () => {
    lapor.setFaults([{ match: 'create', status: 500, storeThenFail: true }]);
    const c = ctx();
    expect(await makeSink().deliver(complaint(), c)).toEqual({ kind: 'in_doubt', reason: 'HTTP 500: Server Error' });
    expect(c.attempts[0]?.reply).toContain('<message>Server Error</message>');
    expect(lapor.complaints()).toHaveLength(1);
    expect(lapor.requests()).toEqual([expect.objectContaining({ method: 'POST', path: '/api/stream/addstream', status: 500, fault: 'store-then-status', stored: true, complaintId: '1000001' })]);
  });

  it('a scripted 503 before storing is retried inside the call; a dropped connection is in doubt', async () => {
    lapor.setFaults([{ match: 'create', status: 503 }]);
    expect(await makeSink().deliver(complaint(), ctx())).toMatchObject({ kind: 'delivered', laporId: '1000001' });
    lapor.setFaults([{ match: 'create', dropConnection: true, storeThenFail: true }]);
    expect(await makeSink().deliver(complaint(), ctx())).toEqual({ kind: 'in_doubt', reason: 'no reply (ECONNRESET)' });
    expect(lapor.complaints()).toHaveLength(2);
  });

  it('a scripted 400 with a string body is sent as XML and rejected with its message', async () => {
    lapor.setFaults([{ match: 'create', status: 400, body: buildXml({ response: { message: 'Kategori tidak dikenal' } }) }]);
    expect(await makeSink().deliver(complaint(), ctx())).toEqual({ kind: 'rejected', reason: 'HTTP 400: Kategori tidak dikenal' });
  });

  it('random faults apply too: no-id is a 200 without <trackingid> (in doubt), malformed is not XML (in doubt)', async () => {
    lapor.setFaultProfile({ rules: [{ match: 'create', kind: 'no-id', rate: 1 }] });
    expect(await makeSink().deliver(complaint(), ctx())).toEqual({ kind: 'in_doubt', reason: 'HTTP 200: no <trackingid> in the reply' });
    lapor.setFaultProfile({ rules: [{ match: 'create', kind: 'malformed', rate: 1 }] });
    expect((await makeSink().deliver(complaint(), ctx())).kind).toBe('in_doubt');
    lapor.setFaultProfile({ rules: [{ match: 'create', kind: '429', rate: 1, retryAfter: 60 }] });
    expect(await makeSink().deliver(complaint(), ctx())).toMatchObject({ kind: 'retry', retryAfterMs: 60_000 });
  });
});

// ---------------------------------------------------------------------------- CLI

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const children: ChildProcess[] = [];

function cli(args: string[]): ChildProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  return child;
}

function collect(stream: NodeJS.ReadableStream | null): () => string {
  let text = '';
  stream?.setEncoding('utf8');
  stream?.on('data', (chunk: string) => (text += chunk));
  return () => text;
}

function firstLine(child: ChildProcess, stderr: () => string): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    child.stdout?.setEncoding('utf8');
    child.stdout?.on('data', (chunk: string) => {
      text += chunk;
      const nl = text.indexOf('\n');
      if (nl >= 0) resolve(text.slice(0, nl));
    });
    child.once('exit', (code) => reject(new Error(`exited with ${String(code)} before printing a line: ${stderr()}`)));
  });
}

afterAll(() => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});

describe('simulate lapor --dialect legacy-xml (child process)', () => {
  it('prints the base URL and env, serves addstream, and exits 0 on SIGTERM', async () => {
    const child = cli(['--json', 'simulate', 'lapor', '--port', '0', '--dialect', 'legacy-xml']);
    const stderr = collect(child.stderr);
    const exited = once(child, 'exit');
    const info = JSON.parse(await firstLine(child, stderr)) as { simulator: string; base_url: string; origin: string; env: Record<string, string>; options: Record<string, unknown> };
    expect(info.simulator).toBe('lapor');
    expect(info.base_url).toBe(info.origin);
    expect(info.env).toEqual({ LAPOR_BASE_URL: info.base_url, LAPOR_TOKEN: expect.any(String) });
    expect(info.options).toEqual({ dialect: 'legacy-xml' });

    const body = buildXml({ lapor: { '@_token': info.env.LAPOR_TOKEN, laporan: { '@_rahasia': '0', '@_anonim': '1', isi: 'Uji coba <b>&</b>' } } });
    const res = await fetch(`${info.base_url}/api/stream/addstream`, { method: 'POST', headers: { 'Content-Type': 'text/xml' }, body });
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('<trackingid>1000001</trackingid>');
    const stored = (await (await fetch(`${info.origin}/_sim/complaints`)).json()) as { data: LaporComplaint[] };
    expect(stored.data[0]?.body.isi).toBe('Uji coba <b>&</b>');

    child.kill('SIGTERM');
    const [code, signal] = await exited;
    expect({ code, signal }).toEqual({ code: 0, signal: null });
  });

  it('exits 2 on an unknown dialect', async () => {
    const child = cli(['--json', 'simulate', 'lapor', '--port', '0', '--dialect', 'soap']);
    const stderr = collect(child.stderr);
    const [code] = await once(child, 'exit');
    expect(code).toBe(2);
    expect(stderr()).toMatch(/--dialect: "soap" is not one of v3, legacy-xml/);
  });
});
