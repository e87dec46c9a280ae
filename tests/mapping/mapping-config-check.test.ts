/**
 * Mapping mistakes through `config check`: every problem names the source file, the line and the
 * key path down to the option (a bad regex pattern, an unknown regency, a conditional without
 * `then`, an unknown transform), and the shipped preset passes.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { runCli } from '../helpers/capture.js';
import { copyShippedConfig, tempDir } from '../helpers/workdir.js';

const ENV = {
  SP4N_PII_KEY: 'pii-key-for-tests',
  LAPOR_BASE_URL: 'http://127.0.0.1:9/lapor/3.0.0',
  LAPOR_TOKEN: 'tok',
  LAPOR_APP_TOKEN: 'app',
  BEBEJA_URL: 'http://127.0.0.1:9',
  BEBEJA_API_KEY: 'key',
};

let dir: string;
const saved: Record<string, string | undefined> = {};

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

interface Problem {
  file: string;
  path: string;
  line?: number;
  message: string;
}

/** Copies the shipped config, applies text edits to bebeja.yaml, runs `config check --json`. */
async function check(edits: [string, string][]): Promise<{ code: number; problems: Problem[]; source: string; lines: string[] }> {
  const file = copyShippedConfig(dir);
  const source = path.join(dir, 'config', 'sources', 'bebeja.yaml');
  let text = fs.readFileSync(source, 'utf8');
  for (const [from, to] of edits) {
    if (!text.includes(from)) throw new Error(`bebeja.yaml has no ${JSON.stringify(from)} to edit`);
    text = text.replace(from, to);
  }
  fs.writeFileSync(source, text);
  const r = await runCli('--config', file, '--json', 'config', 'check');
  const out = JSON.parse(r.stdout) as { ok: boolean; problems?: Problem[] };
  return { code: r.code, problems: out.problems ?? [], source, lines: text.split('\n') };
}

/** The 1-based line of the first line containing `needle`. */
function lineOf(lines: string[], needle: string): number {
  const i = lines.findIndex((l) => l.includes(needle));
  if (i < 0) throw new Error(`no line contains ${needle}`);
  return i + 1;
}

describe('config check on mapping mistakes', () => {
  it('passes on the shipped Bebeja mapping', async () => {
    const r = await check([]);
    expect(r.problems).toEqual([]);
    expect(r.code).toBe(0);
  });

  it('names file, line and key path of a catastrophic regex pattern, an unknown regency and a when without then', async () => {
    const r = await check([
      ['title: { path: judul, transforms: [strip_html, normalize_text, collapse_whitespace] }', 'title: { path: judul, transforms: [strip_html, { regex_replace: { pattern: "(a+)+$" } }] }'],
      ['transforms: [{ region_code: { regency: "36.01" } }]', 'transforms: [{ region_code: { regency: "36.99" } }]'],
      ['is_secret: { path: rahasia, transforms: [to_bool], default: false, on_error: quarantine }', 'is_secret: { when: { path: rahasia, equals: "1" } }'],
    ]);
    expect(r.code).toBe(1);
    expect(r.problems).toEqual(
      expect.arrayContaining([
        { file: r.source, path: 'mapping.fields.title.transforms.1.regex_replace.pattern', line: lineOf(r.lines, '(a+)+$'), message: expect.stringMatching(/nested quantifiers/) },
        { file: r.source, path: 'mapping.fields.location.region_code.transforms.0.region_code.regency', line: lineOf(r.lines, '"36.99"'), message: expect.stringMatching(/^unknown regency 36\.99/) },
        { file: r.source, path: 'mapping.fields.is_secret.then', line: lineOf(r.lines, 'is_secret:'), message: '`when` needs a `then` rule' },
      ]),
    );
  });

  it('names the transform of an unknown transform and of a wrongly typed option', async () => {
    const r = await check([
      ['content: { path: isi, transforms: [strip_html, normalize_text, collapse_whitespace] }', 'content: { path: isi, transforms: [strip_html, reverse] }'],
      ['reporter.name: { path: pelapor.nama, transforms: [normalize_text, collapse_whitespace] }', 'reporter.name: { path: pelapor.nama, transforms: [{ truncate: { max: "lima" } }] }'],
    ]);
    expect(r.code).toBe(1);
    expect(r.problems).toEqual(
      expect.arrayContaining([
        { file: r.source, path: 'mapping.fields.content.transforms.1', line: lineOf(r.lines, 'reverse'), message: expect.stringMatching(/^unknown transform "reverse"; known: .*title_case/) },
        { file: r.source, path: 'mapping.fields.reporter.name.transforms.0', line: lineOf(r.lines, 'max: "lima"'), message: expect.stringMatching(/^truncate\.max: .*expected number/) },
      ]),
    );
  });

  it('the text output shows file:line  key.path: message', async () => {
    const file = copyShippedConfig(dir);
    const source = path.join(dir, 'config', 'sources', 'bebeja.yaml');
    const text = fs.readFileSync(source, 'utf8').replace('regency: "36.01"', 'regency: 36.01');
    fs.writeFileSync(source, text);
    const r = await runCli('--config', file, 'config', 'check');
    expect(r.code).toBe(1);
    const line = lineOf(text.split('\n'), 'regency: 36.01');
    expect(r.stdout).toContain(`${source}:${line}  mapping.fields.location.region_code.transforms.0: region_code.regency: must be a regency code in quotes`);
  });

  it('a missing lookup file (found only when compiling) names the file and the field', async () => {
    const r = await check([['bebeja-kategori.csv', 'tidak-ada.csv']]);
    expect(r.code).toBe(1);
    expect(r.problems).toEqual([
      { file: r.source, path: 'mapping', line: expect.any(Number), message: expect.stringMatching(/mapping field category\.lapor_category_id: lookup file .*tidak-ada\.csv: not found/) },
    ]);
    // the line of the mapping block (its key or first entry): compile-time problems are not traced further
    expect(Math.abs((r.problems[0]?.line ?? 0) - lineOf(r.lines, 'mapping:'))).toBeLessThanOrEqual(1);
  });
});
