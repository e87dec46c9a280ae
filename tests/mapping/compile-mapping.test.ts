/**
 * compileMapping: the mapping language (paths, values, templates, first_of, defaults, required,
 * on_error, spec errors) and DESIGN §3 "Deliver or quarantine" through the real Bebeja preset.
 */
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from '@jest/globals';
import { parse as parseYaml } from 'yaml';
import { codePointLength, CONTENT_MAX, TITLE_MAX } from '../../src/mapping/canonical.js';
import { compileMapping, getPath, MappingSpecError, type MapResult } from '../../src/mapping/compile-mapping.js';
import { titleFromContent, TRUNCATION_MARKER, truncateText } from '../../src/mapping/validate-complaint.js';

const LOOKUPS_DIR = fileURLToPath(new URL('../../config/lookups', import.meta.url));
const BEBEJA_YAML = fileURLToPath(new URL('../../config/sources/bebeja.yaml', import.meta.url));

function delivered(r: MapResult) {
  if (!r.ok) throw new Error(`expected a delivered complaint, got quarantine: ${r.reason}`);
  return r;
}

function quarantined(r: MapResult) {
  if (r.ok) throw new Error(`expected quarantine, got a delivered complaint: ${JSON.stringify(r.complaint)}`);
  return r;
}

const graphemes = (s: string) => [...new Intl.Segmenter('id', { granularity: 'grapheme' }).segment(s)].map((g) => g.segment);

// ------------------------------------------------------------------ the mapping language

const BASE_FIELDS: Record<string, unknown> = {
  'source.external_id': { path: 'id', transforms: ['to_string'] },
  'source.received_at': { path: 'at', transforms: ['parse_datetime'] },
  channel: { value: 'web' },
  title: { value: 'Judul' },
  content: { path: 'isi' },
  is_anonymous: { value: false },
  is_secret: { value: false },
};
const BASE_RECORD = { id: 7, at: '2024-03-01 08:30:00', isi: 'Isi laporan' };

function compileFields(fields: Record<string, unknown>, extra: Record<string, unknown> = {}) {
  return compileMapping({ ...extra, fields: { ...BASE_FIELDS, ...fields } }, { sourceId: 'uji', lookupsDir: LOOKUPS_DIR });
}

function mapWith(fields: Record<string, unknown>, record: Record<string, unknown>, externalId?: string): MapResult {
  return compileFields(fields).map({ ...BASE_RECORD, ...record }, externalId);
}

describe('getPath', () => {
  const rec = { a: { b: [{ c: 'x' }, { c: 'y' }] }, l: [[1, 2]], s: 'teks', n: null };
  it.each<[string, unknown]>([
    ['a.b[0].c', 'x'],
    ['a.b[1].c', 'y'],
    ['a.b[5].c', undefined],
    ['l[0][1]', 2],
    ['a.x.y', undefined],
    ['s.length', undefined],
    ['n.x', undefined],
    ['a.b.c', undefined],
    ['a.b[', undefined],
  ])('%s → %p', (p, expected) => {
    expect(getPath(rec, p)).toEqual(expected);
  });
});

describe('compileMapping: where values come from', () => {
  it('path: nested keys and list indexes', () => {
    const r = delivered(
      mapWith(
        { title: { path: 'judul.teks' }, 'location.address': { path: 'lokasi[1].alamat' }, 'reporter.name': { path: 'pelapor.nama' } },
        { judul: { teks: 'Lampu mati' }, lokasi: [{ alamat: 'lama' }, { alamat: 'Jl. Baru 2' }], pelapor: { nama: 'Siti' } },
      ),
    );
    expect(r.complaint.title).toBe('Lampu mati');
    expect(r.complaint.location).toEqual({ address: 'Jl. Baru 2' });
    expect(r.complaint.reporter).toEqual({ name: 'Siti' });
  });

  it('path that does not exist leaves the field out, without a warning', () => {
    const r = delivered(mapWith({ 'location.address': { path: 'lokasi[3].alamat' } }, { lokasi: [] }));
    expect(r.complaint.location).toBeUndefined();
    expect(r.warnings).toEqual([]);
  });

  it('value: a literal', () => {
    const r = delivered(mapWith({ classification: { value: 'aspirasi' }, channel: { value: 'whatsapp' } }, {}));
    expect(r.complaint.classification).toBe('aspirasi');
    expect(r.complaint.channel).toBe('whatsapp');
  });

  it.each<[string, Record<string, unknown>, string | undefined]>([
    ['all present', { p: 'Jl. Raya 1', q: 'Desa Teluk', r: 'Labuan' }, 'Jl. Raya 1, Desa Teluk, Labuan'],
    ['first missing', { q: 'Desa Teluk', r: 'Labuan' }, 'Desa Teluk, Labuan'],
    ['middle missing', { p: 'Jl. Raya 1', r: 'Labuan' }, 'Jl. Raya 1, Labuan'],
    ['last blank', { p: 'Jl. Raya 1', q: 'Desa Teluk', r: '  ' }, 'Jl. Raya 1, Desa Teluk'],
    ['only one', { q: 'Desa Teluk' }, 'Desa Teluk'],
    ['numbers are rendered', { p: 12, q: 'RT 3' }, '12, RT 3'],
    ['all missing → no field', {}, undefined],
    ['all blank → no field', { p: '', q: null, r: ' ' }, undefined],
  ])('template, %s', (_label, record, expected) => {
    const r = delivered(mapWith({ 'location.address': { template: '{{p}}, {{ q }}, {{r}}' } }, record));
    expect(r.complaint.location?.address).toBe(expected);
    if (expected === undefined) expect(r.complaint.location).toBeUndefined();
  });

  it('template with no usable placeholder and a default takes the default', () => {
    const r = delivered(mapWith({ 'location.address': { template: '{{p}}, {{q}}', default: 'tidak diketahui' } }, {}));
    expect(r.complaint.location?.address).toBe('tidak diketahui');
  });
});

describe('compileMapping: first_of', () => {
  const rule = {
    first_of: [
      { path: 'tanggal', transforms: ['parse_datetime'] },
      { path: 'updated_at', transforms: ['parse_datetime'] },
    ],
    required: true,
  };

  it('the first usable candidate wins', () => {
    const r = delivered(mapWith({ 'source.received_at': rule }, { tanggal: '2024-03-01 08:30:00', updated_at: '2024-03-05T10:00:00+07:00' }));
    expect(r.complaint.source.received_at).toBe('2024-03-01T08:30:00+07:00');
    expect(r.warnings).toEqual([]);
  });

  it('an unparseable first candidate falls back, with a warning that says so', () => {
    const r = delivered(mapWith({ 'source.received_at': rule }, { tanggal: 'kemarin sore', updated_at: '2024-03-05T10:00:00+07:00' }));
    expect(r.complaint.source.received_at).toBe('2024-03-05T10:00:00+07:00');
    expect(r.warnings).toEqual([{ field: 'source.received_at', message: expect.stringMatching(/cannot read "kemarin sore" as a date; fell back to candidate 2$/), code: 'transform_failed', value: 'kemarin sore' }]);
  });

  it('a missing first candidate falls back with a warning naming where the value was missing', () => {
    const r = delivered(mapWith({ 'source.received_at': rule }, { tanggal: null, updated_at: '2024-03-05T10:00:00+07:00' }));
    expect(r.complaint.source.received_at).toBe('2024-03-05T10:00:00+07:00');
    expect(r.warnings).toEqual([{ field: 'source.received_at', message: 'no value at "tanggal"; fell back to candidate 2', code: 'fallback' }]);
  });

  it('no usable candidate for a required field quarantines, keeping the warnings', () => {
    const r = quarantined(mapWith({ 'source.received_at': rule }, { tanggal: 'kemarin', updated_at: 'besok' }));
    expect(r.reason).toMatch(/^source\.received_at: required/);
    expect(r.warnings.map((w) => w.field)).toEqual(['source.received_at', 'source.received_at']);
    expect(r.warnings[0]?.message).toMatch(/fell back to candidate 2$/);
    expect(r.warnings[1]?.message).toMatch(/"besok".*; value dropped$/);
  });

  it('candidates may be literal values', () => {
    const r = delivered(mapWith({ classification: { first_of: [{ path: 'jenis' }, { value: 'aspirasi' }] } }, {}));
    expect(r.complaint.classification).toBe('aspirasi');
  });
});

describe('compileMapping: default, required, on_error', () => {
  it.each<[string, unknown]>([
    ['absent', undefined],
    ['null', null],
    ['empty string', ''],
    ['blank string', '   '],
    ['empty list', []],
  ])('default is used when the source value is %s', (_label, value) => {
    const r = delivered(mapWith({ classification: { path: 'jenis', default: 'aspirasi' } }, { jenis: value }));
    expect(r.complaint.classification).toBe('aspirasi');
    expect(r.warnings).toEqual([]);
  });

  it('"" never reaches a transform: it is missing, not an error', () => {
    const r = delivered(mapWith({ incident_date: { path: 'tgl', transforms: ['parse_date'] } }, { tgl: '' }));
    expect(r.complaint.incident_date).toBeUndefined();
    expect(r.warnings).toEqual([]);
  });

  it('"" for a required field quarantines as missing', () => {
    const r = quarantined(mapWith({ incident_date: { path: 'tgl', transforms: ['parse_date'], required: true } }, { tgl: '' }));
    expect(r.reason).toBe('incident_date: required, but the source has no value at "tgl"');
  });

  it('required and missing: quarantined with a reason naming the field and path', () => {
    const r = quarantined(mapWith({ title: { path: 'judul', required: true } }, {}));
    expect(r.reason).toBe('title: required, but the source has no value at "judul"');
  });

  it('required and empty after transforms: quarantined', () => {
    const r = quarantined(mapWith({ title: { path: 'judul', transforms: ['strip_html', 'collapse_whitespace'], required: true } }, { judul: '<p> </p>' }));
    expect(r.reason).toMatch(/^title: required, but the value is empty after transforms/);
  });

  it('required with a failing transform quarantines by default', () => {
    const r = quarantined(mapWith({ 'location.lat': { path: 'lat', transforms: ['to_number'], required: true } }, { lat: 'utara' }));
    expect(r.reason).toMatch(/^location\.lat: to_number: "utara" is not a number/);
  });

  it('default on_error drops the value with a warning; the complaint is delivered', () => {
    const r = delivered(mapWith({ 'location.lat': { path: 'lat', transforms: ['to_number'] }, 'location.lon': { path: 'lon', transforms: ['to_number'] } }, { lat: 'utara', lon: '105,83' }));
    expect(r.complaint.location).toEqual({ lon: 105.83 });
    expect(r.warnings).toEqual([{ field: 'location.lat', message: 'to_number: "utara" is not a number; value dropped', code: 'transform_failed', value: 'utara' }]);
  });

  it('on_error: quarantine quarantines the record, naming field and cause', () => {
    const r = quarantined(mapWith({ 'location.lat': { path: 'lat', transforms: ['to_number'], on_error: 'quarantine' } }, { lat: 'utara' }));
    expect(r.reason).toBe('location.lat: to_number: "utara" is not a number');
  });

  it('on_error: default uses the default, with a warning', () => {
    const r = delivered(mapWith({ 'location.lat': { path: 'lat', transforms: ['to_number'], on_error: 'default', default: -6.3 } }, { lat: 'utara' }));
    expect(r.complaint.location?.lat).toBe(-6.3);
    expect(r.warnings).toEqual([{ field: 'location.lat', message: 'to_number: "utara" is not a number; used the default', code: 'defaulted', value: 'utara' }]);
  });

  it('on_error: default without a default drops the value', () => {
    const r = delivered(mapWith({ 'location.lat': { path: 'lat', transforms: ['to_number'], on_error: 'default' } }, { lat: 'utara' }));
    expect(r.complaint.location).toBeUndefined();
    expect(r.warnings[0]?.message).toMatch(/; value dropped$/);
  });

  it('on_error: quarantine also covers schema validation of that field', () => {
    const r = quarantined(mapWith({ 'reporter.email': { path: 'surel', on_error: 'quarantine' } }, { surel: 'bukan-email' }));
    expect(r.reason).toMatch(/^reporter\.email: /);
  });

  it('without on_error an invalid optional value is dropped at validation, with a warning', () => {
    const r = delivered(mapWith({ 'reporter.email': { path: 'surel' }, 'reporter.name': { path: 'nama' } }, { surel: 'bukan-email', nama: 'Siti' }));
    expect(r.complaint.reporter).toEqual({ name: 'Siti' });
    expect(r.warnings).toEqual([{ field: 'reporter.email', message: expect.stringMatching(/; value dropped$/), code: 'dropped' }]);
  });

  it('the adapter external id wins over a mapped one', () => {
    const r = delivered(mapWith({}, { id: 7 }, 'X-1'));
    expect(r.complaint.source.external_id).toBe('X-1');
    expect(r.complaint.source.system).toBe('uji');
  });

  it('numeric ids and tickets become strings', () => {
    const r = delivered(mapWith({ 'source.ticket': { path: 'tiket' } }, { id: 7, tiket: 2024001 }));
    expect(r.complaint.source.external_id).toBe('7');
    expect(r.complaint.source.ticket).toBe('2024001');
  });

  it('the mapping timezone applies to local times; a transform option overrides it', () => {
    const makassar = compileFields({}, { timezone: 'Asia/Makassar' });
    expect(delivered(makassar.map(BASE_RECORD)).complaint.source.received_at).toBe('2024-03-01T08:30:00+08:00');
    const jayapura = compileFields({ 'source.received_at': { path: 'at', transforms: [{ parse_datetime: { timezone: 'Asia/Jayapura', formats: ['dd.MM.yyyy HH:mm'] } }] } });
    expect(delivered(jayapura.map({ ...BASE_RECORD, at: '01.03.2024 08:30' })).complaint.source.received_at).toBe('2024-03-01T08:30:00+09:00');
  });

  it('mapping is pure: the same record maps to the same result', () => {
    const m = compileFields({ 'location.lat': { path: 'lat', transforms: ['to_number'] } });
    const rec = { ...BASE_RECORD, lat: 'x' };
    expect(m.map(rec)).toEqual(m.map(rec));
  });
});

describe('compileMapping: a bad spec fails at compile time, naming the source', () => {
  it.each<[string, unknown, RegExp]>([
    ['path and value', { fields: { ...BASE_FIELDS, title: { path: 'judul', value: 'x' } } }, /exactly one of path, value, template, first_of or when/],
    ['none of path/value/template/first_of/when', { fields: { ...BASE_FIELDS, title: { transforms: ['trim'] } } }, /exactly one of path, value, template, first_of or when/],
    ['unknown transform', { fields: { ...BASE_FIELDS, title: { path: 'judul', transforms: ['reverse'] } } }, /fields\.title\.transforms\[0\]/],
    ['unknown key in a rule', { fields: { ...BASE_FIELDS, title: { path: 'judul', colour: 'red' } } }, /Unrecognized key: "colour"/],
    ['unknown top-level key', { fields: BASE_FIELDS, extra: 1 }, /Unrecognized key: "extra"/],
    ['a field path that is not canonical-shaped', { fields: { ...BASE_FIELDS, Title: { path: 'judul' } } }, /fields\.Title/],
    ['an unknown time zone', { timezone: 'Asia/Pandeglang', fields: BASE_FIELDS }, /IANA time zone/],
    ['an unknown time zone in a transform', { fields: { ...BASE_FIELDS, incident_date: { path: 't', transforms: [{ parse_date: { timezone: 'WIB' } }] } } }, /IANA time zone/],
    ['no fields at all', {}, /fields/],
  ])('%s', (_label, spec, pattern) => {
    let caught: unknown;
    try {
      compileMapping(spec, { sourceId: 'sumber-x', lookupsDir: LOOKUPS_DIR });
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(MappingSpecError);
    expect((caught as MappingSpecError).code).toBe('MAPPING_SPEC');
    expect((caught as Error).message).toContain('[sumber-x]');
    expect((caught as Error).message).toMatch(pattern);
  });
});

// ------------------------------------------------------------------ the real Bebeja preset

const bebejaSpec = (parseYaml(fs.readFileSync(BEBEJA_YAML, 'utf8')) as { mapping: unknown }).mapping;
const bebeja = compileMapping(bebejaSpec, { sourceId: 'bebeja', lookupsDir: LOOKUPS_DIR });

const NIK = '3601234567890001';
const PELAPOR = { nama: ' Siti Aminah ', no_hp: '0812-3456-7890', email: 'Siti.Aminah@Example.com', nik: NIK };

function bebejaRecord(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: 101,
    nomor_tiket: 'BBJ-2024-0101',
    judul: 'Jalan rusak di Labuan',
    isi: '<p>Jalan berlubang &amp; <b>berbahaya</b></p><p>Mohon segera diperbaiki.</p>',
    kategori: 'Infrastruktur',
    kecamatan: 'Labuan',
    desa: 'Teluk',
    alamat: 'Jl. Raya Labuan No. 5',
    latitude: '-6,3789',
    longitude: '105.8296',
    tanggal: '2024-03-01 08:30:00',
    pelapor: { ...PELAPOR },
    anonim: '0',
    rahasia: false,
    lampiran: ['https://bebeja.example/uploads/foto%201.jpg'],
    status: 'baru',
    updated_at: '2024-03-02T10:00:00+07:00',
    ...overrides,
  };
}

function mapBebeja(overrides: Record<string, unknown> = {}, externalId: string | undefined = '101'): MapResult {
  return bebeja.map(bebejaRecord(overrides), externalId);
}

describe('Bebeja preset: deliver or quarantine (DESIGN §3)', () => {
  it('a valid record maps completely, with no warnings', () => {
    const r = delivered(mapBebeja());
    expect(r.warnings).toEqual([]);
    expect(r.complaint).toEqual({
      source: { system: 'bebeja', external_id: '101', received_at: '2024-03-01T08:30:00+07:00', ticket: 'BBJ-2024-0101' },
      channel: 'app',
      classification: 'pengaduan',
      title: 'Jalan rusak di Labuan',
      content: 'Jalan berlubang & berbahaya\n\nMohon segera diperbaiki.',
      category: { source_code: 'Infrastruktur', lapor_category_id: '10' },
      incident_date: '2024-03-01',
      location: { region_code: '36.01.12', address: 'Jl. Raya Labuan No. 5, Teluk, Labuan', lat: -6.3789, lon: 105.8296 },
      attachments: [{ url: 'https://bebeja.example/uploads/foto%201.jpg', filename: 'foto 1.jpg' }],
      is_anonymous: false,
      is_secret: false,
      reporter: { name: 'Siti Aminah', nik: NIK, phone: '+6281234567890', email: 'siti.aminah@example.com' },
    });
  });

  it.each<[string, string]>([
    ['Labuan', '36.01.12'],
    ['LABUAN ', '36.01.12'],
    ['  labuan', '36.01.12'],
    ['Karang Tanjung', '36.01.25'],
    ['Karangtanjung', '36.01.25'],
    ['MENES', '36.01.13'],
  ])('kecamatan %p → region_code %p', (kecamatan, code) => {
    expect(delivered(mapBebeja({ kecamatan })).complaint.location?.region_code).toBe(code);
  });

  it.each<[string, string]>([
    ['Infrastruktur', '10'],
    ['Jalan dan Jembatan', '10'],
    ['kesehatan', '20'],
    ['ADMINISTRASI  KEPENDUDUKAN', '40'],
  ])('kategori %p → lapor_category_id %p from the CSV', (kategori, id) => {
    const r = delivered(mapBebeja({ kategori }));
    expect(r.complaint.category?.lapor_category_id).toBe(id);
    expect(r.complaint.category?.source_code).toBe(kategori.trim());
  });

  it.each<[string]>([['081234567890'], ['+62 812 3456 7890'], ['62812-3456-7890'], ['(0812) 3456 7890']])('phone %p → E.164', (no_hp) => {
    expect(delivered(mapBebeja({ pelapor: { ...PELAPOR, no_hp } })).complaint.reporter?.phone).toBe('+6281234567890');
  });

  it('received_at and incident_date are WIB', () => {
    const r = delivered(mapBebeja({ tanggal: '2024-12-31 23:45:00' }));
    expect(r.complaint.source.received_at).toBe('2024-12-31T23:45:00+07:00');
    expect(r.complaint.incident_date).toBe('2024-12-31');
  });

  it('without an external id there is no source id: quarantined', () => {
    const r = quarantined(bebeja.map(bebejaRecord(), undefined));
    expect(r.reason).toMatch(/^source\.external_id: /);
  });

  it.each<[string, Record<string, unknown>]>([
    ['both absent', { judul: undefined, isi: undefined }],
    ['both null', { judul: null, isi: null }],
    ['both blank', { judul: '   ', isi: '\n\t' }],
    ['both empty after HTML stripping', { judul: '<p></p>', isi: '<div>&nbsp;</div><br>' }],
  ])('neither judul nor isi (%s) → quarantined for missing content', (_label, overrides) => {
    const r = quarantined(mapBebeja(overrides));
    expect(r.reason).toMatch(/^content: /);
    expect(r.reason).toMatch(/neither title nor content/);
  });

  it('only judul: delivered, the title becomes the content, with a warning', () => {
    const r = delivered(mapBebeja({ isi: null }));
    expect(r.complaint.content).toBe('Jalan rusak di Labuan');
    expect(r.warnings).toEqual([{ field: 'content', message: 'no content; used the title as content', code: 'generated' }]);
  });

  it.each<[string]>([['0000-00-00 00:00:00'], ['kemarin sore'], ['31/02/2024 10:00']])(
    'unparseable tanggal %p: delivered, received_at from updated_at, warning on source.received_at',
    (tanggal) => {
      const r = delivered(mapBebeja({ tanggal }));
      expect(r.complaint.source.received_at).toBe('2024-03-02T10:00:00+07:00');
      expect(r.complaint.incident_date).toBeUndefined();
      expect(r.warnings).toContainEqual({ field: 'source.received_at', message: expect.stringMatching(/fell back to candidate 2$/), code: 'transform_failed', value: tanggal });
      expect(r.warnings).toContainEqual({ field: 'incident_date', message: expect.stringMatching(/value dropped$/), code: 'transform_failed', value: tanggal });
    },
  );

  it('neither tanggal nor updated_at readable → quarantined on source.received_at', () => {
    const r = quarantined(mapBebeja({ tanggal: 'kemarin', updated_at: '0000-00-00 00:00:00' }));
    expect(r.reason).toMatch(/^source\.received_at: /);
  });

  it('a 20-digit NIK is dropped with a warning naming reporter.nik; the rest of the reporter stays', () => {
    const badNik = '36012345678900011234';
    const r = delivered(mapBebeja({ pelapor: { ...PELAPOR, nik: badNik } }));
    expect(r.complaint.reporter).toEqual({ name: 'Siti Aminah', phone: '+6281234567890', email: 'siti.aminah@example.com' });
    expect(r.complaint.reporter && 'nik' in r.complaint.reporter).toBe(false);
    expect(r.warnings).toHaveLength(1);
    expect(r.warnings[0]?.field).toBe('reporter.nik');
    expect(JSON.stringify(r.warnings)).not.toContain(badNik);
  });

  it('a malformed phone is dropped with a masked warning', () => {
    const r = delivered(mapBebeja({ pelapor: { ...PELAPOR, no_hp: '0812-99' } }));
    expect(r.complaint.reporter?.phone).toBeUndefined();
    expect(r.complaint.reporter?.name).toBe('Siti Aminah');
    expect(r.warnings).toEqual([{ field: 'reporter.phone', message: expect.stringMatching(/value dropped$/), code: 'transform_failed' }]);
    expect(r.warnings[0]?.message).not.toContain('081299');
  });

  it('a reporter whose every value is invalid disappears as a block', () => {
    const r = delivered(mapBebeja({ pelapor: { nama: ' ', no_hp: 'abc', email: 'x', nik: '1' } }));
    expect(r.complaint.reporter).toBeUndefined();
    expect(r.warnings.map((w) => w.field).sort()).toEqual(['reporter.email', 'reporter.nik', 'reporter.phone']);
  });

  it.each<[unknown]>([['1'], [1], ['ya'], [true]])('anonim %p → no reporter block at all', (anonim) => {
    const r = delivered(mapBebeja({ anonim }));
    expect(r.complaint.is_anonymous).toBe(true);
    expect('reporter' in r.complaint).toBe(false);
    expect(JSON.stringify(r.complaint)).not.toContain(NIK);
    expect(JSON.stringify(r.complaint)).not.toContain('Siti');
  });

  it.each<[unknown]>([['maybe'], ['2'], [2], ['anonim']])('anonim %p is never guessed: quarantined', (anonim) => {
    const r = quarantined(mapBebeja({ anonim }));
    expect(r.reason).toMatch(/^is_anonymous: to_bool: /);
  });

  it('anonim missing → quarantined (required)', () => {
    expect(quarantined(mapBebeja({ anonim: null })).reason).toMatch(/^is_anonymous: required/);
  });

  it('rahasia: true → is_secret; missing → false; unreadable → quarantined', () => {
    expect(delivered(mapBebeja({ rahasia: true })).complaint.is_secret).toBe(true);
    expect(delivered(mapBebeja({ rahasia: undefined })).complaint.is_secret).toBe(false);
    expect(quarantined(mapBebeja({ rahasia: 'kadang' })).reason).toMatch(/^is_secret: /);
  });

  it('content over 20,000 code points is truncated on a grapheme boundary, with the marker and a warning', () => {
    const family = '👨‍👩‍👧'; // 5 code points, one grapheme
    const r = delivered(mapBebeja({ isi: `ab${family.repeat(4000)}` }));
    const content = r.complaint.content;
    expect(codePointLength(content)).toBeLessThanOrEqual(CONTENT_MAX);
    expect(content.endsWith(TRUNCATION_MARKER)).toBe(true);
    const body = content.slice(0, -TRUNCATION_MARKER.length);
    // every grapheme before the marker is a whole family: none was split
    expect(graphemes(body).slice(2).every((g) => g === family)).toBe(true);
    expect(body).toBe(`ab${family.repeat(3998)}`);
    expect(r.warnings).toEqual([{ field: 'content', message: `longer than ${CONTENT_MAX} characters; truncated`, code: 'truncated' }]);
  });

  it('length is counted in code points: 20,000 astral characters fit', () => {
    const isi = '😀'.repeat(CONTENT_MAX);
    const r = delivered(mapBebeja({ isi }));
    expect(r.complaint.content).toBe(isi);
    expect(r.warnings).toEqual([]);
  });

  it('a judul over 150 characters is truncated with the marker and a warning', () => {
    const r = delivered(mapBebeja({ judul: `Jalan ${'rusak '.repeat(40)}` }));
    expect(codePointLength(r.complaint.title)).toBeLessThanOrEqual(TITLE_MAX);
    expect(r.complaint.title.endsWith(TRUNCATION_MARKER)).toBe(true);
    expect(r.complaint.title.startsWith('Jalan rusak rusak')).toBe(true);
    expect(r.warnings).toEqual([{ field: 'title', message: `longer than ${TITLE_MAX} characters; truncated`, code: 'truncated' }]);
  });

  it('missing judul → title generated from the content, with a warning', () => {
    const r = delivered(mapBebeja({ judul: '', isi: '<p>Lampu jalan mati sejak seminggu. Mohon diperbaiki.</p>' }));
    expect(r.complaint.title).toBe('Lampu jalan mati sejak seminggu.');
    expect(r.complaint.content).toBe('Lampu jalan mati sejak seminggu. Mohon diperbaiki.');
    expect(r.warnings).toEqual([{ field: 'title', message: 'no title; generated from the content', code: 'generated' }]);
  });

  it('HTML in isi and judul is stripped and whitespace normalised', () => {
    const r = delivered(
      mapBebeja({
        judul: '<b>Sampah</b>&nbsp;menumpuk',
        isi: '<div>Sampah menumpuk &amp; bau<br>di pasar</div>\r\n\r\n\r\n<p>Sudah   <i>2 minggu</i>.</p><script>x()</script>',
      }),
    );
    expect(r.complaint.title).toBe('Sampah menumpuk');
    expect(r.complaint.content).toBe('Sampah menumpuk & bau\ndi pasar\n\nSudah 2 minggu.');
    expect(r.complaint.content).not.toMatch(/[<>]/);
  });

  it('unknown kategori: lapor_category_id dropped with a warning, source_code kept', () => {
    const r = delivered(mapBebeja({ kategori: 'Kuliner' }));
    expect(r.complaint.category).toEqual({ source_code: 'Kuliner' });
    expect(r.warnings).toEqual([
      { field: 'category.lapor_category_id', message: expect.stringMatching(/"Kuliner" is not in bebeja-kategori\.csv; value dropped$/), code: 'lookup_miss', value: 'Kuliner', lookup: 'bebeja-kategori.csv' },
    ]);
  });

  it('unknown kecamatan: region_code dropped with a warning, the address stays', () => {
    const r = delivered(mapBebeja({ kecamatan: 'Serang' }));
    expect(r.complaint.location?.region_code).toBeUndefined();
    expect(r.complaint.location?.address).toBe('Jl. Raya Labuan No. 5, Teluk, Serang');
    expect(r.warnings.map((w) => w.field)).toEqual(['location.region_code']);
  });

  it.each<[string, unknown, RegExp, string, string]>([
    ['not a number', 'utara', /to_number/, 'transform_failed', 'utara'],
    ['out of range', '95', /90/, 'dropped', '95'],
    ['out of range, decimal comma', '-91,5', /90/, 'dropped', '-91.5'],
  ])('invalid latitude (%s) is dropped with a warning; longitude stays', (_label, latitude, pattern, code, value) => {
    const r = delivered(mapBebeja({ latitude }));
    expect(r.complaint.location?.lat).toBeUndefined();
    expect(r.complaint.location?.lon).toBe(105.8296);
    expect(r.warnings).toEqual([{ field: 'location.lat', message: expect.stringMatching(pattern), code, value }]);
  });

  it('attachments: none is an empty list; a non-http URL is dropped alone, with a warning', () => {
    expect(delivered(mapBebeja({ lampiran: [] })).complaint.attachments).toEqual([]);
    const r = delivered(mapBebeja({ lampiran: ['https://bebeja.example/a.jpg', 'ftp://files.example/b.jpg', 'https://bebeja.example/c.pdf'] }));
    expect(r.complaint.attachments.map((a) => a.url)).toEqual(['https://bebeja.example/a.jpg', 'https://bebeja.example/c.pdf']);
    expect(r.warnings).toHaveLength(1);
    expect(r.warnings[0]?.field).toMatch(/^attachments/);
  });

  it('status and other unmapped source fields do not affect the complaint', () => {
    expect(mapBebeja({ status: 'selesai' })).toEqual(mapBebeja({ status: 'baru' }));
  });

  it('the mapping version is stable for the same spec and tables', () => {
    const again = compileMapping(bebejaSpec, { sourceId: 'bebeja', lookupsDir: LOOKUPS_DIR });
    expect(again.version).toBe(bebeja.version);
    expect(bebeja.version).toMatch(/^[0-9a-f]{12}$/);
  });
});

// ------------------------------------------------------------------ helpers used by finishComplaint

describe('truncateText', () => {
  it.each<[string, number, string]>([
    ['abc', 8, 'abc'],
    ['abcdefgh', 8, 'abcdefgh'],
    ['abcdefghij', 8, 'abcd […]'],
    ['ab de fghij', 7, 'ab […]'], // trailing space before the marker is trimmed
    ['👍🏽👍🏽👍🏽👍🏽👍🏽👍🏽', 10, '👍🏽👍🏽👍🏽 […]'], // skin-tone pairs stay whole
    ['e\u0301e\u0301e\u0301e\u0301e\u0301', 7, 'e\u0301 […]'], // combining accents stay with their letter
  ])('truncateText(%j, %i) → %j', (input, max, expected) => {
    const out = truncateText(input, max);
    expect(out).toBe(expected);
    expect(codePointLength(out)).toBeLessThanOrEqual(max);
  });

  it('a custom marker', () => {
    expect(truncateText('Pelayanan publik lambat', 10, '…')).toBe('Pelayanan…');
  });

  it('never splits a grapheme at any limit', () => {
    const family = '👨‍👩‍👧';
    const text = `x${family}${family}${family}`;
    for (let max = TRUNCATION_MARKER.length; max < codePointLength(text); max++) {
      const body = truncateText(text, max).slice(0, -TRUNCATION_MARKER.length);
      expect(graphemes(body).every((g) => g === 'x' || g === family)).toBe(true);
      expect(codePointLength(truncateText(text, max))).toBeLessThanOrEqual(max);
    }
  });
});

describe('titleFromContent', () => {
  it.each<[string, string]>([
    ['Jalan rusak parah. Sudah lama tidak diperbaiki.', 'Jalan rusak parah.'],
    ['Kenapa bantuan belum cair? Kami sudah menunggu.', 'Kenapa bantuan belum cair?'],
    ['Tolong!  Banjir lagi', 'Tolong!'],
    ['\n\nBaris pertama tanpa titik\nbaris dua', 'Baris pertama tanpa titik'],
    ['Versi 2.0 aplikasi error', 'Versi 2.0 aplikasi error'],
    // abbreviations and initials do not end the sentence
    ['Lampu di Jl. Raya Carita mati total! Dua motor jatuh.', 'Lampu di Jl. Raya Carita mati total!'],
    ['Rumah No. 5 RT. 02 kebanjiran. Mohon bantuan.', 'Rumah No. 5 RT. 02 kebanjiran.'],
    ['Bpk. H. Ahmad belum menerima BLT. Mohon dicek.', 'Bpk. H. Ahmad belum menerima BLT.'],
    ['Puskesmas tutup pukul 14. Warga kecewa.', 'Puskesmas tutup pukul 14.'],
  ])('%j → %j', (content, expected) => {
    expect(titleFromContent(content)).toBe(expected);
  });

  it('a long first sentence is cut at a word boundary, at most 100 code points, with an ellipsis', () => {
    const title = titleFromContent('kata '.repeat(40).trim());
    expect(codePointLength(title)).toBeLessThanOrEqual(100);
    expect(title.endsWith('…')).toBe(true);
    expect(title.slice(0, -1)).toMatch(/^(kata )*kata$/);
  });

  it('one long word is cut hard', () => {
    const title = titleFromContent('x'.repeat(150));
    expect(codePointLength(title)).toBeLessThanOrEqual(100);
    expect(title).toBe(`${'x'.repeat(99)}…`);
  });
});
