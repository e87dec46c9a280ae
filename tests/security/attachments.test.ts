/**
 * Attachment fetching is not an open proxy (issue #10): URLs from source data pointing at
 * loopback, the cloud metadata address, a private address, a host not in the allow list, a
 * redirect into the private network, a 50 MB body and an HTML page named `.jpg` are each refused
 * with their reason — and the complaint is delivered to LAPOR! (the in-process simulator)
 * without them. Real servers on 127.0.0.1; name resolution is injected where a test needs a
 * name to resolve somewhere else.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { AttemptInput, Warning } from '../../src/ledger/ledger.js';
import type { StoredComplaint } from '../../src/ledger/sqlite-ledger.js';
import { AttachmentFetcher, addressClass, attachmentsConfigSchema, sniffType } from '../../src/sinks/attachment-fetch.js';
import { laporV3ConfigSchema } from '../../src/sinks/lapor-v3/lapor-v3-config.js';
import { LaporV3Sink } from '../../src/sinks/lapor-v3/lapor-v3-sink.js';
import { LaporSimulator } from '../../src/simulators/lapor-simulator.js';

const PNG = Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108020000009077', 'hex');
const HTML = Buffer.from('<!DOCTYPE html><html><body>login</body></html>');

let files: http.Server;
let filesPort: number;
/** Bytes of the 50 MB body actually written before the client hung up. */
let bigWritten = 0;

beforeAll(async () => {
  files = http.createServer((req, res) => {
    const url = req.url ?? '/';
    if (url === '/photo.png') return res.writeHead(200, { 'content-type': 'image/png' }).end(PNG);
    if (url === '/photo.jpg') return res.writeHead(200, { 'content-type': 'image/jpeg' }).end(HTML); // an HTML page named .jpg
    if (url === '/to-private') return res.writeHead(302, { location: 'http://10.20.30.40/secret.png' }).end();
    if (url === '/to-metadata') return res.writeHead(301, { location: 'http://169.254.169.254/latest/meta-data/' }).end();
    if (url === '/loop') return res.writeHead(302, { location: '/loop' }).end();
    if (url === '/big.png') {
      // 50 MB, streamed without Content-Length: the limit must hold while streaming
      res.writeHead(200, { 'content-type': 'image/png' });
      const chunk = Buffer.alloc(64 * 1024, 1);
      PNG.copy(chunk);
      let left = 50 * 1024 * 1024;
      const pump = () => {
        while (left > 0) {
          left -= chunk.length;
          bigWritten += chunk.length;
          if (!res.write(chunk)) return void res.once('drain', pump);
        }
        res.end();
      };
      res.on('close', () => (left = 0));
      return pump();
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((r) => files.listen(0, '127.0.0.1', r));
  filesPort = (files.address() as AddressInfo).port;
});

afterAll(async () => {
  files.closeAllConnections();
  await new Promise((r) => files.close(r));
});

/** The files server as the source's own configured origin (like Bebeja on 127.0.0.1 in the sandbox). */
function fetcher(config: Record<string, unknown> = {}, lookup?: ConstructorParameters<typeof AttachmentFetcher>[0]['lookup']) {
  return new AttachmentFetcher({
    config: attachmentsConfigSchema.parse(config),
    maxBytes: 10 * 1024 * 1024,
    sourceOrigins: { bebeja: [`127.0.0.1:${filesPort}`] },
    lookup,
  });
}

/** A resolver that answers every name with one address. */
const resolveTo = (address: string) => ((_h: string, _o: unknown, cb: (e: null, a: { address: string; family: number }[]) => void) => cb(null, [{ address, family: address.includes(':') ? 6 : 4 }])) as never;

describe('attachment policy (fetcher)', () => {
  it('fetches from the source\'s own configured host, even on loopback, and types by content', async () => {
    const f = fetcher();
    const r = await f.fetch(`http://127.0.0.1:${filesPort}/photo.png`, 'bebeja');
    f.close();
    expect(r).toMatchObject({ kind: 'ok', type: 'png', mime: 'image/png' });
  });

  it.each([
    ['loopback (another port of 127.0.0.1)', 'http://127.0.0.1:9/x.png', /127\.0\.0\.1:9 is not allowed/],
    ['the cloud metadata address', 'http://169.254.169.254/latest/meta-data/', /169\.254\.169\.254 is not allowed/],
    ['a host not in the allow list', 'https://evil.example.com/x.png', /evil\.example\.com is not allowed/],
    ['a non-http scheme', 'file:///etc/passwd', /file: URLs are not fetched/],
  ])('refuses %s by host', async (_what, url, reason) => {
    const f = fetcher();
    const r = await f.fetch(url, 'bebeja');
    f.close();
    expect(r.kind).toBe('refused');
    expect((r as { reason: string }).reason).toMatch(reason);
  });

  it.each([
    ['127.0.0.1', /127\.0\.0\.1 is a loopback address/],
    ['169.254.169.254', /169\.254\.169\.254 is a link-local address/],
    ['10.1.2.3', /10\.1\.2\.3 is a private address/],
    ['192.168.1.10', /private address/],
    ['[::1]', /loopback address/],
    ['[fd00::1]', /unique-local address/],
    ['0.0.0.0', /unspecified address/],
  ])('refuses the address %s even when its host is allow-listed (no connection made)', async (host, reason) => {
    const f = fetcher({ allowed_hosts: [host.replace(/^\[|\]$/g, '')] });
    const r = await f.fetch(`http://${host}/x.png`, 'bebeja');
    f.close();
    expect(r).toMatchObject({ kind: 'refused', reason: expect.stringMatching(reason) });
  });

  it('checks addresses after DNS resolution: an allowed name resolving to a private address is refused', async () => {
    const f = fetcher({ allowed_hosts: ['files.example.go.id'] }, resolveTo('10.9.8.7'));
    const r = await f.fetch('http://files.example.go.id/x.png', 'bebeja');
    f.close();
    expect(r).toMatchObject({ kind: 'refused', reason: 'files.example.go.id resolves to 10.9.8.7, a private address' });
  });

  it('checks the address the socket connects to: an allowed name resolving to loopback is refused at connect', async () => {
    const f = fetcher({ allowed_hosts: ['cdn.example.go.id'] }, resolveTo('127.0.0.1'));
    const r = await f.fetch(`http://cdn.example.go.id:${filesPort}/photo.png`, 'bebeja');
    f.close();
    expect(r).toMatchObject({ kind: 'refused', reason: expect.stringContaining('a loopback address') });
  });

  it('allow_private opens a named range (explicit allowance)', async () => {
    const f = fetcher({ allowed_hosts: ['cdn.example.go.id'], allow_private: ['127.0.0.0/8'] }, resolveTo('127.0.0.1'));
    const r = await f.fetch(`http://cdn.example.go.id:${filesPort}/photo.png`, 'bebeja');
    f.close();
    expect(r).toMatchObject({ kind: 'ok', type: 'png' });
  });

  it('checks every redirect: into a private address, to the metadata address, and at most 3 hops', async () => {
    const f = fetcher({ allowed_hosts: ['10.20.30.40', '169.254.169.254'] });
    expect(await f.fetch(`http://127.0.0.1:${filesPort}/to-private`, 'bebeja')).toMatchObject({ kind: 'refused', reason: '10.20.30.40 is a private address' });
    expect(await f.fetch(`http://127.0.0.1:${filesPort}/to-metadata`, 'bebeja')).toMatchObject({ kind: 'refused', reason: '169.254.169.254 is a link-local address' });
    expect(await f.fetch(`http://127.0.0.1:${filesPort}/loop`, 'bebeja')).toMatchObject({ kind: 'refused', reason: 'more than 3 redirects' });
    f.close();
  });

  it('stops a 50 MB body at the size limit while it streams', async () => {
    bigWritten = 0;
    const f = fetcher();
    const r = await f.fetch(`http://127.0.0.1:${filesPort}/big.png`, 'bebeja');
    f.close();
    expect(r).toMatchObject({ kind: 'refused', reason: 'larger than 10485760 bytes; download stopped' });
    // the server did not get to write the whole body: the client hung up on the way
    expect(bigWritten).toBeLessThan(50 * 1024 * 1024);
  });

  it('refuses an HTML page named .jpg (content sniffing, not the extension or Content-Type)', async () => {
    const f = fetcher();
    const r = await f.fetch(`http://127.0.0.1:${filesPort}/photo.jpg`, 'bebeja');
    f.close();
    expect(r).toMatchObject({ kind: 'refused', reason: expect.stringContaining('content is an HTML page') });
  });

  it('sources do not share allowances: another source\'s host is not allowed', async () => {
    const f = fetcher();
    const r = await f.fetch(`http://127.0.0.1:${filesPort}/photo.png`, 'other-source');
    f.close();
    expect(r.kind).toBe('refused');
  });

  it('classifies addresses and magic bytes', () => {
    expect(addressClass('8.8.8.8')).toBeUndefined();
    expect(addressClass('::ffff:127.0.0.1')).toBe('loopback');
    expect(addressClass('100.64.1.1')).toBe('private (CGNAT)');
    // IPv6 forms that can reach an IPv4 address (169.254.169.254 here) on a translating network
    expect(addressClass('64:ff9b::a9fe:a9fe')).toBe('IPv4 translation (NAT64)');
    expect(addressClass('2002:a9fe:a9fe::1')).toBe('6to4');
    expect(addressClass('::a9fe:a9fe')).toBe('IPv4-compatible');
    expect(addressClass('2001:4860:4860::8888')).toBeUndefined();
    expect(sniffType(Buffer.from('%PDF-1.7\n'))).toBe('pdf');
    expect(sniffType(Buffer.from('GIF89a......'))).toBe('gif');
    expect(sniffType(Buffer.from('RIFF\0\0\0\0WEBPVP8 '))).toBe('webp');
    expect(sniffType(Buffer.from('\0\0\0\x18ftypmp42'))).toBe('mp4');
    expect(sniffType(HTML)).toBeUndefined();
  });
});

describe('a complaint with refused attachments is still delivered (LAPOR! simulator)', () => {
  let lapor: LaporSimulator;
  beforeAll(async () => {
    lapor = new LaporSimulator();
    await lapor.start();
  });
  afterAll(async () => {
    await lapor.stop();
  });

  it('delivers with the good attachment, and a warning naming the reason for each dropped one', async () => {
    process.env.SEC_LAPOR_TOKEN = lapor.bearerToken;
    process.env.SEC_LAPOR_APP_TOKEN = lapor.appToken;
    const config = laporV3ConfigSchema.parse({
      dialect: 'lapor-v3',
      base_url: lapor.url,
      auth: { bearer_token: '${SEC_LAPOR_TOKEN}', app_token: '${SEC_LAPOR_APP_TOKEN}' },
      default_disposition_id: 1001,
      lookup: false,
      attachments: { allowed_hosts: ['10.20.30.40', '169.254.169.254'] },
    });
    const sink = new LaporV3Sink(config, { inCallRetries: 0, attachmentSources: { bebeja: [`127.0.0.1:${filesPort}`] } });
    const base = `http://127.0.0.1:${filesPort}`;
    const urls = [`${base}/photo.png`, 'http://127.0.0.1:1/x.png', 'http://169.254.169.254/latest/meta-data/', 'http://10.20.30.40/a.png', 'https://evil.example.com/a.png', `${base}/to-private`, `${base}/big.png`, `${base}/photo.jpg`];
    const complaint: StoredComplaint = {
      source: { system: 'bebeja', external_id: '77', received_at: '2024-03-01T08:30:00+07:00' },
      channel: 'app',
      classification: 'pengaduan',
      title: 'Lampiran berbahaya',
      content: 'Isi pengaduan dengan lampiran.',
      attachments: urls.map((url, i) => ({ url, filename: `f${i}` })),
      is_anonymous: false,
      is_secret: false,
    };
    const warnings: Warning[] = [];
    const attempts: AttemptInput[] = [];
    const out = await sink.deliver(complaint, { idempotencyKey: 'k-77', onAttempt: (a) => attempts.push(a), onWarning: (w) => warnings.push(w) });
    await sink.close();
    expect(out.kind).toBe('delivered');
    const filed = lapor.complaints();
    expect(filed).toHaveLength(1);
    expect(filed[0]?.body.attachments).toHaveLength(1);
    expect(lapor.uploads().map((u) => u.mime)).toEqual(['image/png']);
    expect(warnings.map((w) => w.message)).toEqual([
      expect.stringMatching(/^f1 refused: host 127\.0\.0\.1:1 is not allowed/),
      expect.stringMatching(/^f2 refused: host 169\.254\.169\.254 is not allowed|^f2 refused: 169\.254\.169\.254 is a link-local address/),
      'f3 refused: 10.20.30.40 is a private address; dropped',
      expect.stringMatching(/^f4 refused: host evil\.example\.com is not allowed/),
      'f5 refused: 10.20.30.40 is a private address; dropped',
      'f6 refused: larger than 10485760 bytes; download stopped; dropped',
      expect.stringMatching(/^f7 refused: content is an HTML page/),
    ]);
    expect(warnings.every((w) => w.field === 'attachments')).toBe(true);
    expect(attempts.filter((a) => a.operation === 'fetch_attachment' && a.outcome === 'dropped')).toHaveLength(7);
  });
});
