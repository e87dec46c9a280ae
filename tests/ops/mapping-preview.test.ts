/**
 * `mapping preview` through the real CLI, against the Bebeja and LAPOR! simulators: source record
 * → canonical complaint → LAPOR! payload, warnings and quarantine reasons at their field, personal
 * data masked, and nothing written or sent.
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

/** Every way the demo seed's personal data could show: as stored, and as the mapping normalises it. */
type WithPelapor = { pelapor: { nama: string | null; no_hp: string | null; email: string | null; nik: string | null } };

function personalStrings(records: readonly WithPelapor[]): string[] {
  const out: string[] = [];
  for (const r of records) {
    const p = r.pelapor;
    for (const v of [p.nama, p.no_hp, p.email, p.nik]) if (v) out.push(v);
    if (p.no_hp) {
      const digits = p.no_hp.replace(/\D/g, '');
      if (digits.length >= 9) out.push(digits, `+62${digits.replace(/^(62|0)/, '')}`);
    }
  }
  return out;
}

function expectNoPersonalData(text: string, records: readonly WithPelapor[] = DEMO_RECORDS): void {
  for (const s of personalStrings(records)) expect(text).not.toContain(s);
}

const INPUT_RECORDS = [
  {
    // no title, no content: quarantined
    id: 501,
    nomor_tiket: 'BBJ-2025-000501',
    judul: '',
    isi: '',
    kategori: 'Infrastruktur',
    kecamatan: 'Labuan',
    desa: 'Teluk',
    alamat: '',
    tanggal: '2025-01-02 08:00:00',
    pelapor: { nama: 'Budi Santoso', no_hp: '0812-3456-7890', email: 'budi.santoso@example.com', nik: '3601121203870099' },
    anonim: '0',
    rahasia: false,
    lampiran: [],
    updated_at: '2025-01-02T08:00:00+07:00',
  },
  {
    // delivered with warnings: unknown category, unknown kecamatan, unreadable date, malformed NIK and phone
    id: 502,
    nomor_tiket: 'BBJ-2025-000502',
    judul: 'Jalan berlubang di Kampung Cilaja',
    isi: 'Jalan di depan madrasah berlubang besar dan tergenang air setiap hujan.',
    kategori: 'Jalan Rusak',
    kecamatan: 'Kecamatan Antah',
    desa: 'Cilaja',
    alamat: 'Jl. Cilaja',
    tanggal: '31/02/2024 25:61',
    pelapor: { nama: 'Sri Wahyuni', no_hp: '08-abc', email: 'sri.wahyuni@example.com', nik: '36011256079200270001' },
    anonim: '0',
    rahasia: false,
    lampiran: [],
    updated_at: '2025-01-03T08:00:00+07:00',
  },
  {
    // clean
    id: 503,
    nomor_tiket: 'BBJ-2025-000503',
    judul: 'Puskesmas tutup di jam layanan',
    isi: 'Puskesmas Labuan tutup pukul 11 padahal jadwal layanan sampai pukul 14.',
    kategori: 'Kesehatan',
    kecamatan: 'Labuan',
    desa: 'Labuan',
    alamat: 'Jl. Raya Labuan',
    latitude: '-6.37',
    longitude: '105.83',
    tanggal: '2025-01-04 09:00:00',
    pelapor: { nama: 'Tatang Sutarman', no_hp: '081298761234', email: 'tatang.s@example.com', nik: '3601121203870123' },
    anonim: '0',
    rahasia: false,
    lampiran: [],
    updated_at: '2025-01-04T09:00:00+07:00',
  },
];
const INPUT_PERSONAL = INPUT_RECORDS.map((r) => ({ pelapor: r.pelapor }));

interface PreviewJson {
  source: string;
  origin: string;
  dialect: string;
  summary: { records: number; ok: number; with_warnings: number; quarantined: number };
  records: {
    external_id: string;
    status: string;
    reason?: string;
    warnings: { field: string; message: string; code?: string; value?: string }[];
    source_record: Record<string, unknown>;
    canonical: Record<string, unknown> | null;
    payload: Record<string, unknown> | null;
    fields: { field: string; source: string; source_value?: unknown; canonical_value?: unknown; payload?: string; notes: string[] }[];
  }[];
}

beforeEach(async () => {
  dir = tempDir('sp4n-preview-');
  configFile = copyShippedConfig(dir);
  bebeja = new BebejaSimulator();
  lapor = new LaporSimulator();
  await bebeja.start();
  await lapor.start();
  Object.assign(process.env, sandboxEnv(bebeja, lapor, 'preview-pii-key'));
  ledgerPath = loadSettingsOrThrow(configFile).ledgerPath;
});

afterEach(async () => {
  await bebeja.stop();
  await lapor.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** Nothing was written and nothing was sent. */
function expectReadOnly(): void {
  expect(fs.existsSync(ledgerPath)).toBe(false);
  expect(fs.existsSync(path.dirname(ledgerPath)) && fs.readdirSync(path.dirname(ledgerPath)).some((f) => f.startsWith('ledger'))).toBe(false);
  expect(lapor.requests()).toEqual([]);
  expect(bebeja.writeBacks()).toEqual([]);
}

describe('mapping preview from the live source', () => {
  it('shows three records side by side, masks personal data, and writes or sends nothing', async () => {
    const r = await cli('mapping', 'preview', '--source', 'bebeja', '--limit', '3');
    expect(r.code).toBe(0);
    const out = r.stdout;
    expect(out).toMatch(/mapping preview — source bebeja, mapping [0-9a-f]{12}, destination lapor-v3; 3 records from the live source/);
    expect(out.match(/^━━ /gm)).toHaveLength(3);
    expect(out).toMatch(/^field\s+source\s+canonical\s+LAPOR! payload\s+notes$/m);
    // the oldest record (by updated_at) first: Bebeja id 1, in full through the three stages
    expect(out).toMatch(/^━━ 1 · ticket BBJ-2024-000001 · OK$/m);
    expect(out).toMatch(/^category\.lapor_category_id\s+kategori = "Infrastruktur"\s+"10"\s+category_id: 10$/m);
    expect(out).toMatch(/^location\.region_code\s+kecamatan = "Labuan"\s+"36\.01\.12"\s+location_id: "36\.01\.12"$/m);
    expect(out).toMatch(/^source\.external_id\s+\(record key\) = "1"\s+"1"\s+content ends "Ref: bebeja\/1"$/m);
    expect(out).toMatch(/^reporter\.phone\s+pelapor\.no_hp = \[personal\]\s+\[personal\]\s+\(not sent\)$/m);
    expect(out).toMatch(/^\(destination config\)\s+bridge\.yaml destination\s+disposition_id: 3601001$/m);
    expect(out).toMatch(/^3 records: \d ok, \d with warnings, 0 quarantined — nothing was written to the ledger or sent to LAPOR!$/m);
    expect(out).toContain('(stopped at the limit');
    expectNoPersonalData(out + r.stderr);
    expectReadOnly();
  });

  it('--json prints one document with the three stages of each record', async () => {
    const r = await cli('--json', 'mapping', 'preview', '--source', 'bebeja', '--limit', '3');
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout) as PreviewJson;
    expect(doc).toMatchObject({ source: 'bebeja', origin: 'source', dialect: 'lapor-v3', limit_reached: true, summary: { records: 3, quarantined: 0 } });
    expect(doc.records.map((x) => x.external_id)).toEqual(['1', '14', '2']);
    const first = doc.records[0];
    expect(first?.source_record).toMatchObject({ id: 1, judul: expect.stringContaining('Jalan rusak'), pelapor: '[personal]' });
    expect(first?.canonical).toMatchObject({ source: { system: 'bebeja', external_id: '1' }, category: { lapor_category_id: '10' }, reporter: '[personal]' });
    expect(first?.payload).toMatchObject({ category_id: 10, location_id: '36.01.12', tags_raw: '#bebeja #infrastruktur', disposition_id: 3601001 });
    expect(String(first?.payload?.content)).toMatch(/\n\nRef: bebeja\/1$/);
    for (const rec of doc.records) for (const key of ['reporter', 'nik', 'phone', 'email', 'name']) expect(rec.payload).not.toHaveProperty(key);
    expectNoPersonalData(r.stdout + r.stderr);
    expectReadOnly();
  });

  it('--since starts the walk at a date instead of the oldest record', async () => {
    const r = await cli('--json', 'mapping', 'preview', '--source', 'bebeja', '--since', '2024-12-01', '--limit', '10');
    expect(r.code).toBe(0);
    expect((JSON.parse(r.stdout) as PreviewJson).records.map((x) => x.external_id)).toEqual(['15', '30']);
    expectReadOnly();
  });
});

describe('mapping preview --input', () => {
  let input: string;
  beforeEach(() => {
    input = write(path.join(dir, 'records.json'), JSON.stringify({ data: INPUT_RECORDS }, null, 2));
  });

  it('shows the quarantine reason and every warning at its field', async () => {
    const r = await cli('mapping', 'preview', '--source', 'bebeja', '--input', input);
    expect(r.code).toBe(0);
    const out = r.stdout;
    expect(out).toContain(`3 records from ${input}`);
    expect(out).toMatch(/^━━ 501 · QUARANTINED$/m);
    expect(out).toMatch(/^content\s+isi = ""\s+✖ the record has neither title nor content \(record quarantined\)$/m);
    expect(out).toMatch(/^✖ quarantined: content: the record has neither title nor content$/m);
    expect(out).toMatch(/^━━ 502 · ticket BBJ-2025-000502 · OK with \d+ warnings$/m);
    expect(out).toMatch(/^category\.lapor_category_id\s+kategori = "Jalan Rusak"\s+—\s+⚠ lookup: "Jalan Rusak" is not in bebeja-kategori\.csv; value dropped$/m);
    expect(out).toMatch(/^location\.region_code\s+kecamatan = "Kecamatan Antah"\s+—\s+⚠ .*"Kecamatan Antah"/m);
    expect(out).toMatch(/^source\.received_at\s+tanggal \(1 of 2\) = "31\/02\/2024 25…\s+"2025-01-03T08:00:00\+07:00"\s+\(not sent\)\s+⚠ .*fell back to candidate 2$/m);
    expect(out).toMatch(/^reporter\.nik\s+pelapor\.nik = \[personal\]\s+—\s+⚠ nik: .*value dropped$/m);
    expect(out).toMatch(/^━━ 503 · ticket BBJ-2025-000503 · OK$/m);
    expect(out).toMatch(/^3 records: 1 ok, 1 with warnings, 1 quarantined/m);
    expect(out).not.toContain('(stopped at the limit');
    expectNoPersonalData(out + r.stderr, INPUT_PERSONAL);
    expectReadOnly();
  });

  it('--json: statuses, reasons and warnings per record, personal data masked', async () => {
    const r = await cli('mapping', 'preview', '--source', 'bebeja', '--input', input, '--json');
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout) as PreviewJson;
    expect(doc).toMatchObject({ origin: 'input', input_file: input, summary: { records: 3, ok: 1, with_warnings: 1, quarantined: 1 } });
    const [bad, warned, clean] = doc.records;
    expect(bad).toMatchObject({ external_id: '501', status: 'quarantined', reason: 'content: the record has neither title nor content', canonical: null, payload: null });
    expect(bad?.source_record).toMatchObject({ pelapor: '[personal]', kategori: 'Infrastruktur' });
    expect(warned?.status).toBe('warnings');
    expect(warned?.warnings).toEqual(expect.arrayContaining([expect.objectContaining({ field: 'category.lapor_category_id', message: expect.stringContaining('"Jalan Rusak" is not in bebeja-kategori.csv') })]));
    const cat = warned?.fields.find((f) => f.field === 'category.lapor_category_id');
    expect(cat).toMatchObject({ source: 'kategori', source_value: 'Jalan Rusak', payload: '—', notes: [expect.stringContaining('lookup: "Jalan Rusak"')] });
    expect(warned?.payload).not.toHaveProperty('category_id');
    for (const w of warned?.warnings ?? []) if (w.field.startsWith('reporter.')) expect(w).not.toHaveProperty('value');
    expect(clean).toMatchObject({ external_id: '503', status: 'ok', warnings: [] });
    expectNoPersonalData(r.stdout + r.stderr, INPUT_PERSONAL);
    expectReadOnly();
  });

  it('accepts a bare array, honours --limit, and quarantines a record without an id as intake would', async () => {
    const bare = write(path.join(dir, 'bare.json'), JSON.stringify([{ judul: 'tanpa nomor', isi: 'Ada isinya.', anonim: '0' }, ...INPUT_RECORDS]));
    const r = await cli('--json', 'mapping', 'preview', '--source', 'bebeja', '--input', bare, '--limit', '2');
    const doc = JSON.parse(r.stdout) as PreviewJson & { limit_reached: boolean };
    expect(doc.limit_reached).toBe(true);
    expect(doc.records.map((x) => [x.external_id, x.status])).toEqual([
      ['input:1', 'quarantined'],
      ['501', 'quarantined'],
    ]);
    expect(doc.records[0]?.reason).toBe('source.external_id: the record has no "id" (item 1 of bare.json)');
  });

  it('--full also prints the three documents whole, still masked', async () => {
    const r = await cli('mapping', 'preview', '--source', 'bebeja', '--input', input, '--full');
    expect(r.code).toBe(0);
    expect(r.stdout.match(/^source record:$/gm)).toHaveLength(3);
    expect(r.stdout.match(/^canonical complaint:$/gm)).toHaveLength(2);
    expect(r.stdout.match(/^lapor-v3 payload:$/gm)).toHaveLength(2);
    expect(r.stdout).toContain('"pelapor": "[personal]"');
    expect(r.stdout).toContain('"content": "Puskesmas Labuan tutup pukul 11 padahal jadwal layanan sampai pukul 14.\\n\\nRef: bebeja/503"');
    expectNoPersonalData(r.stdout + r.stderr, INPUT_PERSONAL);
  });

  it('--strict exits 1 when a record is quarantined (and 0 when none is)', async () => {
    expect((await cli('mapping', 'preview', '--source', 'bebeja', '--input', input, '--strict')).code).toBe(1);
    const clean = write(path.join(dir, 'clean.json'), JSON.stringify([INPUT_RECORDS[2]]));
    expect((await cli('mapping', 'preview', '--source', 'bebeja', '--input', clean, '--strict')).code).toBe(0);
  });
});

describe('mapping preview: usage and other dialects', () => {
  it('exit 2 on a bad --limit, an unknown source, an unreadable or malformed --input, or --since with --input', async () => {
    const notJson = write(path.join(dir, 'x.json'), '{ nope');
    const notList = write(path.join(dir, 'y.json'), '{ "records": [] }');
    const cases: [string[], RegExp][] = [
      [['--limit', '0'], /--limit: "0" is not a whole number/],
      [['--limit', 'lots'], /--limit/],
      [['--input', path.join(dir, 'missing.json')], /cannot read .*missing\.json \(ENOENT\)/],
      [['--input', notJson], /is not JSON/],
      [['--input', notList], /must hold a JSON array of records, or an object \{ "data": \[\.\.\.\] \}/],
      [['--input', notList, '--since', '2024-01-01'], /--since applies to the live source/],
    ];
    for (const [args, message] of cases) {
      const r = await cli('mapping', 'preview', '--source', 'bebeja', ...args);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(message);
    }
    const unknown = await cli('mapping', 'preview', '--source', 'sambat');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('no source "sambat"');
    expect((await cli('mapping', 'preview')).code).toBe(2); // --source is required
    expectReadOnly();
  });

  it('for the legacy XML dialect shows what that sink sends (its sentView)', async () => {
    const text = fs.readFileSync(configFile, 'utf8');
    const start = text.indexOf('\ndestination:\n');
    const end = text.indexOf('\ndelivery:\n');
    fs.writeFileSync(configFile, `${text.slice(0, start + 1)}destination:\n  dialect: lapor-legacy-xml\n  base_url: \${LAPOR_BASE_URL}\n  token: \${LAPOR_TOKEN}\n${text.slice(end)}`);
    const r = await cli('mapping', 'preview', '--source', 'bebeja', '--limit', '1');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('destination lapor-legacy-xml');
    expect(r.stdout).toMatch(/^lapor-legacy-xml sends:$/m);
    expect(r.stdout).not.toContain('LAPOR! payload');
    const json = JSON.parse((await cli('--json', 'mapping', 'preview', '--source', 'bebeja', '--limit', '1')).stdout) as PreviewJson;
    expect(json.dialect).toBe('lapor-legacy-xml');
    expect(json.records[0]?.payload).toMatchObject({ source: { system: 'bebeja', external_id: '1' }, is_anonymous: false });
    expectNoPersonalData(r.stdout);
    expectReadOnly();
  });
});
