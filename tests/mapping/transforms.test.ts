/**
 * Value transforms (src/mapping/transforms.ts), table-driven, and the `lookup` transform through
 * compileMapping (inline tables and CSV files).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { compileMapping, MappingSpecError, type MapResult } from '../../src/mapping/compile-mapping.js';
import {
  attachmentUrls,
  collapseWhitespace,
  email,
  nik,
  parseDate,
  parseDatetime,
  phoneE164,
  simpleTransforms,
  stripHtml,
  toBool,
  toNumber,
  TransformError,
} from '../../src/mapping/transforms.js';

/** Runs `fn` and returns the TransformError it throws (fails the test when it does not throw one). */
function transformError(fn: () => unknown): TransformError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(TransformError);
    expect((err as TransformError).code).toBe('TRANSFORM_FAILED');
    return err as TransformError;
  }
  throw new Error('expected a TransformError, but the transform succeeded');
}

describe('simpleTransforms registry', () => {
  // one representative success per transform, called through the registry a mapping uses
  const representative: Record<string, [unknown, unknown]> = {
    trim: ['  Jalan rusak  ', 'Jalan rusak'],
    strip_html: ['<p>Jalan <b>rusak</b></p>', 'Jalan rusak'],
    collapse_whitespace: ['Jalan \t rusak', 'Jalan rusak'],
    to_bool: ['ya', true],
    parse_datetime: ['2024-03-01 08:30:00', '2024-03-01T08:30:00+07:00'],
    parse_date: ['2024-03-01 08:30:00', '2024-03-01'],
    phone_e164: ['081234567890', '+6281234567890'],
    to_number: ['-6,3089', -6.3089],
    to_string: [42, '42'],
    lower: ['LABUAN', 'labuan'],
    upper: ['labuan', 'LABUAN'],
    title_case: ['JALAN rusak di kec. labuan', 'Jalan Rusak Di Kec. Labuan'],
    normalize_text: ['Jalan\u200B rusak\r\n\u0007lagi', 'Jalan rusak\nlagi'],
    nik: ['3601 2345 6789 0001', '3601234567890001'],
    email: [' Siti@Example.COM ', 'siti@example.com'],
    attachment_urls: ['https://bebeja.example/a.jpg', [{ url: 'https://bebeja.example/a.jpg', filename: 'a.jpg' }]],
  };

  it('every registered transform has a case in this file (a new transform needs a test)', () => {
    expect(Object.keys(simpleTransforms).sort()).toEqual(Object.keys(representative).sort());
  });

  it.each(Object.entries(representative))('%s through the registry', (name, [input, expected]) => {
    const fn = simpleTransforms[name];
    expect(fn).toBeDefined();
    expect(fn?.(input)).toEqual(expected);
  });

  it.each([
    ['trim', {}],
    ['trim', ['a']],
    ['lower', { a: 1 }],
    ['upper', ['x']],
    ['to_string', {}],
    ['strip_html', ['<b>x</b>']],
    ['collapse_whitespace', {}],
    ['email', ['a@b.co']],
  ])('%s refuses a non-text value %p', (name, input) => {
    const fn = simpleTransforms[name];
    expect(fn).toBeDefined();
    const err = transformError(() => fn?.(input));
    expect(err.message).toMatch(/expected text/);
  });
});

describe('trim, to_string, lower, upper', () => {
  it.each<[string, unknown, unknown]>([
    ['trim', '  a b  ', 'a b'],
    ['trim', '\t\nLabuan\r\n', 'Labuan'],
    ['trim', 5, '5'],
    ['trim', true, 'true'],
    ['to_string', 3601, '3601'],
    ['to_string', false, 'false'],
    ['to_string', ' keeps spaces ', ' keeps spaces '],
    ['lower', 'Kec. LABUAN', 'kec. labuan'],
    ['upper', 'Desa Teluk', 'DESA TELUK'],
  ])('%s(%j) → %j', (name, input, expected) => {
    expect(simpleTransforms[name]?.(input)).toBe(expected);
  });
});

describe('strip_html', () => {
  it.each<[string, string]>([
    ['<b>Jalan</b> <i>rusak</i>', 'Jalan rusak'],
    ['<p>Jalan rusak</p><p>di desa</p>', 'Jalan rusak\n\ndi desa'],
    ['a<br>b<br/>c', 'a\nb\nc'],
    ['Baris satu<br>Baris dua<p>Paragraf</p>', 'Baris satu\nBaris dua\n\nParagraf'],
    ['A &amp; B', 'A & B'],
    ['B&nbsp;C', 'B\u00a0C'],
    ['&lt;b&gt; bukan tag', '<b> bukan tag'],
    ['<div>Tolong &lt;segera&gt; diperbaiki&hellip;</div>', 'Tolong <segera> diperbaiki…'],
    ['Jalan <b>rusak</b> parah &mdash; tolong', 'Jalan rusak parah — tolong'],
    ['<a href="http://x.example/">tautan</a> &quot;q&quot;', 'tautan "q"'],
    ['<script>alert(1)</script>halo', 'halo'],
    ['<style>p{color:red}</style><div>Halo</div><div>Dunia</div>', 'Halo\nDunia'],
  ])('%j → %j', (input, expected) => {
    expect(stripHtml(input)).toBe(expected);
  });

  it.each<[string]>([
    ['tidak ada tag sama sekali'],
    ['Harga naik 5%  — spasi ganda   tetap'],
    ['baris satu\n\n\nbaris dua'],
    ['aku <3 kamu & dia'],
    ['a < b > c'],
  ])('text without markup comes back unchanged: %j', (input) => {
    expect(stripHtml(input)).toBe(input);
  });
});

describe('collapse_whitespace', () => {
  it.each<[string, string]>([
    ['a\t\tb', 'a b'],
    ['a\u00a0\u00a0b', 'a b'],
    ['a \u2003 b', 'a b'],
    ['baris1\r\nbaris2', 'baris1\nbaris2'],
    ['baris1\rbaris2', 'baris1\nbaris2'],
    ['a\n\n\nb', 'a\n\nb'],
    ['a\r\n\r\n\r\n\r\nb', 'a\n\nb'],
    ['a\n \t \n\t\n \nb', 'a\n\nb'],
    ['  a  \n   b   ', 'a\nb'],
    ['\n\n  awal dan akhir  \n\n', 'awal dan akhir'],
    ['a\n\nb', 'a\n\nb'],
  ])('%j → %j', (input, expected) => {
    expect(collapseWhitespace(input)).toBe(expected);
  });
});

describe('to_bool', () => {
  it.each<[unknown, boolean]>([
    ['1', true],
    ['0', false],
    ['ya', true],
    ['Ya', true],
    [' YA ', true],
    ['iya', true],
    ['tidak', false],
    ['bukan', false],
    ['true', true],
    ['false', false],
    ['False', false],
    ['Y', true],
    ['n', false],
    [1, true],
    [0, false],
    [true, true],
    [false, false],
  ])('%p → %p', (input, expected) => {
    expect(toBool(input)).toBe(expected);
  });

  it.each<[unknown]>([['mungkin'], [2], [-1], ['2'], ['ya tidak'], [''], [null], [{}]])('%p is an error, never a guess', (input) => {
    expect(transformError(() => toBool(input)).message).toMatch(/^to_bool: /);
  });
});

describe('parse_datetime', () => {
  it.each<[unknown, string]>([
    // local source time is WIB (Asia/Jakarta) unless configured
    ['2024-03-01 08:30:00', '2024-03-01T08:30:00+07:00'],
    ['2024-03-01 08:30', '2024-03-01T08:30:00+07:00'],
    ['2024/03/01 08:30:00', '2024-03-01T08:30:00+07:00'],
    ['  2024-03-01 08:30:00  ', '2024-03-01T08:30:00+07:00'],
    // ISO with an offset keeps its instant and offset
    ['2024-03-01T01:30:00Z', '2024-03-01T01:30:00Z'],
    ['2024-03-01T08:30:00+08:00', '2024-03-01T08:30:00+08:00'],
    ['2024-03-01T08:30:00.123+07:00', '2024-03-01T08:30:00.123+07:00'],
    // ISO without an offset is WIB
    ['2024-03-01T08:30:00', '2024-03-01T08:30:00+07:00'],
    // dd/MM/yyyy and dd-MM-yyyy, day first
    ['01/03/2024 08:30', '2024-03-01T08:30:00+07:00'],
    ['01/03/2024 08:30:15', '2024-03-01T08:30:15+07:00'],
    ['13/03/2024', '2024-03-13T00:00:00+07:00'],
    ['01-03-2024', '2024-03-01T00:00:00+07:00'],
    ['01-03-2024 23:59:59', '2024-03-01T23:59:59+07:00'],
    ['2024-03-01', '2024-03-01T00:00:00+07:00'],
    // epoch seconds and milliseconds, shown in WIB
    [1709256600, '2024-03-01T08:30:00+07:00'],
    [1709256600000, '2024-03-01T08:30:00+07:00'],
    [new Date('2024-03-01T01:30:00Z'), '2024-03-01T08:30:00+07:00'],
  ])('%p → %p', (input, expected) => {
    expect(parseDatetime(input)).toBe(expected);
  });

  it.each<[string, string, string]>([
    ['Asia/Jakarta', '2024-03-01 08:30:00', '2024-03-01T08:30:00+07:00'],
    ['Asia/Makassar', '2024-03-01 08:30:00', '2024-03-01T08:30:00+08:00'],
    ['Asia/Jayapura', '2024-03-01 08:30:00', '2024-03-01T08:30:00+09:00'],
    ['Asia/Jayapura', '2024-03-01T08:30:00', '2024-03-01T08:30:00+09:00'],
    // an explicit offset wins over the configured zone
    ['Asia/Makassar', '2024-03-01T08:30:00+07:00', '2024-03-01T08:30:00+07:00'],
  ])('timezone %s: %p → %p', (timezone, input, expected) => {
    expect(parseDatetime(input, { timezone })).toBe(expected);
  });

  it('custom formats replace the defaults', () => {
    expect(parseDatetime('03.01.2024 08:30', { formats: ['MM.dd.yyyy HH:mm'] })).toBe('2024-03-01T08:30:00+07:00');
    transformError(() => parseDatetime('2024-03-01 08:30:00', { formats: ['MM.dd.yyyy HH:mm'] }));
  });

  it.each<[unknown, RegExp]>([
    ['0000-00-00 00:00:00', /cannot read/], // MySQL zero date
    ['0000-00-00', /cannot read/],
    ['31/02/2024 10:00', /cannot read/],
    ['2024-02-30', /cannot read/],
    ['2023-02-29 10:00:00', /cannot read/],
    ['kemarin sore', /cannot read/],
    ['', /cannot read/],
    ['1709256600', /cannot read/], // epoch as text is not guessed
    ['1899-12-31 23:59:59', /outside 1990–2100/],
    ['2101-01-01 00:00:00', /outside 1990–2100/],
    [0, /outside 1990–2100/], // epoch 0 is 1970: a placeholder, not a submission date
    [['2024-03-01'], /expected text, got a list/],
    [{}, /expected text/],
  ])('%p is an error (%p)', (input, pattern) => {
    const err = transformError(() => parseDatetime(input));
    expect(err.message).toMatch(/^parse_datetime: /);
    expect(err.message).toMatch(pattern);
  });
});

describe('parse_date', () => {
  it.each<[unknown, string | undefined, string]>([
    ['2024-03-01 08:30:00', undefined, '2024-03-01'],
    ['2024-03-01 23:59:59', undefined, '2024-03-01'],
    ['2024-03-01', undefined, '2024-03-01'],
    ['01/03/2024', undefined, '2024-03-01'],
    ['01-03-2024 10:00', undefined, '2024-03-01'],
    ['2024-03-01T10:00:00+07:00', undefined, '2024-03-01'],
    // an instant is dated in the source's zone: 20:00 UTC is already the next day in WIB
    ['2024-03-01T20:00:00Z', undefined, '2024-03-02'],
    ['2024-03-01T16:30:00Z', 'Asia/Jakarta', '2024-03-01'],
    ['2024-03-01T16:30:00Z', 'Asia/Makassar', '2024-03-02'],
    [1709256600, undefined, '2024-03-01'],
  ])('%p (zone %p) → %p', (input, timezone, expected) => {
    expect(parseDate(input, timezone ? { timezone } : {})).toBe(expected);
  });

  it.each<[unknown]>([['0000-00-00'], ['31/02/2024'], ['besok'], ['1980-01-01']])('%p is an error', (input) => {
    expect(transformError(() => parseDate(input)).message).toMatch(/^parse_date: /);
  });
});

describe('phone_e164', () => {
  it.each<[unknown, string]>([
    ['081234567890', '+6281234567890'],
    ['0812-3456-7890', '+6281234567890'],
    ['0812.3456.7890', '+6281234567890'],
    ['+62 812 3456 7890', '+6281234567890'],
    ['62812-3456-7890', '+6281234567890'],
    ['6281234567890', '+6281234567890'],
    ['0062812-3456-7890', '+6281234567890'],
    ['0062 812 3456 7890', '+6281234567890'],
    ['(0812) 3456 7890', '+6281234567890'],
    [' 081234567890 ', '+6281234567890'],
    [6281234567890, '+6281234567890'],
    ['021-5551234', '+62215551234'],
    ['(021) 555 1234', '+62215551234'],
  ])('%p → %p', (input, expected) => {
    expect(phoneE164(input)).toBe(expected);
  });

  it.each<[string]>([['08-abc'], ['12345'], ['0812'], ['081234567890123456'], ['0812-3456-7890 ext 5'], ['+62 abc 3456 7890']])(
    '%p is an error whose message does not carry the number',
    (input) => {
      const err = transformError(() => phoneE164(input));
      expect(err.message).toMatch(/^phone_e164: /);
      expect(err.message).not.toContain(input);
      const digits = input.replace(/\D/g, '');
      if (digits.length > 3) expect(err.message).not.toContain(digits);
      // no run of more than three digits of the number appears in the message
      expect(err.message).not.toMatch(/\d{4,}/);
    },
  );
});

describe('to_number', () => {
  it.each<[unknown, number]>([
    ['-6,3089', -6.3089],
    ['-6.3089', -6.3089],
    [' 106 ', 106],
    ['105,8296', 105.8296],
    ['0', 0],
    [106.5, 106.5],
    [-6, -6],
  ])('%p → %p', (input, expected) => {
    expect(toNumber(input)).toBe(expected);
  });

  it.each<[unknown]>([['abc'], [''], ['   '], ['-6,30,89'], ['1.234,5'], ['6°18\'S'], [Number.NaN], [Number.POSITIVE_INFINITY], [true], [null], [[1]]])(
    '%p is an error',
    (input) => {
      transformError(() => toNumber(input));
    },
  );
});

describe('nik', () => {
  it.each<[unknown, string]>([
    ['3601234567890001', '3601234567890001'],
    ['3601 2345 6789 0001', '3601234567890001'],
    ['3601.2345.6789.0001', '3601234567890001'],
    [3601234567890001, '3601234567890001'],
  ])('%p → %p', (input, expected) => {
    expect(nik(input)).toBe(expected);
  });

  it.each<[string, RegExp]>([
    ['36012345678900011234', /20 digits/],
    ['360123456789000', /15 digits/],
    ['36012345678900AB', /other characters/],
    ['3601-2345-6789-0001', /other characters/],
  ])('%p is an error (%p) that does not repeat the NIK', (input, pattern) => {
    const err = transformError(() => nik(input));
    expect(err.message).toMatch(pattern);
    expect(err.message).not.toContain(input.replace(/\D/g, ''));
    expect(err.message).not.toMatch(/\d{4,}/);
  });
});

describe('email', () => {
  it.each<[string, string]>([
    [' Siti@Example.COM ', 'siti@example.com'],
    ['budi.santoso@pandeglangkab.go.id', 'budi.santoso@pandeglangkab.go.id'],
    ['a@b.co', 'a@b.co'],
  ])('%p → %p', (input, expected) => {
    expect(email(input)).toBe(expected);
  });

  it.each<[string]>([['budi@example'], ['budi example.com'], ['a b@c.id'], ['@example.com'], ['budi@']])('%p is an error that does not repeat the address', (input) => {
    const err = transformError(() => email(input));
    expect(err.message).not.toContain(input.trim());
  });
});

describe('attachment_urls', () => {
  it.each<[string, unknown, { url: string; filename?: string }[]]>([
    [
      'an array, filenames decoded',
      ['https://bebeja.example/uploads/foto%20jalan.jpg', ' https://bebeja.example/b.pdf '],
      [
        { url: 'https://bebeja.example/uploads/foto%20jalan.jpg', filename: 'foto jalan.jpg' },
        { url: 'https://bebeja.example/b.pdf', filename: 'b.pdf' },
      ],
    ],
    [
      'a comma-separated string',
      'https://x.example/a.jpg, https://x.example/b.jpg',
      [
        { url: 'https://x.example/a.jpg', filename: 'a.jpg' },
        { url: 'https://x.example/b.jpg', filename: 'b.jpg' },
      ],
    ],
    [
      'a newline-separated string',
      'https://x.example/a.jpg\nhttps://x.example/c.png',
      [
        { url: 'https://x.example/a.jpg', filename: 'a.jpg' },
        { url: 'https://x.example/c.png', filename: 'c.png' },
      ],
    ],
    ['empty items are skipped', ['', '  ', 'https://x.example/a.jpg'], [{ url: 'https://x.example/a.jpg', filename: 'a.jpg' }]],
    ['objects with a url', [{ url: 'https://x.example/d.png' }], [{ url: 'https://x.example/d.png', filename: 'd.png' }]],
    ['a URL without a file name has no filename', ['https://x.example/'], [{ url: 'https://x.example/' }]],
    ['non-ASCII names are decoded', ['https://x.example/lampiran/surat%20camat%20%E2%80%93%20final.pdf'], [{ url: 'https://x.example/lampiran/surat%20camat%20%E2%80%93%20final.pdf', filename: 'surat camat – final.pdf' }]],
    // a valid URL whose name has a broken %-escape keeps the name as written rather than failing
    ['a malformed %-escape in the name', ['https://x.example/%E0%A4%A.jpg'], [{ url: 'https://x.example/%E0%A4%A.jpg', filename: '%E0%A4%A.jpg' }]],
  ])('%s', (_label, input, expected) => {
    expect(attachmentUrls(input)).toEqual(expected);
  });

  it.each<[unknown]>([['not a url'], [['https://x.example/a.jpg', 'lampiran.jpg']]])('%p is an error', (input) => {
    expect(transformError(() => attachmentUrls(input)).message).toMatch(/is not a URL/);
  });
});

// ------------------------------------------------------------------ lookup, through compileMapping

const BASE_FIELDS = {
  'source.external_id': { path: 'id', transforms: ['to_string'] },
  'source.received_at': { value: '2024-03-01T08:30:00+07:00' },
  channel: { value: 'web' },
  title: { value: 'Judul' },
  content: { value: 'Isi laporan' },
  is_anonymous: { value: false },
  is_secret: { value: false },
};

function delivered(r: MapResult) {
  if (!r.ok) throw new Error(`expected a delivered complaint, got quarantine: ${r.reason}`);
  return r;
}

describe('lookup', () => {
  let dir: string;

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sp4n-lookups-'));
  });
  afterEach(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  function compileLookup(lookup: Record<string, unknown>, extra: Record<string, unknown> = {}) {
    return compileMapping(
      { fields: { ...BASE_FIELDS, 'target_agency.source_code': { path: 'k', transforms: [{ lookup }], ...extra } } },
      { sourceId: 'uji', lookupsDir: dir },
    );
  }

  const inline = { table: { Labuan: '36.01.12', 'Karang Tanjung': '36.01.25' } };

  it.each<[string, string]>([
    ['Labuan', '36.01.12'],
    ['LABUAN', '36.01.12'],
    ['  labuan ', '36.01.12'],
    ['karang   tanjung', '36.01.25'],
    ['KARANG\tTANJUNG', '36.01.25'],
  ])('inline table: %p → %p (case- and whitespace-insensitive)', (key, expected) => {
    const r = delivered(compileLookup(inline).map({ id: 1, k: key }));
    expect(r.complaint.target_agency?.source_code).toBe(expected);
    expect(r.warnings).toEqual([]);
  });

  it('inline table values may be numbers', () => {
    const m = compileMapping(
      { fields: { ...BASE_FIELDS, 'target_agency.lapor_institution_id': { path: 'k', transforms: [{ lookup: { table: { Dinkes: 412 } } }] } } },
      { sourceId: 'uji', lookupsDir: dir },
    );
    expect(delivered(m.map({ id: 1, k: 'dinkes' })).complaint.target_agency?.lapor_institution_id).toBe(412);
  });

  it('a miss is an error: the value is dropped with a warning naming the table', () => {
    const r = delivered(compileLookup(inline).map({ id: 1, k: 'Atlantis' }));
    expect(r.complaint.target_agency).toBeUndefined();
    expect(r.warnings).toEqual([
      { field: 'target_agency.source_code', message: expect.stringMatching(/"Atlantis" is not in inline table; value dropped/), code: 'lookup_miss', value: 'Atlantis', lookup: 'inline' },
    ]);
  });

  it('a miss with `default` takes the default, and the miss is still reported', () => {
    const r = delivered(compileLookup({ ...inline, default: 'lainnya' }).map({ id: 1, k: 'Atlantis' }));
    expect(r.complaint.target_agency?.source_code).toBe('lainnya');
    expect(r.warnings).toEqual([
      { field: 'target_agency.source_code', message: 'lookup: "Atlantis" is not in inline table; used the lookup default "lainnya"', code: 'lookup_miss', value: 'Atlantis', lookup: 'inline' },
    ]);
  });

  it('a miss with `on_miss: keep` passes the value through, and the miss is still reported', () => {
    const r = delivered(compileLookup({ ...inline, on_miss: 'keep' }).map({ id: 1, k: 'Atlantis' }));
    expect(r.complaint.target_agency?.source_code).toBe('Atlantis');
    expect(r.warnings).toEqual([
      { field: 'target_agency.source_code', message: 'lookup: "Atlantis" is not in inline table; kept the value as it is', code: 'lookup_miss', value: 'Atlantis', lookup: 'inline' },
    ]);
  });

  it('a miss on a strict field quarantines the record', () => {
    const r = compileLookup(inline, { on_error: 'quarantine' }).map({ id: 1, k: 'Atlantis' });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toMatch(/^target_agency\.source_code: lookup: "Atlantis"/);
  });

  it('CSV file: first column is the key, second the value; BOM and padding tolerated', () => {
    fs.writeFileSync(path.join(dir, 'kec.csv'), '\uFEFFkecamatan,region_code\nLabuan , 36.01.12\nMenes,36.01.13\n\n');
    const m = compileLookup({ file: 'kec.csv' });
    expect(delivered(m.map({ id: 1, k: 'labuan' })).complaint.target_agency?.source_code).toBe('36.01.12');
    expect(delivered(m.map({ id: 2, k: ' MENES' })).complaint.target_agency?.source_code).toBe('36.01.13');
    const miss = delivered(m.map({ id: 3, k: 'Sumur' }));
    expect(miss.warnings).toEqual([{ field: 'target_agency.source_code', message: expect.stringMatching(/"Sumur" is not in kec\.csv/), code: 'lookup_miss', value: 'Sumur', lookup: 'kec.csv' }]);
  });

  it('CSV file with named key and value columns', () => {
    fs.writeFileSync(path.join(dir, 'kat.csv'), 'id,nama,lapor\n1,Kesehatan,20\n2,Pendidikan,30\n');
    const m = compileLookup({ file: 'kat.csv', key_column: 'nama', value_column: 'lapor' });
    expect(delivered(m.map({ id: 1, k: 'pendidikan' })).complaint.target_agency?.source_code).toBe('30');
  });

  it('a repeated key with the same value is fine', () => {
    fs.writeFileSync(path.join(dir, 'dup.csv'), 'k,v\nLabuan,36.01.12\nLABUAN,36.01.12\n');
    expect(delivered(compileLookup({ file: 'dup.csv' }).map({ id: 1, k: 'Labuan' })).complaint.target_agency?.source_code).toBe('36.01.12');
  });

  it('a repeated key with conflicting values fails at compile time, naming file and row', () => {
    fs.writeFileSync(path.join(dir, 'dup.csv'), 'k,v\nLabuan,36.01.12\nlabuan ,36.01.13\n');
    expect(() => compileLookup({ file: 'dup.csv' })).toThrow(MappingSpecError);
    expect(() => compileLookup({ file: 'dup.csv' })).toThrow(/dup\.csv, row 3: key "labuan" appears twice with different values/);
  });

  it('a missing CSV file fails at compile time, naming the file, the source and the field', () => {
    let caught: unknown;
    try {
      compileLookup({ file: 'tidak-ada.csv' });
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(MappingSpecError);
    const message = (caught as Error).message;
    expect(message).toContain('[uji]');
    expect(message).toContain('target_agency.source_code');
    expect(message).toContain(path.join(dir, 'tidak-ada.csv'));
    expect(message).toMatch(/not found/);
  });

  it('a CSV file without the named columns fails at compile time', () => {
    fs.writeFileSync(path.join(dir, 'one.csv'), 'k,v\na,b\n');
    expect(() => compileLookup({ file: 'one.csv', value_column: 'lapor' })).toThrow(/one\.csv: needs a header row/);
  });

  it('a lookup needs exactly one of table or file', () => {
    expect(() => compileLookup({ file: 'x.csv', table: { a: 'b' } })).toThrow(/exactly one of table or file/);
    expect(() => compileLookup({})).toThrow(/exactly one of table or file/);
  });

  it('the mapping version changes when a CSV table changes', () => {
    fs.writeFileSync(path.join(dir, 'kec.csv'), 'k,v\nLabuan,36.01.12\n');
    const before = compileLookup({ file: 'kec.csv' }).version;
    expect(compileLookup({ file: 'kec.csv' }).version).toBe(before);
    fs.writeFileSync(path.join(dir, 'kec.csv'), 'k,v\nLabuan,36.01.12\nMenes,36.01.13\n');
    expect(compileLookup({ file: 'kec.csv' }).version).not.toBe(before);
  });
});
