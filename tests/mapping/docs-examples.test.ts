/**
 * docs/mapping.md stays true: every `yaml` example that starts with `fields:` compiles (with the
 * required canonical fields filled in), and a few documented results are checked on real records.
 */
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from '@jest/globals';
import { parse as parseYaml } from 'yaml';
import { compileMapping, type MapResult } from '../../src/mapping/compile-mapping.js';

const DOC = fs.readFileSync(fileURLToPath(new URL('../../docs/mapping.md', import.meta.url)), 'utf8');
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

const examples = [...DOC.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1] ?? '').filter((y) => y.startsWith('fields:'));

function compileExample(yaml: string) {
  const { fields } = parseYaml(yaml) as { fields: Record<string, unknown> };
  return compileMapping({ fields: { ...BASE_FIELDS, ...fields } }, { sourceId: 'docs', lookupsDir: LOOKUPS_DIR });
}

function delivered(r: MapResult) {
  if (!r.ok) throw new Error(`expected a delivered complaint, got quarantine: ${r.reason}`);
  return r;
}

describe('docs/mapping.md examples', () => {
  it('has examples for every feature', () => {
    const all = examples.join('\n');
    for (const feature of ['path:', 'value:', 'template:', 'first_of:', 'when:', 'else:', 'in:', 'matches:', 'exists:', 'title_case', 'normalize_text', 'truncate', 'regex_replace', 'split', 'join', 'lookup', 'region_code', 'default:', 'required:', 'on_error:']) {
      expect([feature, all.includes(feature)]).toEqual([feature, true]);
    }
  });

  it.each(examples.map((y, i) => [i + 1, y] as const))('example %i compiles', (_i, yaml) => {
    expect(() => compileExample(yaml)).not.toThrow();
  });

  it('the conditional anonim example does what the doc says', () => {
    const example = examples.find((y) => y.includes('is_anonymous:') && y.includes('when:'));
    const m = compileExample(example ?? '');
    expect(delivered(m.map({ id: 1, anonim: 'Ya' })).complaint.is_anonymous).toBe(true);
    expect(delivered(m.map({ id: 1, anonim: '0' })).complaint.is_anonymous).toBe(false);
    expect(m.map({ id: 1, anonim: 'kadang' }).ok).toBe(false);
  });

  it('the region_code example gives the codes in the table', () => {
    const example = examples.find((y) => y.includes('region_code: { regency'));
    const m = compileExample(example ?? '');
    for (const [name, code] of [['Kec. Labuan', '36.01.12'], ['kecamatan  labuan', '36.01.12'], ['Cikeudal', '36.01.26'], ['Karangtanjung', '36.01.25']] as const) {
      expect(delivered(m.map({ id: 1, kecamatan: name })).complaint.location?.region_code).toBe(code);
    }
    expect(delivered(m.map({ id: 1, kecamatan: 'Serang' })).warnings[0]?.message).toBe('region_code: unknown kecamatan "Serang" in 36.01; value dropped');
  });

  it('the regex_replace example removes the signature and rewrites RT/RW', () => {
    const example = examples.find((y) => y.includes('Dikirim dari aplikasi Bebeja'));
    const r = delivered(compileExample(example ?? '').map({ id: 1, isi: '<p>Banjir di RT 02/03.</p>\n\ndikirim dari aplikasi bebeja ' }));
    expect(r.complaint.content).toBe('Banjir di RT 02 RW 03.');
  });
});
