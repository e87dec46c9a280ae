/**
 * Kemendagri region codes (config/regions/) and the `region_code` transform: every kecamatan of
 * Kabupaten Pandeglang, spelling variants, unknown names (reported, never guessed), other Banten
 * regencies, a deployment's own table (including desa level), and the shipped desa/kelurahan data
 * (banten-desa.csv): structure, a hand-copied Pandeglang sample, the kecamatan qualifier that
 * tells repeated desa names apart, and the desa example of the Bebeja preset through config check.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { parse as parseYaml } from 'yaml';
import { compileMapping, MappingSpecError, type MapResult } from '../../src/mapping/compile-mapping.js';
import { buildRegionIndex, loadRegionTable, regionKey, shippedRegions, SHIPPED_REGIONS_DIR, type RegionIndex } from '../../src/mapping/regions.js';
import { runCli } from '../helpers/capture.js';
import { copyShippedConfig, tempDir } from '../helpers/workdir.js';

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
      for (const row of rows.filter((r) => r.code.startsWith(`${regency}.`) && r.code.split('.').length === 3)) {
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
    // the shipped data has desa codes now (banten-desa.csv); a table without them still refuses desa level
    const kecamatanOnly = loadRegionTable(path.join(SHIPPED_REGIONS_DIR, 'banten.csv'));
    expect(() => buildRegionIndex(kecamatanOnly, '36.01', 'desa', 'banten.csv')).toThrow(/banten\.csv has no desa-level codes for 36\.01 \(Kabupaten Pandeglang\)/);
    for (const regency of ['36.01', '36.02', '36.03', '36.04', '36.71', '36.72', '36.73', '36.74']) {
      expect(buildRegionIndex(shippedRegions(), regency, 'desa', SHIPPED).level).toBe('desa');
    }
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
    expect(amb.warnings[0]?.message).toBe(
      'region_code: desa "Sukajadi" is ambiguous in 99.01: 99.01.01.2002 (Kec. Utara), 99.01.02.2001 (Kec. Selatan); name the kecamatan (", Kec. <name>") to tell them apart; value dropped',
    );
    expect(delivered(desa.map({ id: 1, kec: 'Sukajadi, Kec. Selatan' })).complaint.location?.region_code).toBe('99.01.02.2001');
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

/**
 * Desa/kelurahan of Kabupaten Pandeglang, hand-copied from idn-area-data 4.0.1 (data/villages.csv
 * and data/districts.csv; Kepmendagri 300.2.2-2138 Tahun 2025), independently of banten-desa.csv:
 * [name, code, kecamatan].
 */
const PANDEGLANG_DESA: [string, string, string][] = [
  ['Tamanjaya', '36.01.01.2006', 'Sumur'],
  ['Sukajadi', '36.01.03.2009', 'Cibaliung'],
  ['Mekarjaya', '36.01.06.2002', 'Panimbang'],
  ['Bulagor', '36.01.09.2010', 'Pagelaran'],
  ['Caringin', '36.01.12.2004', 'Labuan'],
  ['Teluk', '36.01.12.2010', 'Labuan'],
  ['Menes', '36.01.13.2005', 'Menes'],
  ['Pasirmae', '36.01.15.2010', 'Cipeucang'],
  ['Kabayan', '36.01.21.1004', 'Pandeglang'],
  ['Pandeglang', '36.01.21.1009', 'Pandeglang'],
  ['Juhut', '36.01.25.1014', 'Karang Tanjung'],
  ['Mekarjaya', '36.01.26.2007', 'Cikedal'],
  ['Sukajadi', '36.01.28.2007', 'Carita'],
  ['Mekarjaya', '36.01.30.2008', 'Mekarjaya'],
  ['Cilaja', '36.01.34.1005', 'Majasari'],
  ['Cimanis', '36.01.35.2001', 'Sobang'],
];

describe('the shipped desa/kelurahan data (banten-desa.csv)', () => {
  const rows = shippedRegions();
  const desaFile = loadRegionTable(path.join(SHIPPED_REGIONS_DIR, 'banten-desa.csv'));
  const kecamatan = new Map(loadRegionTable(path.join(SHIPPED_REGIONS_DIR, 'banten.csv')).filter((r) => r.code.split('.').length === 3).map((r) => [r.code, r.name] as const));
  const byRegency = (regency: string) => desaFile.filter((r) => r.code.startsWith(`${regency}.`));

  it('holds only desa/kelurahan rows of Banten: unique codes, names non-empty, no alternates', () => {
    expect(desaFile.every((r) => /^36\.\d{2}\.\d{2}\.[12]\d{3}$/.test(r.code))).toBe(true);
    expect(new Set(desaFile.map((r) => r.code)).size).toBe(desaFile.length);
    expect(desaFile.every((r) => r.name.trim().length > 0 && r.alternates.length === 0)).toBe(true);
  });

  it('has 339 rows for Kabupaten Pandeglang (326 desa, 13 kelurahan) and 1552 for Banten', () => {
    expect(byRegency('36.01')).toHaveLength(339);
    expect(byRegency('36.01').filter((r) => r.code.split('.')[3]?.startsWith('1'))).toHaveLength(13);
    expect(Object.fromEntries(['36.01', '36.02', '36.03', '36.04', '36.71', '36.72', '36.73', '36.74'].map((r) => [r, byRegency(r).length]))).toEqual({
      '36.01': 339,
      '36.02': 345,
      '36.03': 274,
      '36.04': 326,
      '36.71': 104,
      '36.72': 43,
      '36.73': 67,
      '36.74': 54,
    });
    expect(desaFile).toHaveLength(1552);
  });

  it('every desa lies in a kecamatan of banten.csv, and every Pandeglang kecamatan has desa', () => {
    expect(desaFile.filter((r) => !kecamatan.has(r.code.slice(0, 8))).map((r) => r.code)).toEqual([]);
    const kecOfPandeglang = new Set(byRegency('36.01').map((r) => r.code.slice(0, 8)));
    expect(kecOfPandeglang.size).toBe(35);
  });

  it('agrees with the hand-copied sample', () => {
    for (const [name, code, kec] of PANDEGLANG_DESA) {
      expect([code, desaFile.find((r) => r.code === code)?.name, kecamatan.get(code.slice(0, 8))]).toEqual([code, name, kec]);
    }
  });

  it('every desa of every Banten regency resolves by its official name with its kecamatan; a unique name also without', () => {
    for (const regency of ['36.01', '36.02', '36.03', '36.04', '36.71', '36.72', '36.73', '36.74']) {
      const idx = buildRegionIndex(rows, regency, 'desa', SHIPPED);
      const desa = byRegency(regency);
      const count = new Map<string, number>();
      for (const r of desa) count.set(regionKey(r.name), (count.get(regionKey(r.name)) ?? 0) + 1);
      for (const r of desa) {
        const kec = kecamatan.get(r.code.slice(0, 8));
        expect([r.code, idx.resolve(`${r.name}, Kec. ${kec}`)]).toEqual([r.code, { code: r.code }]);
        if (count.get(regionKey(r.name)) === 1) expect([r.code, idx.resolve(r.name)]).toEqual([r.code, { code: r.code }]);
        else expect([r.code, idx.resolve(r.name)]).toEqual([r.code, { reason: expect.stringMatching(/is ambiguous/) }]);
      }
    }
  });
});

describe('region_code at desa level: Kabupaten Pandeglang (36.01)', () => {
  const desa = buildRegionIndex(shippedRegions(), '36.01', 'desa', SHIPPED);
  const resolve = (value: string) => desa.resolve(value);

  it.each(PANDEGLANG_DESA)('%s → %s (Kec. %s)', (name, code, kec) => {
    expect(resolve(`${name}, Kec. ${kec}`)).toEqual({ code });
    expect(resolve(`Desa ${name.toUpperCase()}, Kecamatan ${kec}`)).toEqual({ code });
    expect(resolve(code)).toEqual({ code });
  });

  it.each<[string, string]>([
    ['DESA CARINGIN, Kec. Labuan', '36.01.12.2004'],
    ['Ds. Caringin', '36.01.12.2004'],
    ['caringin', '36.01.12.2004'],
    ['Desa Caringin Kecamatan Labuan Kabupaten Pandeglang', '36.01.12.2004'],
    ['Caringin, Kec. Labuan, Kab. Pandeglang', '36.01.12.2004'],
    ['Caringin, Kec.', '36.01.12.2004'], // a template whose kecamatan was empty
    ['Kelurahan Pandeglang', '36.01.21.1009'],
    ['Kel. Kabayan, Kec. Pandeglang', '36.01.21.1004'],
    ['Kel. Pandeglang, Kec. Pandeglang', '36.01.21.1009'],
    ['Kelurahan Cilaja', '36.01.34.1005'],
    ['Sukajadi, Kec. Carita', '36.01.28.2007'],
    ['desa sukajadi kec cibaliung', '36.01.03.2009'],
    ['Mekarjaya, Kec. Mekarjaya', '36.01.30.2008'],
    ['Mekarjaya, Kec. Cikeudal', '36.01.26.2007'], // the kecamatan's alternate spelling
    ['Juhut, Kec. Karangtanjung', '36.01.25.1014'],
  ])('spelling variant %p → %p', (value, code) => {
    expect(resolve(value)).toEqual({ code });
  });

  it('a name in several kecamatan without a qualifier is ambiguous, listing the codes', () => {
    expect(resolve('Sukajadi')).toEqual({
      reason: 'desa "Sukajadi" is ambiguous in 36.01: 36.01.03.2009 (Kec. Cibaliung), 36.01.28.2007 (Kec. Carita); name the kecamatan (", Kec. <name>") to tell them apart',
    });
    expect(resolve('Desa Mekarjaya')).toEqual({
      reason:
        'desa "Desa Mekarjaya" is ambiguous in 36.01: 36.01.06.2002 (Kec. Panimbang), 36.01.26.2007 (Kec. Cikedal), 36.01.30.2008 (Kec. Mekarjaya); name the kecamatan (", Kec. <name>") to tell them apart',
    });
  });

  it('a qualifier that does not resolve it is reported, never guessed', () => {
    // the desa is not in the named kecamatan
    expect(resolve('Sukajadi, Kec. Labuan')).toEqual({
      reason: 'unknown desa "Sukajadi, Kec. Labuan" in 36.01: kecamatan 36.01.12 (Kec. Labuan) has no such desa (the name is 36.01.03.2009 (Kec. Cibaliung), 36.01.28.2007 (Kec. Carita))',
    });
    // an unknown kecamatan, even for a desa name that is unique in the regency
    expect(resolve('Caringin, Kec. Labuhan')).toEqual({ reason: 'desa "Caringin, Kec. Labuhan" in 36.01: the kecamatan qualifier does not resolve: unknown kecamatan "labuhan" in 36.01' });
    // a kecamatan of another regency (Kabupaten Serang)
    expect(resolve('Caringin, Kec. Cikande')).toEqual({ reason: 'desa "Caringin, Kec. Cikande" in 36.01: the kecamatan qualifier does not resolve: unknown kecamatan "cikande" in 36.01' });
    expect(resolve('Sukajadi, Kec. Carita, Kab. Lebak')).toMatchObject({ reason: expect.stringMatching(/unknown kecamatan "carita kab lebak"/) });
  });

  it.each<[string]>([['Desa Antah Berantah'], ['Caringin Baru'], ['Kec. Labuan'], ['Kab. Pandeglang'], ['36.02.02.2018'], ['36.01.12']])('unknown %p is reported', (value) => {
    expect(resolve(value)).toEqual({ reason: `unknown desa "${value}" in 36.01` });
  });

  it('kecamatan level is unchanged: a desa-style value is not a kecamatan', () => {
    expect(index('36.01').resolve('Caringin, Kec. Labuan')).toEqual({ reason: 'unknown kecamatan "Caringin, Kec. Labuan" in 36.01' });
    expect(index('36.01').resolve('Kec. Labuan')).toEqual({ code: '36.01.12' });
  });

  it('the mapping version of a desa-level mapping follows the kecamatan rows too', () => {
    expect(desa.entries.some(([k]) => k === 'kecamatan:labuan')).toBe(true);
    expect(index('36.01').entries.some(([k]) => k.startsWith('kecamatan:'))).toBe(false);
  });
});

describe('desa level in a mapping and through config check', () => {
  let dir: string;
  const saved: Record<string, string | undefined> = {};
  const ENV = { SP4N_PII_KEY: 'pii-key-for-tests', LAPOR_BASE_URL: 'http://127.0.0.1:9/lapor/3.0.0', LAPOR_TOKEN: 'tok', LAPOR_APP_TOKEN: 'app', BEBEJA_URL: 'http://127.0.0.1:9', BEBEJA_API_KEY: 'key' };
  beforeEach(() => {
    dir = tempDir();
    for (const [k, v] of Object.entries(ENV)) {
      saved[k] = process.env[k];
      process.env[k] = v;
    }
  });
  afterEach(() => {
    fs.rmSync(dir, { recursive: true, force: true });
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  });

  /** The commented desa-level example of config/sources/bebeja.yaml, uncommented. */
  function bebejaDesaExample(): { yaml: string; rule: Record<string, unknown> } {
    const lines = fs.readFileSync(fileURLToPath(new URL('../../config/sources/bebeja.yaml', import.meta.url)), 'utf8').split('\n');
    const start = lines.findIndex((l) => l.trim() === '# location.region_code:');
    expect(start).toBeGreaterThan(0);
    const block = [lines[start] as string];
    for (const l of lines.slice(start + 1)) {
      if (!/^\s*# {3}/.test(l)) break;
      block.push(l);
    }
    const yaml = block.map((l) => l.replace(/^(\s*)# /, '$1')).join('\n');
    const rule = (parseYaml(yaml) as Record<string, Record<string, unknown>>)['location.region_code'] as Record<string, unknown>;
    return { yaml, rule };
  }

  it('the shipped data answers level: desa: a mapping with it compiles', () => {
    const m = compileMapping({ fields: { ...BASE_FIELDS, 'location.region_code': { path: 'desa', transforms: [{ region_code: { regency: '36.01', level: 'desa' } }] } } }, { sourceId: 'uji', lookupsDir: LOOKUPS_DIR });
    expect(delivered(m.map({ id: 1, desa: 'Desa Teluk' })).complaint.location).toEqual({ region_code: '36.01.12.2010' });
  });

  it('the Bebeja example: desa with its kecamatan, falling back to the kecamatan code', () => {
    const { rule } = bebejaDesaExample();
    const m = compileMapping({ fields: { ...BASE_FIELDS, 'location.region_code': rule } }, { sourceId: 'bebeja', lookupsDir: LOOKUPS_DIR });
    const at = (desa: string | null, kecamatan: string | null) => delivered(m.map({ id: 1, desa, kecamatan }));
    expect(at('Sukajadi', 'Carita').complaint.location).toEqual({ region_code: '36.01.28.2007' });
    expect(at('SUKAJADI', 'Kec. CIBALIUNG').complaint.location).toEqual({ region_code: '36.01.03.2009' });
    expect(at('Caringin', 'Labuan').warnings).toEqual([]);
    // the desa is not in that kecamatan: the kecamatan code, with warnings saying so
    const wrong = at('Sukajadi', 'Labuan');
    expect(wrong.complaint.location).toEqual({ region_code: '36.01.12' });
    expect(wrong.warnings.map((w) => w.message).join('\n')).toMatch(/kecamatan 36\.01\.12 \(Kec\. Labuan\) has no such desa/);
    // no desa: the kecamatan code
    expect(at(null, 'Labuan').complaint.location).toEqual({ region_code: '36.01.12' });
    // no kecamatan: the desa alone when it is unique
    expect(at('Caringin', null).complaint.location).toEqual({ region_code: '36.01.12.2004' });
    expect(at('Sukajadi', null).complaint.location).toBeUndefined();
  });

  it('config check passes with the Bebeja desa example in place of the kecamatan rule', async () => {
    const file = copyShippedConfig(dir);
    const source = path.join(dir, 'config', 'sources', 'bebeja.yaml');
    const text = fs.readFileSync(source, 'utf8');
    const current = '    location.region_code:\n      path: kecamatan\n      transforms: [{ region_code: { regency: "36.01" } }]\n';
    expect(text).toContain(current);
    fs.writeFileSync(source, text.replace(current, `${bebejaDesaExample().yaml}\n`));
    const r = await runCli('--config', file, '--json', 'config', 'check');
    expect(JSON.parse(r.stdout)).toMatchObject({ ok: true });
    expect(r.code).toBe(0);
  });
});
