/**
 * The text and list transforms: title_case, normalize_text, truncate, regex_replace (and its
 * guards against catastrophic patterns), split, join — as functions and through compileMapping.
 */
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from '@jest/globals';
import { codePointLength } from '../../src/mapping/canonical.js';
import { compileMapping, MappingSpecError, type MapResult } from '../../src/mapping/compile-mapping.js';
import { patternProblem } from '../../src/mapping/mapping-spec.js';
import { joinList, normalizeText, REGEX_INPUT_MAX, regexReplace, splitText, titleCase, TransformError, unsafePatternReason } from '../../src/mapping/transforms.js';

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

function compileField(field: string, rule: Record<string, unknown>) {
  return compileMapping({ fields: { ...BASE_FIELDS, [field]: rule } }, { sourceId: 'uji', lookupsDir: LOOKUPS_DIR });
}

function delivered(r: MapResult) {
  if (!r.ok) throw new Error(`expected a delivered complaint, got quarantine: ${r.reason}`);
  return r;
}

function specError(field: string, rule: Record<string, unknown>): string {
  try {
    compileField(field, rule);
  } catch (err) {
    expect(err).toBeInstanceOf(MappingSpecError);
    return (err as Error).message;
  }
  throw new Error('expected the mapping to be refused');
}

describe('title_case', () => {
  it.each<[string, string]>([
    ['JALAN RUSAK', 'Jalan Rusak'],
    ['jalan rusak di kec. labuan', 'Jalan Rusak Di Kec. Labuan'],
    ["jum'at bersih", "Jum'at Bersih"],
    ['karang-tanjung', 'Karang-Tanjung'],
    ['rt/rw 02/03', 'Rt/Rw 02/03'],
    ['ÉCOLE été', 'École Été'],
    ['  spasi  tetap  ', '  Spasi  Tetap  '],
  ])('%j → %j', (input, expected) => {
    expect(titleCase(input)).toBe(expected);
  });
});

describe('normalize_text', () => {
  it.each<[string, string, string]>([
    ['CRLF and CR become LF', 'a\r\nb\rc', 'a\nb\nc'],
    ['line and paragraph separators become LF', 'a\u2028b\u2029c', 'a\nb\nc'],
    ['control characters go, tab and newline stay', 'a\u0000b\u0007c\td\ne\u001Bf\u007Fg\u0085h', 'abc\td\nefgh'],
    ['zero-width space, word joiner and BOM go', '\uFEFFja\u200Blan\u2060', 'jalan'],
    ['ZWJ in an emoji sequence stays', '👨‍👩‍👧', '👨‍👩‍👧'],
    ['NFC: e + combining acute becomes é', 'caf\u0065\u0301', 'caf\u00e9'],
    ['NBSP is left for collapse_whitespace', 'a\u00a0b', 'a\u00a0b'],
  ])('%s', (_label, input, expected) => {
    expect(normalizeText(input)).toBe(expected);
  });
});

describe('truncate', () => {
  it('cuts to max code points on a grapheme boundary, with the marker and a warning', () => {
    const m = compileField('location.address', { path: 'a', transforms: [{ truncate: { max: 12 } }] });
    const r = delivered(m.map({ id: 1, a: 'Jl. 👍🏽 Raya Labuan No. 5' }));
    expect(r.complaint.location?.address).toBe('Jl. 👍🏽 R […]');
    expect(codePointLength(r.complaint.location?.address ?? '')).toBeLessThanOrEqual(12);
    expect(r.warnings).toEqual([{ field: 'location.address', message: 'truncate: longer than 12 characters; truncated', code: 'truncated' }]);
  });

  it('text within the limit passes unchanged, without a warning', () => {
    const r = delivered(compileField('location.address', { path: 'a', transforms: [{ truncate: { max: 12 } }] }).map({ id: 1, a: 'Jl. Raya 1' }));
    expect(r.complaint.location?.address).toBe('Jl. Raya 1');
    expect(r.warnings).toEqual([]);
  });

  it('a custom marker', () => {
    const r = delivered(compileField('location.address', { path: 'a', transforms: [{ truncate: { max: 8, marker: '…' } }] }).map({ id: 1, a: 'Pelayanan publik' }));
    expect(r.complaint.location?.address).toBe('Pelayan…');
  });

  it.each<[string, Record<string, unknown>, RegExp]>([
    ['max missing', {}, /truncate\.max/],
    ['max not a whole number', { max: 2.5 }, /max/],
    ['a marker as long as max', { max: 3, marker: '[…]' }, /marker must be shorter than max/],
  ])('refused: %s', (_label, options, pattern) => {
    expect(specError('location.address', { path: 'a', transforms: [{ truncate: options }] })).toMatch(pattern);
  });
});

describe('regex_replace', () => {
  it('replaces every match by default; groups in the replacement', () => {
    expect(regexReplace({ pattern: '\\s*-+\\s*', replacement: ' – ' })('Labuan--Carita - Sumur')).toBe('Labuan – Carita – Sumur');
    expect(regexReplace({ pattern: '(\\d{2})/(\\d{2})', replacement: 'RT $1 RW $2' })('Kp. Cilaban 02/03')).toBe('Kp. Cilaban RT 02 RW 03');
  });

  it('no replacement removes the match; flags i and m; without g only the first match', () => {
    expect(regexReplace({ pattern: '\\n*dikirim dari aplikasi bebeja$', flags: 'gi' })('Jalan rusak.\n\nDikirim dari Aplikasi Bebeja')).toBe('Jalan rusak.');
    expect(regexReplace({ pattern: '^> ?', flags: 'gm' })('> kutipan\n> lagi')).toBe('kutipan\nlagi');
    expect(regexReplace({ pattern: 'a', replacement: 'o', flags: '' })('aaa')).toBe('oaa');
  });

  it('is compiled once and reusable: lastIndex does not leak between values', () => {
    const fn = regexReplace({ pattern: 'x', replacement: 'y' });
    expect(fn('xx')).toBe('yy');
    expect(fn('axb')).toBe('ayb');
  });

  it('Unicode classes work (the u flag is always on)', () => {
    expect(regexReplace({ pattern: '\\p{Extended_Pictographic}', replacement: '' })('Banjir 😡 lagi 🙏')).toBe('Banjir  lagi ');
  });

  it(`input longer than ${REGEX_INPUT_MAX} characters is not searched: the transform fails`, () => {
    const fn = regexReplace({ pattern: 'x' });
    expect(() => fn('a'.repeat(REGEX_INPUT_MAX + 1))).toThrow(TransformError);
    expect(fn('a'.repeat(REGEX_INPUT_MAX))).toHaveLength(REGEX_INPUT_MAX);
  });

  it('through a mapping, a failing input drops the value with a warning', () => {
    const m = compileField('location.address', { path: 'a', transforms: [{ regex_replace: { pattern: 'x' } }] });
    const r = delivered(m.map({ id: 1, a: 'y'.repeat(REGEX_INPUT_MAX + 5) }));
    expect(r.complaint.location).toBeUndefined();
    expect(r.warnings).toEqual([{ field: 'location.address', message: `regex_replace: the value is longer than ${REGEX_INPUT_MAX} characters; not searched; value dropped`, code: 'transform_failed' }]);
  });

  it.each<[string]>([['(a+)+$'], ['(a*)*b'], ['(?:\\s*x)+'], ['((ab)+c)*'], ['(a+){2,10}'], ['(?<w>\\w+\\s?)*$'], ['([a-z]+.)+@']])('refuses the catastrophic pattern %p', (pattern) => {
    expect(unsafePatternReason(pattern)).toMatch(/nested quantifiers/);
  });

  it.each<[string]>([['\\s+'], ['(ab)+'], ['(a+)?'], ['(?:jl|jalan)\\.?\\s+'], ['(\\d{2})/(\\d{2})'], ['[(+*)]+'], ['\\(+\\)*'], ['(a+)b(c+)'], ['(?:a+){1}']])('accepts %p', (pattern) => {
    expect(unsafePatternReason(pattern)).toBeUndefined();
  });

  it('refuses backreferences and very long patterns', () => {
    expect(unsafePatternReason('(a)\\1')).toMatch(/backreferences/);
    expect(unsafePatternReason('(?<x>a)\\k<x>')).toMatch(/backreferences/);
    expect(unsafePatternReason('a'.repeat(501))).toMatch(/longer than 500/);
  });

  it('a pattern that does not compile is named as such', () => {
    expect(patternProblem('(a')).toMatch(/not a valid regular expression/);
    expect(patternProblem('\\-')).toMatch(/not a valid regular expression/); // u flag: no identity escapes
  });

  it.each<[string, Record<string, unknown>, RegExp]>([
    ['catastrophic pattern', { pattern: '(a+)+' }, /regex_replace\.pattern[\s\S]*nested quantifiers|nested quantifiers[\s\S]*regex_replace\.pattern/],
    ['invalid pattern', { pattern: '[' }, /not a valid regular expression/],
    ['unknown flag', { pattern: 'a', flags: 'gy' }, /flags are any of g, i, m, s/],
    ['repeated flag', { pattern: 'a', flags: 'gg' }, /flags are any of g, i, m, s/],
    ['unknown option', { pattern: 'a', with: 'b' }, /with/],
  ])('refused at compile time: %s', (_label, options, pattern) => {
    expect(specError('location.address', { path: 'a', transforms: [{ regex_replace: options }] })).toMatch(pattern);
  });
});

describe('split and join', () => {
  it.each<[string, string, string[]]>([
    ['a, b ,c', ',', ['a', 'b', 'c']],
    ['a;;b; ', ';', ['a', 'b']],
    ['satu | dua', ' | ', ['satu', 'dua']],
    ['tanpa pemisah', ',', ['tanpa pemisah']],
  ])('split(%j, %j)', (input, sep, expected) => {
    expect(splitText(input, sep)).toEqual(expected);
  });

  it.each<[unknown, string, string]>([
    [['Jl. Raya', ' RT 02 ', '', null, 5], ', ', 'Jl. Raya, RT 02, 5'],
    ['satu teks', ', ', 'satu teks'],
    [[], ', ', ''],
  ])('join(%j, %j)', (input, sep, expected) => {
    expect(joinList(input, sep)).toBe(expected);
  });

  it('join refuses nested structures', () => {
    expect(() => joinList([['a']], ',')).toThrow(/nested list/);
    expect(() => joinList([{ a: 1 }], ',')).toThrow(/an object/);
  });

  it('split then join through a mapping: a comma list of URLs becomes attachments; a list becomes text', () => {
    const m = compileMapping(
      {
        fields: {
          ...BASE_FIELDS,
          attachments: { path: 'foto', transforms: [{ split: { separator: ';' } }, 'attachment_urls'] },
          'location.address': { path: 'alamat', transforms: [{ join: { separator: ', ' } }] },
        },
      },
      { sourceId: 'uji', lookupsDir: LOOKUPS_DIR },
    );
    const r = delivered(m.map({ id: 1, foto: 'https://x.example/a.jpg; https://x.example/b c.jpg', alamat: ['Jl. Raya 1', 'RT 02', 'Labuan'] }));
    expect(r.complaint.attachments).toEqual([
      { url: 'https://x.example/a.jpg', filename: 'a.jpg' },
      { url: 'https://x.example/b%20c.jpg', filename: 'b c.jpg' },
    ]);
    expect(r.complaint.location?.address).toBe('Jl. Raya 1, RT 02, Labuan');
  });

  it('a split that leaves nothing is a missing value, not an error', () => {
    const m = compileField('location.address', { path: 'a', transforms: [{ split: { separator: ',' } }, { join: { separator: ' / ' } }] });
    const r = delivered(m.map({ id: 1, a: ' , , ' }));
    expect(r.complaint.location).toBeUndefined();
    expect(r.warnings).toEqual([]);
  });
});

describe('transform names and options in the spec', () => {
  it('an unknown transform lists the known ones', () => {
    const message = specError('title', { path: 'judul', transforms: ['reverse'] });
    expect(message).toMatch(/unknown transform "reverse"/);
    expect(message).toMatch(/title_case/);
    expect(message).toMatch(/regex_replace/);
  });

  it('an unknown transform with options is named', () => {
    expect(specError('title', { path: 'judul', transforms: [{ reverse: { x: 1 } }] })).toMatch(/unknown transform "reverse"/);
  });

  it('a wrong option type names the option', () => {
    expect(specError('title', { path: 'judul', transforms: [{ split: { separator: 1 } }] })).toMatch(/split\.separator: .*expected string/);
  });
});
