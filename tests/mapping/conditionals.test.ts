/**
 * Conditionals (`when` / `then` / `else`) and the structured warnings `map()` returns
 * (`code`, `value`, `lookup`), including the rule that personal data never reaches a warning.
 */
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from '@jest/globals';
import { compileMapping, MappingSpecError, type MapResult } from '../../src/mapping/compile-mapping.js';

const LOOKUPS_DIR = fileURLToPath(new URL('../../config/lookups', import.meta.url));

const BASE_FIELDS: Record<string, unknown> = {
  'source.external_id': { path: 'id', transforms: ['to_string'] },
  'source.received_at': { value: '2024-03-01T08:30:00+07:00' },
  channel: { value: 'web' },
  title: { value: 'Judul' },
  content: { value: 'Isi laporan' },
  is_anonymous: { value: false },
  is_secret: { value: false },
};

function compileFields(fields: Record<string, unknown>) {
  return compileMapping({ fields: { ...BASE_FIELDS, ...fields } }, { sourceId: 'uji', lookupsDir: LOOKUPS_DIR });
}

function delivered(r: MapResult) {
  if (!r.ok) throw new Error(`expected a delivered complaint, got quarantine: ${r.reason}`);
  return r;
}

function specError(fields: Record<string, unknown>): string {
  try {
    compileFields(fields);
  } catch (err) {
    expect(err).toBeInstanceOf(MappingSpecError);
    return (err as Error).message;
  }
  throw new Error('expected the mapping to be refused');
}

describe('when / then / else', () => {
  // the documented example: Bebeja-like "anonim" in many spellings, strict otherwise
  const anonim = compileFields({
    is_anonymous: {
      when: { path: 'anonim', in: ['1', 'ya', 'anonim'] },
      then: { value: true },
      else: { path: 'anonim', transforms: ['to_bool'] },
      required: true,
      on_error: 'quarantine',
    },
  });

  it.each<[unknown, boolean]>([
    ['1', true],
    [1, true],
    [' YA ', true],
    ['Anonim', true],
    ['0', false],
    ['tidak', false],
    [false, false],
  ])('anonim %p → is_anonymous %p', (value, expected) => {
    expect(delivered(anonim.map({ id: 1, anonim: value })).complaint.is_anonymous).toBe(expected);
  });

  it('a branch inherits the rule’s on_error: an unreadable value quarantines', () => {
    const r = anonim.map({ id: 1, anonim: 'kadang' });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toBe('is_anonymous: to_bool: cannot read "kadang" as yes/no');
  });

  it('a missing value matches no equals/in, takes else, and a required field quarantines', () => {
    const r = anonim.map({ id: 1 });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toMatch(/^is_anonymous: required/);
  });

  it('equals compares as text, ignoring case and surrounding spaces; numbers and booleans too', () => {
    const m = compileFields({ classification: { when: { path: 'jenis', equals: 'Aspirasi' }, then: { value: 'aspirasi' }, else: { value: 'pengaduan' } } });
    expect(delivered(m.map({ id: 1, jenis: '  ASPIRASI ' })).complaint.classification).toBe('aspirasi');
    expect(delivered(m.map({ id: 1, jenis: 'aspirasi warga' })).complaint.classification).toBe('pengaduan');
    const n = compileFields({ is_secret: { when: { path: 'r', equals: 1 }, then: { value: true }, else: { value: false } } });
    expect(delivered(n.map({ id: 1, r: '1' })).complaint.is_secret).toBe(true);
    expect(delivered(n.map({ id: 1, r: 1 })).complaint.is_secret).toBe(true);
    const b = compileFields({ is_secret: { when: { path: 'r', equals: true }, then: { value: true }, else: { value: false } } });
    expect(delivered(b.map({ id: 1, r: true })).complaint.is_secret).toBe(true);
    expect(delivered(b.map({ id: 1, r: 'TRUE' })).complaint.is_secret).toBe(true);
  });

  it('objects and lists never equal a value', () => {
    const m = compileFields({ classification: { when: { path: 'x', equals: 'a' }, then: { value: 'aspirasi' }, else: { value: 'pengaduan' } } });
    expect(delivered(m.map({ id: 1, x: ['a'] })).complaint.classification).toBe('pengaduan');
    expect(delivered(m.map({ id: 1, x: { a: 1 } })).complaint.classification).toBe('pengaduan');
  });

  it('matches: a regular expression, case-insensitive, on the trimmed text', () => {
    const m = compileFields({ channel: { when: { path: 'sumber', matches: '^(wa|whatsapp)\\b' }, then: { value: 'whatsapp' }, else: { value: 'app' } } });
    expect(delivered(m.map({ id: 1, sumber: ' WhatsApp Center' })).complaint.channel).toBe('whatsapp');
    expect(delivered(m.map({ id: 1, sumber: 'wa' })).complaint.channel).toBe('whatsapp');
    expect(delivered(m.map({ id: 1, sumber: 'web' })).complaint.channel).toBe('app');
    expect(delivered(m.map({ id: 1 })).complaint.channel).toBe('app');
  });

  it.each<[string, unknown, string]>([
    ['a value', 'x', 'ada'],
    ['a number 0', 0, 'ada'],
    ['false', false, 'ada'],
    ['absent', undefined, 'tidak'],
    ['null', null, 'tidak'],
    ['blank', '   ', 'tidak'],
    ['an empty list', [], 'tidak'],
  ])('exists: %s', (_label, value, expected) => {
    const m = compileFields({ 'location.address': { when: { path: 'v', exists: true }, then: { value: 'ada' }, else: { value: 'tidak' } } });
    expect(delivered(m.map({ id: 1, v: value })).complaint.location?.address).toBe(expected);
    const not = compileFields({ 'location.address': { when: { path: 'v', exists: false }, then: { value: 'tidak' }, else: { value: 'ada' } } });
    expect(delivered(not.map({ id: 1, v: value })).complaint.location?.address).toBe(expected);
  });

  it('without else, a false condition gives no value (then default / required apply)', () => {
    const m = compileFields({ 'target_agency.source_code': { when: { path: 'dinas', exists: true }, then: { path: 'dinas', transforms: ['upper'] } } });
    expect(delivered(m.map({ id: 1, dinas: 'dinkes' })).complaint.target_agency).toEqual({ source_code: 'DINKES' });
    expect(delivered(m.map({ id: 1 })).complaint.target_agency).toBeUndefined();
    const d = compileFields({ 'target_agency.source_code': { when: { path: 'dinas', exists: true }, then: { path: 'dinas' }, default: 'SETDA' } });
    expect(delivered(d.map({ id: 1 })).complaint.target_agency).toEqual({ source_code: 'SETDA' });
  });

  it('a branch inherits the rule’s default and on_error: default', () => {
    const m = compileFields({ 'location.lat': { when: { path: 'lat', exists: true }, then: { path: 'lat', transforms: ['to_number'] }, on_error: 'default', default: -6.3 } });
    const r = delivered(m.map({ id: 1, lat: 'utara' }));
    expect(r.complaint.location?.lat).toBe(-6.3);
    expect(r.warnings).toEqual([{ field: 'location.lat', message: 'to_number: "utara" is not a number; used the default', code: 'defaulted', value: 'utara' }]);
  });

  it('a branch without on_error in a rule without one drops a failing value with a warning', () => {
    const m = compileFields({ 'location.lat': { when: { path: 'lat', exists: true }, then: { path: 'lat', transforms: ['to_number'] } } });
    const r = delivered(m.map({ id: 1, lat: 'utara' }));
    expect(r.complaint.location).toBeUndefined();
    expect(r.warnings).toEqual([{ field: 'location.lat', message: 'to_number: "utara" is not a number; value dropped', code: 'transform_failed', value: 'utara' }]);
  });

  it('the rule’s own transforms apply after the chosen branch', () => {
    const m = compileFields({ 'location.address': { when: { path: 'a', exists: true }, then: { path: 'a' }, else: { path: 'b' }, transforms: ['title_case'] } });
    expect(delivered(m.map({ id: 1, a: 'JL. RAYA' })).complaint.location?.address).toBe('Jl. Raya');
    expect(delivered(m.map({ id: 1, b: 'kp. baru' })).complaint.location?.address).toBe('Kp. Baru');
  });

  it('chains: an else may itself be a when', () => {
    const m = compileFields({
      classification: {
        when: { path: 'jenis', in: ['aspirasi', 'usulan'] },
        then: { value: 'aspirasi' },
        else: { when: { path: 'jenis', matches: '^info' }, then: { value: 'permintaan_informasi' }, else: { value: 'pengaduan' } },
      },
    });
    expect(delivered(m.map({ id: 1, jenis: 'Usulan' })).complaint.classification).toBe('aspirasi');
    expect(delivered(m.map({ id: 1, jenis: 'Informasi' })).complaint.classification).toBe('permintaan_informasi');
    expect(delivered(m.map({ id: 1, jenis: 'keluhan' })).complaint.classification).toBe('pengaduan');
  });

  it('a when can be a first_of candidate', () => {
    const m = compileFields({ 'location.address': { first_of: [{ when: { path: 'valid', equals: 'y' }, then: { path: 'a' } }, { path: 'b' }] } });
    expect(delivered(m.map({ id: 1, valid: 'y', a: 'A', b: 'B' })).complaint.location?.address).toBe('A');
    const r = delivered(m.map({ id: 1, valid: 'n', a: 'A', b: 'B' }));
    expect(r.complaint.location?.address).toBe('B');
    expect(r.warnings).toEqual([{ field: 'location.address', message: 'no value at candidate 1; fell back to candidate 2', code: 'fallback' }]);
  });

  it.each<[string, Record<string, unknown>, RegExp]>([
    ['when without then', { when: { path: 'a', exists: true } }, /`when` needs a `then` rule/],
    ['then without when', { path: 'a', then: { value: 1 } }, /`then` is only used with `when`/],
    ['else without when', { path: 'a', else: { value: 1 } }, /`else` is only used with `when`/],
    ['when and path together', { path: 'a', when: { path: 'a', exists: true }, then: { value: 1 } }, /exactly one of path, value, template, first_of or when/],
    ['a condition without a test', { when: { path: 'a' }, then: { value: 1 } }, /exactly one of equals, in, matches or exists/],
    ['a condition with two tests', { when: { path: 'a', equals: 'x', exists: true }, then: { value: 1 } }, /exactly one of equals, in, matches or exists/],
    ['a condition without a path', { when: { equals: 'x' }, then: { value: 1 } }, /when\.path/],
    ['an unknown condition key', { when: { path: 'a', contains: 'x' }, then: { value: 1 } }, /contains/],
    ['an empty in list', { when: { path: 'a', in: [] }, then: { value: 1 } }, /when\.in/],
    ['a bad regular expression', { when: { path: 'a', matches: '(' }, then: { value: 1 } }, /not a valid regular expression/],
    ['a catastrophic regular expression', { when: { path: 'a', matches: '(x+)+y' }, then: { value: 1 } }, /nested quantifiers/],
    ['a bad rule inside then', { when: { path: 'a', exists: true }, then: { path: 'b', colour: 'red' } }, /colour/],
  ])('refused: %s', (_label, rule, pattern) => {
    expect(specError({ 'location.address': rule })).toMatch(pattern);
  });
});

describe('structured warnings', () => {
  it('lookup_miss names the table and the value, for CSV files and the region table', () => {
    const m = compileFields({
      'category.source_code': { path: 'kategori' },
      'category.lapor_category_id': { path: 'kategori', transforms: [{ lookup: { file: 'bebeja-kategori.csv' } }] },
      'location.region_code': { path: 'kecamatan', transforms: [{ region_code: { regency: '36.01' } }] },
    });
    const r = delivered(m.map({ id: 1, kategori: 'Kuliner', kecamatan: 'Atlantis' }));
    expect(r.warnings).toEqual([
      { field: 'category.lapor_category_id', message: 'lookup: "Kuliner" is not in bebeja-kategori.csv; value dropped', code: 'lookup_miss', value: 'Kuliner', lookup: 'bebeja-kategori.csv' },
      { field: 'location.region_code', message: 'region_code: unknown kecamatan "Atlantis" in 36.01; value dropped', code: 'lookup_miss', value: 'Atlantis', lookup: 'region_code 36.01' },
    ]);
  });

  it('a lookup miss that falls back to the next candidate is still a lookup_miss', () => {
    const m = compileFields({
      'location.region_code': {
        first_of: [{ path: 'kecamatan', transforms: [{ region_code: { regency: '36.01' } }] }, { value: '36.01' }],
      },
    });
    const r = delivered(m.map({ id: 1, kecamatan: 'Atlantis' }));
    expect(r.complaint.location?.region_code).toBe('36.01');
    expect(r.warnings).toEqual([
      { field: 'location.region_code', message: 'region_code: unknown kecamatan "Atlantis" in 36.01; fell back to candidate 2', code: 'lookup_miss', value: 'Atlantis', lookup: 'region_code 36.01' },
    ]);
  });

  it('on_error: default after a lookup miss stays a lookup_miss; after another failure it is defaulted', () => {
    const m = compileFields({
      'location.region_code': { path: 'kecamatan', transforms: [{ region_code: { regency: '36.01' } }], on_error: 'default', default: '36.01' },
      'location.lat': { path: 'lat', transforms: ['to_number'], on_error: 'default', default: -6.3 },
    });
    const r = delivered(m.map({ id: 1, kecamatan: 'Atlantis', lat: 'utara' }));
    expect(r.warnings.map((w) => [w.field, w.code, w.value])).toEqual([
      ['location.region_code', 'lookup_miss', 'Atlantis'],
      ['location.lat', 'defaulted', 'utara'],
    ]);
    expect(r.warnings[0]?.message).toMatch(/; used the default$/);
  });

  it('a long value is cut to 200 characters in the warning', () => {
    const m = compileFields({ 'location.lat': { path: 'lat', transforms: ['to_number'] } });
    const r = delivered(m.map({ id: 1, lat: 'x'.repeat(500) }));
    expect(r.warnings[0]?.value).toBe(`${'x'.repeat(199)}…`);
  });

  it('values of lists and objects are not copied into warnings', () => {
    const m = compileFields({ 'location.lat': { path: 'lat', transforms: ['to_number'] } });
    const r = delivered(m.map({ id: 1, lat: ['x'] }));
    expect(r.warnings[0]?.code).toBe('transform_failed');
    expect(r.warnings[0] && 'value' in r.warnings[0]).toBe(false);
  });

  describe('personal data never reaches a warning (UU PDP)', () => {
    const name = 'Siti Aminah Rahayu';
    const m = compileFields({
      // deliberately odd rules, to make a reporter value fail in every way a transform can
      'reporter.name': { path: 'nama', transforms: [{ lookup: { table: { x: 'y' } } }] },
      'reporter.email': { path: 'surel', transforms: ['to_number'] },
      'reporter.phone': { path: 'hp', transforms: [{ lookup: { table: { x: 'y' }, default: 'z' } }] },
      'reporter.nik': { path: 'nik', transforms: [{ lookup: { table: { x: 'y' }, on_miss: 'keep' } }] },
    });
    const r = m.map({ id: 1, nama: name, surel: 'siti.rahayu@example.com', hp: '081234567890', nik: '36012345678900011234' });

    it('no value field, and the value is masked out of the message', () => {
      expect(r.warnings.length).toBeGreaterThanOrEqual(4);
      for (const w of r.warnings) {
        expect(w.field.startsWith('reporter.')).toBe(true);
        expect('value' in w).toBe(false);
      }
      const text = JSON.stringify(r.warnings);
      for (const secret of [name, 'siti.rahayu@example.com', '081234567890', '36012345678900011234']) expect(text).not.toContain(secret);
      expect(r.warnings[0]?.message).toBe('lookup: *** is not in inline table; value dropped');
    });

    it('a quarantine reason of a strict reporter field is masked too', () => {
      const strict = compileFields({ 'reporter.name': { path: 'nama', transforms: [{ lookup: { table: { x: 'y' } } }], on_error: 'quarantine' } });
      const q = strict.map({ id: 1, nama: name });
      expect(q.ok).toBe(false);
      if (!q.ok) expect(q.reason).toBe('reporter.name: lookup: *** is not in inline table');
    });

    it('free-text fields (title, content, address) carry no value either', () => {
      const t = compileFields({ 'location.address': { path: 'a', transforms: [{ regex_replace: { pattern: 'x' } }] }, title: { path: 't', transforms: ['to_number'] } });
      const w = t.map({ id: 1, a: 'y'.repeat(30_000), t: 'Jalan rusak' }).warnings;
      // the second title warning: the title was then generated from the content
      expect(w.map((x) => x.field)).toEqual(['title', 'location.address', 'title']);
      for (const x of w) expect('value' in x).toBe(false);
    });
  });
});
