/**
 * Issue #10, bounded input, REST sources: a page of 200 MB (streamed by a tiny server on
 * 127.0.0.1 from one 64 KB chunk, never allocated) and a page nested 100,000 levels deep each
 * fail that run of the source with an error naming the source, the request and the page; the
 * pages read before are committed and delivered, the bridge stays up, and a later good page is
 * read and delivered.
 */
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { openBridge, type Bridge } from '../../src/bridge.js';
import { loadSettingsOrThrow } from '../../src/settings/load-settings.js';
import { LaporSimulator } from '../../src/simulators/lapor-simulator.js';
import { runSyncCycle } from '../../src/sync/sync-cycle.js';
import { silentLogger } from '../../src/util/logger.js';
import { copyShippedConfig, tempDir } from '../helpers/workdir.js';

const API_KEY = 'hostile-rest-key-5d1c';
const TOTAL = 200 * 1024 * 1024;

type Mode = 'huge' | 'deep' | 'good';

function aduan(id: number): Record<string, unknown> {
  const t = `2024-05-01 0${id}:00:00`;
  return {
    id,
    nomor_tiket: `BBJ-${id}`,
    judul: `Jalan rusak nomor ${id}`,
    isi: `Jalan desa berlubang besar di RT ${id}.`,
    kategori: 'Jalan dan Jembatan',
    kecamatan: 'Labuan',
    desa: 'Teluk',
    alamat: 'Jl. Raya Labuan',
    latitude: -6.37,
    longitude: 105.83,
    tanggal: t,
    pelapor: { nama: 'Warga', no_hp: '081234567890', email: 'warga@example.id', nik: '3601010101010001' },
    anonim: '0',
    rahasia: false,
    lampiran: [],
    status: 'baru',
    updated_at: t,
  };
}

/** A Bebeja-shaped source: the first page (no updated_since) is always good; later pages per `mode`. */
class HostileSource {
  mode: Mode = 'huge';
  /** Bytes the server wrote of the last huge page before the client hung up. */
  hugeWritten = 0;
  private server = http.createServer((req, res) => this.handle(req, res));
  url = '';

  async start(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const url = new URL(req.url ?? '/', this.url);
    if (req.headers['x-api-key'] !== API_KEY) return void res.writeHead(401).end();
    const page = (data: unknown[], lastPage: number) => void res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ data, meta: { current_page: 1, last_page: lastPage, total: 3 } }));
    if (!url.searchParams.has('updated_since')) return page([aduan(1), aduan(2)], 2);
    if (this.mode === 'good') return page([aduan(2), aduan(3)], 1);
    res.writeHead(200, { 'Content-Type': 'application/json' });
    if (this.mode === 'deep') {
      res.end(`{"data":[{"id":9,"isi":${'['.repeat(100_000)}${']'.repeat(100_000)}}],"meta":{"last_page":1}}`);
      return;
    }
    // 200 MB of records, written from one 64 KB chunk until the client hangs up
    const record = `${JSON.stringify(aduan(4))},`;
    const chunk = Buffer.from(record.repeat(Math.ceil((64 * 1024) / record.length)));
    let written = 0;
    let closed = false;
    res.on('close', () => {
      closed = true;
      this.hugeWritten = written;
    });
    res.write('{"data":[');
    const pump = () => {
      while (!closed && written < TOTAL) {
        written += chunk.length;
        if (!res.write(chunk)) return void res.once('drain', pump);
      }
      if (!closed) res.end('{}]}');
    };
    pump();
  }
}

let dir: string;
let source: HostileSource;
let lapor: LaporSimulator;
let bridge: Bridge;

beforeAll(async () => {
  dir = tempDir('sp4n-hostile-rest-');
  const file = copyShippedConfig(dir, { immediateReconcile: true });
  const yaml = path.join(dir, 'config', 'sources', 'bebeja.yaml');
  const text = fs.readFileSync(yaml, 'utf8');
  const edited = text.replace('  records_path: /api/v1/aduan\n', '  records_path: /api/v1/aduan\n  max_response_bytes: 2MB\n  max_depth: 16\n').replace(/page_size: 100 .*\n/, 'page_size: 2\n');
  expect(edited).toContain('max_response_bytes: 2MB');
  expect(edited).toContain('page_size: 2\n');
  fs.writeFileSync(yaml, edited);
  source = new HostileSource();
  await source.start();
  lapor = new LaporSimulator();
  await lapor.start();
  Object.assign(process.env, { BEBEJA_URL: source.url, BEBEJA_API_KEY: API_KEY, LAPOR_BASE_URL: lapor.url, LAPOR_TOKEN: lapor.bearerToken, LAPOR_APP_TOKEN: lapor.appToken, SP4N_PII_KEY: 'hostile-pii-key' });
  bridge = await openBridge(loadSettingsOrThrow(file), { logger: silentLogger() });
});

afterAll(async () => {
  await bridge?.close();
  await source?.stop();
  await lapor?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

const refs = () => lapor.complaints().map((c) => String(c.body.content).split('\n').pop());

describe('hostile REST pages', () => {
  it('a 200 MB page fails the run with a clear error after the good page before it is committed and delivered', async () => {
    source.mode = 'huge';
    const run = await runSyncCycle(bridge);
    expect(run.sources[0]).toMatchObject({ ok: false, error: expect.stringMatching(/^\[bebeja\] GET \/api\/v1\/aduan \(page 1\): the reply is larger than max_response_bytes 2MB; it was cut off/) });
    // the client hung up long before 200 MB (the server's buffers and the 2 MB limit are all it took)
    await new Promise((r) => setTimeout(r, 50));
    expect(source.hugeWritten).toBeLessThan(TOTAL / 4);
    expect(refs()).toEqual(['Ref: bebeja/1', 'Ref: bebeja/2']);
  });

  it('a page nested 100,000 levels deep fails the run with a clear error; the process is alive', async () => {
    source.mode = 'deep';
    const run = await runSyncCycle(bridge);
    expect(run.sources[0]).toMatchObject({ ok: false, error: expect.stringMatching(/^\[bebeja\] GET \/api\/v1\/aduan \(page 1\): the reply is nested deeper than 16 levels \(at character \d+\), more than max_depth$/) });
    expect(refs()).toEqual(['Ref: bebeja/1', 'Ref: bebeja/2']);
  });

  it('a later good page is read and delivered', async () => {
    source.mode = 'good';
    const run = await runSyncCycle(bridge);
    expect(run.sources[0]).toMatchObject({ ok: true });
    expect(refs()).toEqual(['Ref: bebeja/1', 'Ref: bebeja/2', 'Ref: bebeja/3']);
    expect(run.states).toMatchObject({ delivered: 3 });
  });
});
