/**
 * Golden tests: raw Bebeja records (tests/fixtures/bebeja-golden/NN-name.input.json) mapped with
 * the real preset (config/sources/bebeja.yaml) must give exactly NN-name.expected.json:
 * `{ ok, complaint | reason, warnings }`. The expected files were generated once and reviewed by
 * hand; they freeze reviewed behaviour. After an intended change, regenerate with
 * `GOLDEN_UPDATE=1 npm test -- tests/mapping/golden.test.ts` and review every diff before committing.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from '@jest/globals';
import { parse as parseYaml } from 'yaml';
import { compileMapping, type MapResult } from '../../src/mapping/compile-mapping.js';

const FIXTURES = fileURLToPath(new URL('../fixtures/bebeja-golden', import.meta.url));
const LOOKUPS_DIR = fileURLToPath(new URL('../../config/lookups', import.meta.url));
const BEBEJA_YAML = fileURLToPath(new URL('../../config/sources/bebeja.yaml', import.meta.url));
const UPDATE = process.env.GOLDEN_UPDATE === '1';

const spec = (parseYaml(fs.readFileSync(BEBEJA_YAML, 'utf8')) as { mapping: unknown }).mapping;
const bebeja = compileMapping(spec, { sourceId: 'bebeja', lookupsDir: LOOKUPS_DIR });

const cases = fs
  .readdirSync(FIXTURES)
  .filter((f) => f.endsWith('.input.json'))
  .sort()
  .map((f) => f.replace(/\.input\.json$/, ''));

/** What the file holds: the result as JSON would carry it (no undefined keys). */
function asExpected(r: MapResult): unknown {
  const shaped = r.ok ? { ok: true, complaint: r.complaint, warnings: r.warnings } : { ok: false, reason: r.reason, warnings: r.warnings };
  return JSON.parse(JSON.stringify(shaped));
}

describe('Bebeja golden records', () => {
  it('has the fixture set (input and expected file for each case)', () => {
    expect(cases.length).toBeGreaterThanOrEqual(15);
    for (const name of cases) expect(UPDATE || fs.existsSync(path.join(FIXTURES, `${name}.expected.json`))).toBe(true);
  });

  it.each(cases)('%s', (name) => {
    const input = JSON.parse(fs.readFileSync(path.join(FIXTURES, `${name}.input.json`), 'utf8')) as { id?: unknown };
    // the rest adapter hands the record's primary key (`id`) over as the external id
    const actual = asExpected(bebeja.map(input, input.id === undefined ? undefined : String(input.id)));
    const file = path.join(FIXTURES, `${name}.expected.json`);
    if (UPDATE) fs.writeFileSync(file, `${JSON.stringify(actual, null, 2)}\n`);
    expect(actual).toEqual(JSON.parse(fs.readFileSync(file, 'utf8')));
  });

  it('no warning of any golden record carries personal data', () => {
    for (const name of cases) {
      const input = JSON.parse(fs.readFileSync(path.join(FIXTURES, `${name}.input.json`), 'utf8')) as { id: unknown; pelapor?: Record<string, unknown> };
      const warnings = JSON.stringify(bebeja.map(input, String(input.id)).warnings);
      for (const v of Object.values(input.pelapor ?? {})) {
        if (typeof v === 'string' && v.trim().length >= 4) expect(warnings).not.toContain(v.trim());
      }
    }
  });
});
