/**
 * `lapor masters` through the real CLI: LAPOR!'s institution and category lists into lookup CSV
 * files, against the LAPOR! simulator (both auth headers checked, Laravel paging) and a small
 * independent fake for the other reply shapes; the written file works as a mapping lookup.
 */
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { parse } from 'csv-parse/sync';
import { compileMapping } from '../../src/mapping/compile-mapping.js';
import { BebejaSimulator } from '../../src/simulators/bebeja-simulator.js';
import { LAPOR_CATEGORIES, LAPOR_INSTITUTIONS, LaporSimulator, type LaporSimulatorOptions } from '../../src/simulators/lapor-simulator.js';
import { sandboxEnv } from '../../src/simulators/sandbox-env.js';
import { runCli } from '../helpers/capture.js';
import { copyShippedConfig, tempDir } from '../helpers/workdir.js';

let dir: string;
let out: string;
let configFile: string;
let bebeja: BebejaSimulator;
let lapor: LaporSimulator | undefined;

const cli = (...args: string[]) => runCli('--config', configFile, ...args);

async function startLapor(options: LaporSimulatorOptions = {}): Promise<LaporSimulator> {
  lapor = new LaporSimulator(options);
  await lapor.start();
  Object.assign(process.env, sandboxEnv(bebeja, lapor, 'masters-pii-key'));
  return lapor;
}

function readCsv(file: string): Record<string, string>[] {
  return parse(fs.readFileSync(file, 'utf8'), { columns: true }) as Record<string, string>[];
}

beforeEach(async () => {
  dir = tempDir('sp4n-masters-');
  out = path.join(dir, 'out');
  configFile = copyShippedConfig(dir);
  bebeja = new BebejaSimulator({ seed: 'none' });
  await bebeja.start();
});

afterEach(async () => {
  await lapor?.stop();
  lapor = undefined;
  await bebeja.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('lapor masters', () => {
  it("writes the simulator's institutions and categories as lookup CSV files", async () => {
    const sim = await startLapor();
    const r = await cli('lapor', 'masters', '--out', out);
    expect(r.code).toBe(0);
    const institutions = path.join(out, 'lapor-institutions.csv');
    const categories = path.join(out, 'lapor-categories.csv');
    expect(r.stdout).toContain(`wrote ${institutions}: ${LAPOR_INSTITUTIONS.length} institutions (GET /masters/institutions/external, 1 page)`);
    expect(r.stdout).toContain(`wrote ${categories}: ${LAPOR_CATEGORIES.length} categories (GET /masters/categories, 1 page)`);

    expect(fs.readFileSync(institutions, 'utf8').split('\n')[0]).toBe('name,lapor_institution_id');
    expect(fs.readFileSync(categories, 'utf8').split('\n')[0]).toBe('name,lapor_category_id');
    const rows = readCsv(institutions);
    expect(rows).toHaveLength(LAPOR_INSTITUTIONS.length);
    expect(new Map(rows.map((x) => [x.name, x.lapor_institution_id]))).toEqual(new Map(LAPOR_INSTITUTIONS.map((i) => [i.name, String(i.id)])));
    // names with commas survive the CSV quoting; UTF-8 without a BOM
    expect(readCsv(categories)).toContainEqual({ name: 'Ketenteraman, Ketertiban Umum, dan Perlindungan Masyarakat', lapor_category_id: '80' });
    expect(fs.readFileSync(institutions).subarray(0, 3).toString('hex')).not.toBe('efbbbf');
    // sorted by name, no temporary files left behind
    expect(rows.map((x) => x.name)).toEqual([...rows.map((x) => x.name)].sort((a, b) => (a ?? '').localeCompare(b ?? '', 'id')));
    expect(fs.readdirSync(out).sort()).toEqual(['lapor-categories.csv', 'lapor-institutions.csv']);

    // the simulator checks both auth headers; every call asked for page_size=1000
    const calls = sim.requests();
    expect(calls.map((c) => [c.method, c.path, c.status])).toEqual([
      ['GET', '/lapor/3.0.0/masters/institutions/external', 200],
      ['GET', '/lapor/3.0.0/masters/categories', 200],
    ]);
    for (const c of calls) expect(c.url).toContain('page_size=1000');
  });

  it('the written CSV works as a lookup file in a mapping', async () => {
    await startLapor();
    expect((await cli('lapor', 'masters', '--out', out)).code).toBe(0);
    const mapping = compileMapping(
      {
        fields: {
          'source.received_at': { path: 'tanggal', transforms: ['parse_datetime'] },
          channel: { value: 'web' },
          content: { path: 'isi' },
          'target_agency.source_code': { path: 'dinas' },
          'target_agency.lapor_institution_id': { path: 'dinas', transforms: [{ lookup: { file: 'lapor-institutions.csv' } }] },
          'category.source_code': { path: 'kategori' },
          'category.lapor_category_id': { path: 'kategori', transforms: [{ lookup: { file: 'lapor-categories.csv' } }] },
        },
      },
      { sourceId: 'sambat', lookupsDir: out },
    );
    const ok = mapping.map({ tanggal: '2025-03-01 09:00:00', isi: 'Antrean obat di puskesmas lama sekali.', dinas: '  dinas kesehatan KABUPATEN pandeglang ', kategori: 'Kesehatan' }, '77');
    expect(ok.ok).toBe(true);
    if (ok.ok) {
      expect(ok.complaint.target_agency).toEqual({ source_code: '  dinas kesehatan KABUPATEN pandeglang ', lapor_institution_id: '3601011' });
      expect(ok.complaint.category).toEqual({ source_code: 'Kesehatan', lapor_category_id: '20' });
    }
    const miss = mapping.map({ tanggal: '2025-03-01 09:00:00', isi: 'Isi.', dinas: 'Dinas Tidak Ada', kategori: 'Kesehatan' }, '78');
    expect(miss.ok && miss.complaint.target_agency?.lapor_institution_id).toBeFalsy();
    expect(miss.warnings.map((w) => w.message)).toContainEqual(expect.stringContaining('is not in lapor-institutions.csv'));
  });

  it('defaults to the configured lookups folder, follows next_page_url, and replaces the files atomically', async () => {
    const sim = await startLapor({ mastersPageSize: 5 });
    const lookups = path.join(dir, 'config', 'lookups');
    fs.writeFileSync(path.join(lookups, 'lapor-institutions.csv'), 'name,lapor_institution_id\nOld,1\n');
    const r = await cli('--json', 'lapor', 'masters');
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout) as { out_dir: string; files: { kind: string; file: string; rows: number; replaced: boolean; pages: number }[] };
    expect(doc.out_dir).toBe(lookups);
    expect(doc.files).toEqual([
      expect.objectContaining({ kind: 'institutions', file: path.join(lookups, 'lapor-institutions.csv'), rows: LAPOR_INSTITUTIONS.length, replaced: true, pages: 3 }),
      expect.objectContaining({ kind: 'categories', file: path.join(lookups, 'lapor-categories.csv'), rows: LAPOR_CATEGORIES.length, replaced: false, pages: 3 }),
    ]);
    expect(readCsv(path.join(lookups, 'lapor-institutions.csv'))).toHaveLength(LAPOR_INSTITUTIONS.length);
    expect(sim.requests().filter((c) => c.path.endsWith('/masters/institutions/external')).map((c) => new URL(c.url, 'http://x').searchParams.get('page'))).toEqual([null, '2', '3']);
    expect(fs.readdirSync(lookups).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    // and the shipped source still loads with the new files beside its own
    expect((await cli('config', 'check')).code).toBe(0);
  });

  it('skips categories with a notice where the deployment has none (404), or on --no-categories', async () => {
    const sim = await startLapor({ categories: false });
    const r = await cli('lapor', 'masters', '--out', out);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('note: categories: this LAPOR! deployment offers no list at /masters/categories (HTTP 404); skipped');
    expect(fs.readdirSync(out)).toEqual(['lapor-institutions.csv']);

    sim.reset();
    const skip = await cli('lapor', 'masters', '--out', out, '--no-categories');
    expect(skip.code).toBe(0);
    expect(skip.stdout).toContain('replaced');
    expect(skip.stdout).toContain('note: categories skipped (--no-categories)');
    expect(sim.requests().map((c) => c.path)).toEqual(['/lapor/3.0.0/masters/institutions/external']);
  });

  it('a wrong token is a clear error, exit 1, and nothing is written', async () => {
    await startLapor();
    process.env.LAPOR_TOKEN = 'not-the-token';
    const r = await cli('lapor', 'masters', '--out', out);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/LAPOR! refused the credentials: GET \/masters\/institutions\/external at http:\/\/127\.0\.0\.1:\d+ answered HTTP 401 \(Unauthenticated\.\); check destination\.auth\.bearer_token \(\$\{LAPOR_TOKEN\}\)/);
    expect(r.stderr).not.toContain('not-the-token');
    expect(fs.existsSync(out)).toBe(false);
  });

  it('a LAPOR! that fails keeps failing after a few tries: exit 1, nothing written', async () => {
    const sim = await startLapor();
    sim.setFaults([{ match: 'any', status: 503, times: 10 }]);
    const r = await cli('lapor', 'masters', '--out', out);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('answered HTTP 503');
    expect(sim.requests()).toHaveLength(3);
    expect(fs.existsSync(out)).toBe(false);
  });

  it('the legacy XML dialect has no master lists: clear message, exit 1', async () => {
    await startLapor();
    const text = fs.readFileSync(configFile, 'utf8');
    const start = text.indexOf('\ndestination:\n');
    const end = text.indexOf('\ndelivery:\n');
    fs.writeFileSync(configFile, `${text.slice(0, start + 1)}destination:\n  dialect: lapor-legacy-xml\n  base_url: \${LAPOR_BASE_URL}\n  token: \${LAPOR_TOKEN}\n${text.slice(end)}`);
    const r = await cli('lapor', 'masters', '--out', out);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('lapor masters needs the lapor-v3 dialect; destination.dialect is lapor-legacy-xml');
    expect(fs.existsSync(out)).toBe(false);
  });
});

describe('lapor masters against other reply shapes', () => {
  let server: http.Server;
  let seen: { url: string; auth?: string; token?: string }[];

  /** A gateway that pages with `{ data, next_page_url }` and lists categories at `results.docs`. */
  async function startFake(nextPage: (origin: string) => string): Promise<string> {
    seen = [];
    server = http.createServer((req, res) => {
      seen.push({ url: req.url ?? '', auth: req.headers.auth as string | undefined, token: req.headers.token as string | undefined });
      const url = new URL(req.url ?? '/', 'http://x');
      const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      res.setHeader('content-type', 'application/json');
      if (url.pathname === '/api/masters/institutions/external' && url.searchParams.get('page') === null) {
        res.end(JSON.stringify({ data: [{ id: 11, name: 'Dinas Pendidikan Kota Malang' }, { id: 12, name: 'dinas pendidikan kota  malang' }, { name: 'tanpa id' }], next_page_url: nextPage(origin) }));
      } else if (url.pathname === '/api/masters/institutions/external') {
        res.end(JSON.stringify({ data: [{ institution_id: 13, institution_name: 'Dinas Kesehatan Kota Malang' }], next_page_url: null }));
      } else if (url.pathname === '/api/masters/categories') {
        res.end(JSON.stringify({ results: { docs: [{ id: 'K-1', title: 'Jalan dan Jembatan' }] } }));
      } else {
        res.statusCode = 404;
        res.end('{"message":"Not Found"}');
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api`;
    // this deployment names the bearer header "auth"
    fs.writeFileSync(configFile, fs.readFileSync(configFile, 'utf8').replace('bearer_header: Authorization', 'bearer_header: auth'));
    Object.assign(process.env, { LAPOR_BASE_URL: base, LAPOR_TOKEN: 'fake-bearer', LAPOR_APP_TOKEN: 'fake-app', BEBEJA_URL: bebeja.url, BEBEJA_API_KEY: bebeja.apiKey, SP4N_PII_KEY: 'k' });
    return base;
  }

  afterEach(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('reads lists at data and results.docs, follows a relative next_page_url, keeps the first of a duplicated name', async () => {
    await startFake(() => '/api/masters/institutions/external?page=2');
    const r = await cli('lapor', 'masters', '--out', out);
    expect(r.code).toBe(0);
    expect(readCsv(path.join(out, 'lapor-institutions.csv'))).toEqual([
      { name: 'Dinas Kesehatan Kota Malang', lapor_institution_id: '13' },
      { name: 'Dinas Pendidikan Kota Malang', lapor_institution_id: '11' },
    ]);
    expect(readCsv(path.join(out, 'lapor-categories.csv'))).toEqual([{ name: 'Jalan dan Jembatan', lapor_category_id: 'K-1' }]);
    expect(r.stdout).toContain('note: institutions: 1 item(s) without an id or a name were left out');
    expect(r.stdout).toContain('note: institutions: "Dinas Pendidikan Kota Malang" is listed under several ids (11, 12); kept 11');
    expect(seen.map((s) => s.url)).toEqual(['/api/masters/institutions/external?page_size=1000', '/api/masters/institutions/external?page=2&page_size=1000', '/api/masters/categories?page_size=1000']);
    for (const s of seen) expect(s).toMatchObject({ auth: 'Bearer fake-bearer', token: 'fake-app' });
  });

  it('refuses a next_page_url on another host', async () => {
    await startFake(() => 'http://evil.example/api/masters/institutions/external?page=2');
    const r = await cli('lapor', 'masters', '--out', out);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('next_page_url points to another host (http://evil.example); not followed');
    expect(fs.existsSync(out)).toBe(false);
  });
});
