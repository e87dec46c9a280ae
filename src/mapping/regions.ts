/**
 * Kemendagri region codes for the `region_code` transform: a kecamatan (or desa) name → its code,
 * within one regency.
 *
 * The data is a CSV table (`code,name,alternates`; alternates separated by `|`) shipped in
 * `config/regions/` (Banten, province 36: see config/regions/README.md for source and licence),
 * or a deployment's own file in `config/lookups/`. The level of a row follows from its code:
 * `PP.KK` regency, `PP.KK.CC` kecamatan, `PP.KK.CC.DDDD` desa/kelurahan.
 *
 * Names match after a fixed normalisation — case, accents, spaces and punctuation ignored, the
 * prefixes "Kec." / "Kecamatan" (or "Desa", "Ds.", "Kel.", "Kelurahan" at desa level) removed, and
 * a trailing ", Kab. <this regency>" qualifier removed — and through the alternates column.
 * Nothing else: an unknown name is reported, never guessed (no fuzzy matching).
 *
 * Desa names repeat across kecamatan. At desa level a trailing kecamatan qualifier
 * ("Caringin, Kec. Labuan") is resolved against the table's kecamatan rows and picks the desa
 * inside that kecamatan; a name that still fits several codes, or a qualifier that names no
 * kecamatan of the regency, is reported (ambiguous / unknown), never guessed.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'csv-parse/sync';
import { REGION_CODE_RE } from './canonical.js';

export class RegionDataError extends Error {
  readonly code = 'REGION_DATA';
}

export type RegionLevel = 'kecamatan' | 'desa';

export interface RegionRow {
  readonly code: string;
  readonly name: string;
  readonly alternates: readonly string[];
}

/** `config/regions/` of this package: the same path from src/mapping (tsx, jest) and dist/mapping. */
export const SHIPPED_REGIONS_DIR = fileURLToPath(new URL('../../config/regions/', import.meta.url));

const tableCache = new Map<string, readonly RegionRow[]>();

/** Reads one region CSV (cached by path and modification time). */
export function loadRegionTable(file: string): readonly RegionRow[] {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(file);
  } catch {
    throw new RegionDataError(`region table ${file}: not found`);
  }
  const cacheKey = `${file}\u0000${stat.mtimeMs}\u0000${stat.size}`;
  const cached = tableCache.get(cacheKey);
  if (cached) return cached;
  let records: Record<string, string>[];
  try {
    records = parse(fs.readFileSync(file, 'utf8'), { columns: true, bom: true, skip_empty_lines: true, trim: true }) as Record<string, string>[];
  } catch (err) {
    throw new RegionDataError(`region table ${file}: ${(err as Error).message}`);
  }
  const rows: RegionRow[] = [];
  const seen = new Map<string, number>();
  records.forEach((r, i) => {
    const line = i + 2;
    const code = (r.code ?? '').trim();
    const name = (r.name ?? '').trim();
    if (!REGION_CODE_RE.test(code)) throw new RegionDataError(`region table ${file}, row ${line}: "${code}" is not a Kemendagri code (PP, PP.KK, PP.KK.CC or PP.KK.CC.DDDD)`);
    if (!name) throw new RegionDataError(`region table ${file}, row ${line}: code ${code} has no name`);
    if (seen.has(code)) throw new RegionDataError(`region table ${file}, row ${line}: code ${code} appears twice (first on row ${seen.get(code)})`);
    seen.set(code, line);
    const alternates = (r.alternates ?? '').split('|').map((a) => a.trim()).filter(Boolean);
    rows.push({ code, name, alternates });
  });
  tableCache.set(cacheKey, rows);
  return rows;
}

/** Every table shipped in config/regions/, concatenated. */
export function shippedRegions(): readonly RegionRow[] {
  let files: string[];
  try {
    files = fs.readdirSync(SHIPPED_REGIONS_DIR).filter((f) => f.endsWith('.csv')).sort();
  } catch {
    return [];
  }
  const rows: RegionRow[] = [];
  const from = new Map<string, string>();
  for (const f of files) {
    for (const row of loadRegionTable(path.join(SHIPPED_REGIONS_DIR, f))) {
      const other = from.get(row.code);
      if (other) throw new RegionDataError(`region tables ${other} and ${f} in ${SHIPPED_REGIONS_DIR} both define ${row.code}`);
      from.set(row.code, f);
      rows.push(row);
    }
  }
  return rows;
}

function levelOf(code: string): 'province' | 'regency' | RegionLevel {
  const parts = code.split('.').length;
  return parts === 1 ? 'province' : parts === 2 ? 'regency' : parts === 3 ? 'kecamatan' : 'desa';
}

/** Lower case, accents and marks dropped, every run of non-letters/digits one space. */
function words(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

const LEVEL_PREFIX: Record<RegionLevel, RegExp> = {
  kecamatan: /^(?:kecamatan|kec) /,
  desa: /^(?:desa|ds|kelurahan|kel) /,
};
const KECAMATAN_QUALIFIER = / (?:kecamatan|kec)(?: .+)?$/; // a bare trailing "Kec." (template with no kecamatan) too

/** The matching key of a name in the table: words without spaces. */
export function regionKey(name: string): string {
  return words(name).replace(/ /g, '');
}

/** A qualifier naming this regency at the end of a value: " kab pandeglang", " kota tangerang selatan". */
function regencyQualifier(name: string): RegExp {
  const w = words(name);
  const city = /^kota /.test(w);
  const bare = w.replace(/^(?:kabupaten|kab|kota) /, '');
  return new RegExp(` (?:${city ? 'kota' : 'kabupaten|kab'}) ${escapeRegExp(bare)}$`);
}

/** A source value split for matching: the name's key and, at desa level, the kecamatan qualifier. */
export interface SourceKey {
  readonly key: string;
  /** The words of a trailing ", Kec. <name>" qualifier (desa level only), e.g. "labuan". */
  readonly kecamatan?: string;
}

/**
 * Splits a source value at `level`: the level's prefix and a trailing qualifier naming this
 * regency removed (", Kab. Pandeglang"); at desa level a trailing ", Kec. <name>" qualifier is
 * taken off the name and returned on its own.
 */
export function sourceParts(level: RegionLevel, regencyName: string): (value: string) => SourceKey {
  const qualifier = regencyQualifier(regencyName);
  const strip = (w: string, re: RegExp): string => {
    // only when something precedes it: "Kab. Pandeglang" alone names the regency, not a kecamatan
    const rest = w.replace(re, '');
    return rest !== w && rest.trim() ? rest : w;
  };
  const keyOf = (w: string) => w.replace(LEVEL_PREFIX[level], '').replace(/ /g, '');
  return (value) => {
    const w = strip(words(value), qualifier);
    if (level !== 'desa') return { key: keyOf(w) };
    const rest = strip(w, KECAMATAN_QUALIFIER);
    if (rest === w) return { key: keyOf(w) };
    const kecamatan = w.slice(rest.length).replace(/^ (?:kecamatan|kec)(?: |$)/, '');
    return kecamatan ? { key: keyOf(rest), kecamatan } : { key: keyOf(rest) };
  };
}

/** The matching key of a source value at `level` (see sourceParts; a kecamatan qualifier is dropped). */
export function sourceKeyer(level: RegionLevel, regencyName: string): (value: string) => string {
  const parts = sourceParts(level, regencyName);
  return (value) => parts(value).key;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export type RegionResolution = { readonly code: string } | { readonly reason: string };

export interface RegionIndex {
  readonly regency: string;
  readonly regencyName: string;
  readonly level: RegionLevel;
  /** Name → code, or why not. */
  resolve(value: string): RegionResolution;
  /** [key, code] pairs, for the mapping version. */
  readonly entries: readonly (readonly [string, string])[];
}

export function regencyNames(rows: readonly RegionRow[]): string[] {
  return rows.filter((r) => levelOf(r.code) === 'regency').map((r) => `${r.code} (${r.name})`);
}

/** Checks that `rows` can answer `level` names for `regency`; the problem as text, or undefined. */
export function regionProblem(rows: readonly RegionRow[], regency: string, level: RegionLevel, where: string): string | undefined {
  const regencyRow = rows.find((r) => r.code === regency);
  const hasLevel = rows.some((r) => r.code.startsWith(`${regency}.`) && levelOf(r.code) === level);
  if (!regencyRow && !hasLevel) {
    const known = regencyNames(rows);
    return `unknown regency ${regency} in ${where}${known.length ? `; known: ${known.join(', ')}` : ''}`;
  }
  if (!hasLevel) return `${where} has no ${level}-level codes for ${regency}${regencyRow ? ` (${regencyRow.name})` : ''}`;
  return undefined;
}

export function buildRegionIndex(rows: readonly RegionRow[], regency: string, level: RegionLevel, where: string): RegionIndex {
  const problem = regionProblem(rows, regency, level, where);
  if (problem) throw new RegionDataError(problem);
  const regencyName = rows.find((r) => r.code === regency)?.name ?? regency;
  const byKey = new Map<string, Set<string>>();
  const codes = new Set<string>();
  for (const row of rows) {
    if (!row.code.startsWith(`${regency}.`) || levelOf(row.code) !== level) continue;
    codes.add(row.code);
    for (const name of [row.name, ...row.alternates]) {
      const key = regionKey(name);
      if (!key) continue;
      if (!byKey.has(key)) byKey.set(key, new Set());
      byKey.get(key)?.add(row.code);
    }
  }
  const entries = [...byKey.entries()].map(([k, set]) => [k, [...set].sort().join('|')] as const).sort((a, b) => (a[0] < b[0] ? -1 : 1));
  if (level === 'kecamatan') {
    const keyOf = sourceKeyer(level, regencyName);
    return {
      regency,
      regencyName,
      level,
      entries,
      resolve(value: string): RegionResolution {
        const text = value.trim();
        // a code of this regency at this level is accepted as it is
        if (codes.has(text)) return { code: text };
        const key = keyOf(text);
        const hits = byKey.get(key);
        if (hits?.size === 1) return { code: [...hits][0] as string };
        if (hits && hits.size > 1) return { reason: `${level} "${text}" is ambiguous in ${regency}: ${[...hits].sort().join(', ')}` };
        return { reason: `unknown ${level} "${text}" in ${regency}` };
      },
    };
  }
  return desaIndex(rows, regency, regencyName, where, { byKey, codes, entries });
}

/**
 * Desa level: like kecamatan level, plus the kecamatan qualifier. The table's kecamatan rows of the
 * regency (if it has any) resolve the qualifier and name the kecamatan of ambiguous codes; they
 * are part of `entries`, so the mapping version follows them too.
 */
function desaIndex(
  rows: readonly RegionRow[],
  regency: string,
  regencyName: string,
  where: string,
  desa: { byKey: Map<string, Set<string>>; codes: Set<string>; entries: readonly (readonly [string, string])[] },
): RegionIndex {
  const kecamatan = regionProblem(rows, regency, 'kecamatan', where) ? undefined : buildRegionIndex(rows, regency, 'kecamatan', where);
  const kecamatanName = new Map(rows.filter((r) => r.code.startsWith(`${regency}.`) && levelOf(r.code) === 'kecamatan').map((r) => [r.code, r.name] as const));
  const withKecamatan = (code: string): string => {
    const name = kecamatanName.get(code.split('.').slice(0, 3).join('.'));
    return name ? `${code} (Kec. ${name})` : code;
  };
  const list = (codes: readonly string[]) => codes.map(withKecamatan).join(', ');
  const parts = sourceParts('desa', regencyName);
  const entries = [...desa.entries, ...(kecamatan?.entries ?? []).map(([k, c]) => [`kecamatan:${k}`, c] as const)];
  return {
    regency,
    regencyName,
    level: 'desa',
    entries,
    resolve(value: string): RegionResolution {
      const text = value.trim();
      // a code of this regency at this level is accepted as it is
      if (desa.codes.has(text)) return { code: text };
      const { key, kecamatan: qualifier } = parts(text);
      const hits = [...(desa.byKey.get(key) ?? [])].sort();
      if (hits.length === 0) return { reason: `unknown desa "${text}" in ${regency}` };
      if (qualifier === undefined || !kecamatan) {
        if (hits.length === 1) return { code: hits[0] as string };
        const hint = qualifier === undefined ? (kecamatan ? '; name the kecamatan (", Kec. <name>") to tell them apart' : '') : `; ${where} has no kecamatan rows to check "Kec. ${qualifier}" against`;
        return { reason: `desa "${text}" is ambiguous in ${regency}: ${list(hits)}${hint}` };
      }
      const kec = kecamatan.resolve(qualifier);
      if (!('code' in kec)) return { reason: `desa "${text}" in ${regency}: the kecamatan qualifier does not resolve: ${kec.reason}` };
      const inside = hits.filter((c) => c.startsWith(`${kec.code}.`));
      if (inside.length === 1) return { code: inside[0] as string };
      if (inside.length > 1) return { reason: `desa "${text}" is ambiguous in ${withKecamatan(kec.code)}: ${inside.join(', ')}` };
      return { reason: `unknown desa "${text}" in ${regency}: kecamatan ${withKecamatan(kec.code)} has no such desa (the name is ${list(hits)})` };
    },
  };
}
