/**
 * `mapping coverage` through the real CLI: counts per mapped field the values that missed a lookup
 * (and the rest), most frequent first, from the live Bebeja simulator, from an --input file and
 * from the ledger's quarantine and stored warnings — never showing reporter values.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { loadSettingsOrThrow } from '../../src/settings/load-settings.js';
import { BebejaSimulator } from '../../src/simulators/bebeja-simulator.js';
import { DEMO_RECORDS } from '../../src/simulators/bebeja-seed.js';
import { LaporSimulator } from '../../src/simulators/lapor-simulator.js';
import { sandboxEnv } from '../../src/simulators/sandbox-env.js';
import { runCli } from '../helpers/capture.js';
import { copyShippedConfig, tempDir, write } from '../helpers/workdir.js';

let dir: string;
let configFile: string;
let ledgerPath: string;
let bebeja: BebejaSimulator;
let lapor: LaporSimulator;

const cli = (...args: string[]) => runCli('--config', configFile, ...args);

interface CoverageJson {
  source: string;
  origin: string;
  records: number;
  mapped: number;
  with_warnings: number;
  quarantined: number;
  limit_reached?: boolean;
  groups: { field: string; kind: string; action?: string; lookup?: string; count: number; quarantined: number; items: { value?: string; detail?: string; count: number }[] }[];
  lookups: { lookup: string; path?: string; missing: { value: string; count: number }[] }[];
}

const group = (doc: CoverageJson, field: string, kind: string) => doc.groups.find((g) => g.field === field && g.kind === kind);

/** Personal data of the demo seed and of what the tests add. */
const PERSONAL = [...DEMO_RECORDS.flatMap((r) => [r.pelapor.nama, r.pelapor.no_hp, r.pelapor.email, r.pelapor.nik]), 'Rahmat Hidayat', '0877-5555-1212', 'rahmat@example.com', '3601121203870777', '360112120387077700'].filter(
  (x): x is string => typeof x === 'string' && x.length > 0,
);
function expectNoPersonalData(text: string): void {
  for (const s of PERSONAL) expect(text).not.toContain(s);
}

/** Records a new source would send: categories the lookup does not know yet. */
function addUnknownCategories(): void {
  for (let i = 0; i < 3; i++) bebeja.add({ judul: `Jalan rusak ${i + 1}`, isi: 'Jalan berlubang dan membahayakan pengendara.', kategori: 'Jalan Rusak', kecamatan: 'Labuan' });
  bebeja.add({ judul: 'Banjir', isi: 'Banjir setinggi lutut merendam rumah warga.', kategori: 'Banjir', kecamatan: 'Labuan' });
  // reporter values must never be listed, even when they fail
  bebeja.add({ judul: 'NIK kepanjangan', isi: 'Isi pengaduan.', kategori: 'Banjir', pelapor: { nama: 'Rahmat Hidayat', no_hp: '0877-5555-1212', email: 'rahmat@example.com', nik: '360112120387077700' } });
}

beforeEach(async () => {
  dir = tempDir('sp4n-coverage-');
  configFile = copyShippedConfig(dir);
  bebeja = new BebejaSimulator();
  lapor = new LaporSimulator();
  await bebeja.start();
  await lapor.start();
  Object.assign(process.env, sandboxEnv(bebeja, lapor, 'coverage-pii-key'));
  ledgerPath = loadSettingsOrThrow(configFile).ledgerPath;
});

afterEach(async () => {
  await bebeja.stop();
  await lapor.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('mapping coverage from the live source', () => {
  it('counts lookup misses per value, most frequent first, and names the file to add them to', async () => {
    addUnknownCategories();
    const r = await cli('mapping', 'coverage', '--source', 'bebeja');
    expect(r.code).toBe(0);
    const out = r.stdout;
    const total = DEMO_RECORDS.length + 5;
    expect(out).toMatch(new RegExp(`mapping coverage — source bebeja, mapping [0-9a-f]{12}; ${total} records from the live source`));
    expect(out).toMatch(/^\d+ mapped \(\d+ with warnings\), 1 quarantined$/m);
    expect(out).toMatch(/^category\.lapor_category_id: lookup miss, dropped \(bebeja-kategori\.csv\) ×5 — 'Jalan Rusak' ×3, 'Banjir' ×2$/m);
    expect(out).toMatch(/^content: quarantined ×1 — the record has neither title nor content ×1$/m);
    expect(out).toMatch(/^reporter\.nik: .* — \(values not shown: personal data\)$/m);
    expect(out).toContain(`→ add 2 keys to ${path.join(dir, 'config', 'lookups', 'bebeja-kategori.csv')}: 'Jalan Rusak', 'Banjir'`);
    // the most frequent problem comes first
    expect(out.indexOf('category.lapor_category_id: lookup miss')).toBeLessThan(out.indexOf('content: quarantined'));
    expectNoPersonalData(out + r.stderr);
    expect(fs.existsSync(ledgerPath)).toBe(false);
    expect(lapor.requests()).toEqual([]);
  });

  it('--json: groups with structured kinds and values; reporter values never listed', async () => {
    addUnknownCategories();
    const r = await cli('--json', 'mapping', 'coverage', '--source', 'bebeja');
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout) as CoverageJson;
    expect(doc).toMatchObject({ source: 'bebeja', origin: 'source', records: DEMO_RECORDS.length + 5, quarantined: 1, limit_reached: false });
    expect(group(doc, 'category.lapor_category_id', 'lookup_miss')).toEqual({
      field: 'category.lapor_category_id',
      kind: 'lookup_miss',
      action: 'dropped',
      lookup: 'bebeja-kategori.csv',
      count: 5,
      quarantined: 0,
      items: [
        { value: 'Jalan Rusak', count: 3 },
        { value: 'Banjir', count: 2 },
      ],
    });
    expect(doc.groups[0]?.field).toBe('category.lapor_category_id');
    expect(group(doc, 'content', 'quarantined')).toMatchObject({ count: 1, quarantined: 1, items: [{ detail: 'the record has neither title nor content', count: 1 }] });
    const nik = doc.groups.find((g) => g.field === 'reporter.nik');
    expect(nik?.count).toBe(2); // the demo seed's 20-digit NIK and the one added here
    expect(nik?.items).toEqual([]);
    expect(doc.lookups).toEqual([{ lookup: 'bebeja-kategori.csv', path: path.join(dir, 'config', 'lookups', 'bebeja-kategori.csv'), missing: [{ value: 'Jalan Rusak', count: 3 }, { value: 'Banjir', count: 2 }] }]);
    expectNoPersonalData(r.stdout + r.stderr);
  });

  it('--limit stops the walk and says so', async () => {
    const doc = JSON.parse((await cli('--json', 'mapping', 'coverage', '--source', 'bebeja', '--limit', '4')).stdout) as CoverageJson;
    expect(doc).toMatchObject({ records: 4, limit_reached: true });
    const text = await cli('mapping', 'coverage', '--source', 'bebeja', '--limit', '4');
    expect(text.stdout).toContain('(stopped at the limit; pass --limit n to count more records)');
  });
});

describe('mapping coverage --input', () => {
  it('counts the records of a file, in text and JSON', async () => {
    const records = [
      ...['Jalan Rusak', 'Jalan Rusak', 'Banjir', 'Kesehatan'].map((kategori, i) => ({ id: 700 + i, judul: `Aduan ${i}`, isi: 'Isi aduan warga.', kategori, kecamatan: 'Labuan', tanggal: '2025-02-01 10:00:00', anonim: '0', rahasia: false, lampiran: [], updated_at: '2025-02-01T10:00:00+07:00' })),
      { id: 799, judul: '', isi: '', kategori: 'Kesehatan', anonim: '0', updated_at: '2025-02-01T10:00:00+07:00' },
    ];
    const input = write(path.join(dir, 'aduan.json'), JSON.stringify(records));
    const r = await cli('mapping', 'coverage', '--source', 'bebeja', '--input', input);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`5 records from ${input}`);
    expect(r.stdout).toMatch(/^4 mapped \(3 with warnings\), 1 quarantined$/m);
    expect(r.stdout).toMatch(/^category\.lapor_category_id: lookup miss, dropped \(bebeja-kategori\.csv\) ×3 — 'Jalan Rusak' ×2, 'Banjir' ×1$/m);

    const doc = JSON.parse((await cli('--json', 'mapping', 'coverage', '--source', 'bebeja', '--input', input)).stdout) as CoverageJson;
    expect(doc).toMatchObject({ origin: 'input', input_file: input, records: 5, mapped: 4, with_warnings: 3, quarantined: 1 });
    expect(group(doc, 'category.lapor_category_id', 'lookup_miss')?.items).toEqual([
      { value: 'Jalan Rusak', count: 2 },
      { value: 'Banjir', count: 1 },
    ]);
    expect(lapor.requests()).toEqual([]);
    expect(fs.existsSync(ledgerPath)).toBe(false);
  });

  it('a clean file says so', async () => {
    const input = write(path.join(dir, 'clean.json'), JSON.stringify([{ id: 1, judul: 'Aduan', isi: 'Isi.', kategori: 'Kesehatan', kecamatan: 'Labuan', tanggal: '2025-02-01 10:00:00', anonim: '0', rahasia: false, lampiran: [] }]));
    const r = await cli('mapping', 'coverage', '--source', 'bebeja', '--input', input);
    expect(r.stdout).toContain('every value mapped cleanly');
  });
});

describe('mapping coverage --from-ledger', () => {
  it("counts the quarantine reasons and the stored warnings of the source's records", async () => {
    addUnknownCategories();
    expect((await cli('sync')).code).toBe(0);
    // an auditor's run: bridge.yaml is read without resolving secrets
    delete process.env.LAPOR_TOKEN;
    const r = await cli('mapping', 'coverage', '--source', 'bebeja', '--from-ledger');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`from the ledger ${ledgerPath}`);
    expect(r.stdout).toMatch(/^category\.lapor_category_id: lookup miss, dropped \(bebeja-kategori\.csv\) ×5 — 'Jalan Rusak' ×3, 'Banjir' ×2$/m);
    expect(r.stdout).toMatch(/^content: quarantined ×1 — the record has neither title nor content ×1$/m);
    expect(r.stdout).toContain('→ add 2 keys to');

    const doc = JSON.parse((await cli('--json', 'mapping', 'coverage', '--source', 'bebeja', '--from-ledger')).stdout) as CoverageJson;
    expect(doc).toMatchObject({ origin: 'ledger', records: DEMO_RECORDS.length + 5, quarantined: 1 });
    expect(group(doc, 'category.lapor_category_id', 'lookup_miss')?.items).toEqual([
      { value: 'Jalan Rusak', count: 3 },
      { value: 'Banjir', count: 2 },
    ]);
    expect(doc.groups.find((g) => g.field === 'reporter.nik')?.items).toEqual([]);
    expectNoPersonalData(r.stdout + r.stderr);
  });

  it('reads older warnings without structured fields by their text', async () => {
    expect((await cli('sync')).code).toBe(0);
    // a ledger written before warnings had `code` / `value`: only field and message
    const Database = (await import('better-sqlite3')).default;
    const db = new Database(ledgerPath);
    db.prepare('UPDATE record_versions SET warnings_json = ? WHERE record_id = (SELECT id FROM records WHERE external_id = ?)').run(
      JSON.stringify([
        { field: 'category.lapor_category_id', message: 'lookup: "Sampah Liar" is not in bebeja-kategori.csv; value dropped' },
        { field: 'source.received_at', message: 'no value at "tanggal"; fell back to candidate 2' },
        { field: 'reporter.phone', message: 'phone_e164: "0877-5555-1212" is not a phone number; value dropped' },
      ]),
      '1',
    );
    db.close();
    const doc = JSON.parse((await cli('--json', 'mapping', 'coverage', '--source', 'bebeja', '--from-ledger')).stdout) as CoverageJson;
    expect(group(doc, 'category.lapor_category_id', 'lookup_miss')).toMatchObject({ lookup: 'bebeja-kategori.csv', items: [{ value: 'Sampah Liar', count: 1 }] });
    expect(group(doc, 'source.received_at', 'fallback')).toMatchObject({ items: expect.arrayContaining([{ detail: 'no value at "tanggal"', count: 1 }]) });
    expect(JSON.stringify(doc)).not.toContain('0877-5555-1212');
  });

  it('usage errors: no ledger, or --from-ledger with live-read options', async () => {
    const none = await cli('mapping', 'coverage', '--source', 'bebeja', '--from-ledger');
    expect(none.code).toBe(2);
    expect(none.stderr).toContain(`no ledger at ${ledgerPath}`);
    expect((await cli('mapping', 'coverage', '--source', 'bebeja', '--from-ledger', '--limit', '5')).code).toBe(2);
    expect((await cli('mapping', 'coverage', '--source', 'bebeja', '--ledger', ledgerPath)).code).toBe(2);
    expect(fs.existsSync(ledgerPath)).toBe(false);
  });
});
