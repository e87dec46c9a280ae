/**
 * Kemendagri region codes (config/regions/) and the `region_code` transform: every kecamatan of
 * Kabupaten Pandeglang, spelling variants, unknown names (reported, never guessed), other Banten
 * regencies, and a deployment's own table (including desa level).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { compileMapping, MappingSpecError, type MapResult } from '../../src/mapping/compile-mapping.js';
import { buildRegionIndex, regionKey, shippedRegions, SHIPPED_REGIONS_DIR, type RegionIndex } from '../../src/mapping/regions.js';

const LOOKUPS_DIR = fileURLToPath(new URL('../../config/lookups', import.meta.url));
const SHIPPED = 'the shipped region data (config/regions/)';

const index = (regency: string): RegionIndex => buildRegionIndex(shippedRegions(), regency, 'kecamatan', SHIPPED);
const code = (regency: string, name: string): string | undefined => {
  const r = index(regency).resolve(name);
  return 'code' in r ? r.code : undefined;
};

/** Kabupaten Pandeglang, 35 kecamatan (Kemendagri). Written out here, independently of the data file. */
const PANDEGLANG: [string, string][] = [
  ['Sumur', '36.01.01'],
  ['Cimanggu', '36.01.02'],
  ['Cibaliung', '36.01.03'],
  ['Cikeusik', '36.01.04'],
  ['Cigeulis', '36.01.05'],
  ['Panimbang', '36.01.06'],
  ['Angsana', '36.01.07'],
  ['Munjul', '36.01.08'],
  ['Pagelaran', '36.01.09'],
  ['Bojong', '36.01.10'],
  ['Picung', '36.01.11'],
  ['Labuan', '36.01.12'],
  ['Menes', '36.01.13'],
  ['Saketi', '36.01.14'],
  ['Cipeucang', '36.01.15'],
  ['Jiput', '36.01.16'],
  ['Mandalawangi', '36.01.17'],
  ['Cimanuk', '36.01.18'],
  ['Kaduhejo', '36.01.19'],
  ['Banjar', '36.01.20'],
  ['Pandeglang', '36.01.21'],
  ['Cadasari', '36.01.22'],
  ['Cisata', '36.01.23'],
  ['Patia', '36.01.24'],
  ['Karang Tanjung', '36.01.25'],
  ['Cikedal', '36.01.26'],
  ['Cibitung', '36.01.27'],
  ['Carita', '36.01.28'],
  ['Sukaresmi', '36.01.29'],
  ['Mekarjaya', '36.01.30'],
  ['Sindangresmi', '36.01.31'],
  ['Pulosari', '36.01.32'],
  ['Koroncong', '36.01.33'],
  ['Majasari', '36.01.34'],
  ['Sobang', '36.01.35'],
];

describe('the shipped Banten data', () => {
  const rows = shippedRegions();

  it('has a README next to it that states the source and the licence', () => {
    const readme = fs.readFileSync(path.join(SHIPPED_REGIONS_DIR, 'README.md'), 'utf8');
    expect(readme).toMatch(/Kemendagri/);
    expect(readme).toMatch(/[Ll]icen[cs]e/);
    expect(readme).toMatch(/desa/i);
  });

  it('has province 36, its 8 regencies and cities, and their 155 kecamatan', () => {
    expect(rows.find((r) => r.code === '36')?.name).toBe('Banten');
    const regencies = rows.filter((r) => /^36\.\d{2}$/.test(r.code)).map((r) => r.code);
    expect(regencies).toEqual(['36.01', '36.02', '36.03', '36.04', '36.71', '36.72', '36.73', '36.74']);
    const count = (regency: string) => rows.filter((r) => r.code.startsWith(`${regency}.`) && r.code.split('.').length === 3).length;
    expect(Object.fromEntries(regencies.map((r) => [r, count(r)]))).toEqual({ '36.01': 35, '36.02': 28, '36.03': 29, '36.04': 29, '36.71': 13, '36.72': 8, '36.73': 6, '36.74': 7 });
  });

  it('every name and alternate resolves to its own code: no two kecamatan of a regency collide', () => {
    for (const regency of ['36.01', '36.02', '36.03', '36.04', '36.71', '36.72', '36.73', '36.74']) {
      const idx = index(regency);
      for (const row of rows.filter((r) => r.code.startsWith(`${regency}.`))) {
        for (const name of [row.name, ...row.alternates]) expect([regency, name, idx.resolve(name)]).toEqual([regency, name, { code: row.code }]);
      }
    }
  });

  it('agrees with config/lookups/pandeglang-kecamatan.csv', () => {
    const csv = fs.readFileSync(path.join(LOOKUPS_DIR, 'pandeglang-kecamatan.csv'), 'utf8').trim().split('\n').slice(1);
    for (const line of csv) {
      const [name, expected] = line.split(',') as [string, string];
      expect([name, code('36.01', name)]).toEqual([name, expected]);
    }
  });
});

describe('region_code: Kabupaten Pandeglang (36.01)', () => {
  it.each(PANDEGLANG)('%s → %s', (name, expected) => {
    expect(code('36.01', name)).toBe(expected);
    expect(code('36.01', name.toUpperCase())).toBe(expected);
    expect(code('36.01', `Kec. ${name}`)).toBe(expected);
  });

  it('all 35 kecamatan are covered, each code once', () => {
    expect(new Set(PANDEGLANG.map(([, c]) => c)).size).toBe(35);
  });

  it.each<[string, string]>([
    ['Kec. Labuan', '36.01.12'],
    ['LABUAN', '36.01.12'],
    ['kecamatan  labuan', '36.01.12'],
    ['  Labuan  ', '36.01.12'],
    ['KEC.LABUAN', '36.01.12'],
    ['Kec: Labuan', '36.01.12'],
    ['Kecamatan Labuan, Kab. Pandeglang', '36.01.12'],
    ['Labuan Kabupaten Pandeglang', '36.01.12'],
    ['\u200BLabuan\u00A0', '36.01.12'],
    ['Cikedal', '36.01.26'],
    ['Cikeudal', '36.01.26'],
    ['Kec. CIKEUDAL', '36.01.26'],
    ['Karangtanjung', '36.01.25'],
    ['Karang Tanjung', '36.01.25'],
    ['karang-tanjung', '36.01.25'],
    ['Kec. Pandeglang', '36.01.21'],
    ['Pandeglang, Kab. Pandeglang', '36.01.21'],
    ['36.01.12', '36.01.12'],
  ])('spelling variant %p → %p', (name, expected) => {
    expect(code('36.01', name)).toBe(expected);
  });

  it.each<[string]>([['Serang'], ['Labuhan'], ['Lab'], ['Kab. Pandeglang'], ['Kabupaten Pandeglang'], ['Labuan, Kab. Lebak'], ['Kec.'], ['36.02.01'], ['Malingping']])(
    'unknown %p is reported, never guessed',
    (name) => {
      const r = index('36.01').resolve(name);
      expect(r).toEqual({ reason: `unknown kecamatan "${name.trim()}" in 36.01` });
    },
  );
});

describe('region_code: other Banten regencies', () => {
  it.each<[string, string, string]>([
    ['36.02', 'Rangkasbitung', '36.02.14'],
    ['36.02', 'Kec. Rangkas Bitung', '36.02.14'],
    ['36.02', 'Cigemblong', '36.02.28'],
    ['36.02', 'Cigemlong', '36.02.28'],
    ['36.02', 'Sobang', '36.02.22'],
    ['36.01', 'Sobang', '36.01.35'],
    ['36.03', 'Curug', '36.03.17'],
    ['36.73', 'Curug', '36.73.04'],
    ['36.03', 'Kelapa Dua', '36.03.28'],
    ['36.04', 'Anyar', '36.04.30'],
    ['36.04', 'Anyer', '36.04.30'],
    ['36.04', 'Ciomas', '36.04.27'],
    ['36.71', 'Cipondoh', '36.71.05'],
    ['36.71', 'Cipondoh, Kota Tangerang', '36.71.05'],
    ['36.72', 'Grogol', '36.72.06'],
    ['36.72', 'Pulo Merak', '36.72.03'],
    ['36.73', 'Cipocok Jaya', '36.73.05'],
    ['36.74', 'Pondok Aren, Kota Tangerang Selatan', '36.74.03'],
    ['36.74', 'SERPONG UTARA', '36.74.02'],
  ])('%s: %p → %p', (regency, name, expected) => {
    expect(code(regency, name)).toBe(expected);
  });

  it('a qualifier naming another regency is not stripped: the name stays unknown', () => {
    expect(index('36.71').resolve('Cipondoh, Kab. Tangerang')).toEqual({ reason: 'unknown kecamatan "Cipondoh, Kab. Tangerang" in 36.71' });
    expect(index('36.02').resolve('Ciomas')).toEqual({ reason: 'unknown kecamatan "Ciomas" in 36.02' });
  });

  it('an unknown regency or a missing level is refused', () => {
    expect(() => buildRegionIndex(shippedRegions(), '36.99', 'kecamatan', SHIPPED)).toThrow(/unknown regency 36\.99 .*known: 36\.01 \(Kabupaten Pandeglang\)/);
    expect(() => buildRegionIndex(shippedRegions(), '36.01', 'desa', SHIPPED)).toThrow(/no desa-level codes for 36\.01 \(Kabupaten Pandeglang\)/);
  });
});

function delivered(r: MapResult) {
  if (!r.ok) throw new Error(`expected a delivered complaint, got quarantine: ${r.reason}`);
  return r;
}

const BASE_FIELDS: Record<string, unknown> = {
  'source.external_id': { path: 'id', transforms: ['to_string'] },
  'source.received_at': { value: '2024-03-01T08:30:00+07:00' },
  channel: { value: 'web' },
  title: { value: 'Judul' },
  content: { value: 'Isi laporan' },
  is_anonymous: { value: false },
  is_secret: { value: false },
};

describe('region_code in a mapping', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sp4n-regions-'));
  });
  afterEach(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const compileWith = (options: Record<string, unknown>, lookupsDir = LOOKUPS_DIR) =>
    compileMapping({ fields: { ...BASE_FIELDS, 'location.region_code': { path: 'kec', transforms: [{ region_code: options }] } } }, { sourceId: 'uji', lookupsDir });

  function specError(options: Record<string, unknown>, lookupsDir = LOOKUPS_DIR): string {
    try {
      compileWith(options, lookupsDir);
    } catch (err) {
      expect(err).toBeInstanceOf(MappingSpecError);
      return (err as Error).message;
    }
    throw new Error('expected the mapping to be refused');
  }

  it('resolves a name; an unknown name drops the value with a lookup_miss warning', () => {
    const m = compileWith({ regency: '36.01' });
    expect(delivered(m.map({ id: 1, kec: 'Kec. LABUAN' })).complaint.location).toEqual({ region_code: '36.01.12' });
    const r = delivered(m.map({ id: 2, kec: 'Kec. Ciomas' }));
    expect(r.complaint.location).toBeUndefined();
    expect(r.warnings).toEqual([{ field: 'location.region_code', message: 'region_code: unknown kecamatan "Kec. Ciomas" in 36.01; value dropped', code: 'lookup_miss', value: 'Kec. Ciomas', lookup: 'region_code 36.01' }]);
  });

  it('a missing kecamatan is no value and no warning', () => {
    const r = delivered(compileWith({ regency: '36.01' }).map({ id: 1, kec: null }));
    expect(r.complaint.location).toBeUndefined();
    expect(r.warnings).toEqual([]);
  });

  it.each<[string, Record<string, unknown>, RegExp]>([
    ['an unknown regency', { regency: '36.99' }, /unknown regency 36\.99[\s\S]*region_code\.regency/],
    ['a regency written as a number (unquoted YAML)', { regency: 36.01 }, /regency code in quotes/],
    ['a malformed regency', { regency: '3601' }, /must be a regency code PP\.KK/],
    ['desa level without desa data', { regency: '36.01', level: 'desa' }, /no desa-level codes for 36\.01[\s\S]*region_code\.level/],
    ['an unknown level', { regency: '36.01', level: 'rt' }, /level/],
  ])('refused at compile time: %s', (_label, options, pattern) => {
    expect(specError(options)).toMatch(pattern);
  });

  it('a deployment’s own table (file), with desa level; ambiguous names are reported, not guessed', () => {
    fs.writeFileSync(
      path.join(dir, 'wilayah-saya.csv'),
      ['code,name,alternates', '99.01,Kabupaten Contoh,', '99.01.01,Utara,', '99.01.02,Selatan,', '99.01.01.2001,Sukamaju,Suka Maju', '99.01.01.2002,Sukajadi,', '99.01.02.2001,Sukajadi,', '99.01.02.1003,Kota Baru,'].join('\n'),
    );
    const desa = compileWith({ regency: '99.01', level: 'desa', file: 'wilayah-saya.csv' }, dir);
    expect(delivered(desa.map({ id: 1, kec: 'Desa Suka Maju' })).complaint.location?.region_code).toBe('99.01.01.2001');
    expect(delivered(desa.map({ id: 1, kec: 'Kel. Kota Baru' })).complaint.location?.region_code).toBe('99.01.02.1003');
    expect(delivered(desa.map({ id: 1, kec: 'Sukamaju, Kec. Utara' })).complaint.location?.region_code).toBe('99.01.01.2001');
    const amb = delivered(desa.map({ id: 1, kec: 'Sukajadi' }));
    expect(amb.complaint.location).toBeUndefined();
    expect(amb.warnings[0]?.message).toBe('region_code: desa "Sukajadi" is ambiguous in 99.01: 99.01.01.2002, 99.01.02.2001; value dropped');
    const kec = compileWith({ regency: '99.01', file: 'wilayah-saya.csv' }, dir);
    expect(delivered(kec.map({ id: 1, kec: 'Kecamatan Selatan' })).complaint.location?.region_code).toBe('99.01.02');
  });

  it('a broken own table fails at compile time, naming the file and row', () => {
    fs.writeFileSync(path.join(dir, 'rusak.csv'), 'code,name\n99.01,Contoh\n99.01.1,Utara\n');
    expect(specError({ regency: '99.01', file: 'rusak.csv' }, dir)).toMatch(/rusak\.csv, row 3: "99\.01\.1" is not a Kemendagri code/);
    expect(specError({ regency: '99.01', file: 'tidak-ada.csv' }, dir)).toMatch(/tidak-ada\.csv: not found/);
    fs.writeFileSync(path.join(dir, 'kosong.csv'), 'code,name\n99.01,Contoh\n');
    expect(specError({ regency: '99.01', file: 'kosong.csv' }, dir)).toMatch(/kosong\.csv has no kecamatan-level codes for 99\.01 \(Contoh\)/);
  });

  it('the mapping version changes when the region table changes', () => {
    const file = path.join(dir, 'w.csv');
    fs.writeFileSync(file, 'code,name\n99.01,Contoh\n99.01.01,Utara\n');
    const before = compileWith({ regency: '99.01', file: 'w.csv' }, dir).version;
    fs.writeFileSync(file, 'code,name,alternates\n99.01,Contoh,\n99.01.01,Utara,Lor\n');
    expect(compileWith({ regency: '99.01', file: 'w.csv' }, dir).version).not.toBe(before);
  });

  it('regionKey ignores case, accents, spaces and punctuation', () => {
    expect(regionKey(' Karang-Tanjung ')).toBe('karangtanjung');
    expect(regionKey('Cipocok Jaya')).toBe('cipocokjaya');
    expect(regionKey('Pâsar  Kemis')).toBe('pasarkemis');
  });
});
