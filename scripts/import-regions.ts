/**
 * Imports desa/kelurahan codes from the idn-area-data CSVs into `config/regions/`, and cross-checks
 * the hand-compiled province/regency/kecamatan table against them. See config/regions/README.md.
 *
 *   npx tsx scripts/import-regions.ts <data-dir> [--province 36] [--out config/regions/banten-desa.csv]
 *                                     [--base config/regions/banten.csv] [--check]
 *
 * <data-dir> holds provinces.csv, regencies.csv, districts.csv (code,regency_code,name) and
 * villages.csv (code,district_code,name) of idn-area-data (data/ in the npm package).
 *
 * Writes the desa/kelurahan rows of the province (`code,name,alternates`, alternates empty, sorted
 * by code) to --out, then prints every province/regency/kecamatan code of --base whose name
 * differs from the package's (compared as the matcher compares names: case, accents, spaces and
 * punctuation ignored), every code present in one and not the other, and every desa whose
 * kecamatan is missing from --base; names that differ only in case, spaces or punctuation are
 * listed as notes. With --check nothing is written: the existing --out is
 * compared with what would be written.
 *
 * Exit status: 0 all agree; 1 the input is broken (nothing written); 2 discrepancies were found
 * (the desa file is still written unless --check).
 */
import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import { loadRegionTable, regionKey, type RegionRow } from '../src/mapping/regions.js';
import { REGION_CODE_RE } from '../src/mapping/canonical.js';

const ROOT = path.resolve(import.meta.dirname, '..');

interface Options {
  dataDir: string;
  province: string;
  out: string;
  base: string;
  check: boolean;
}

function usage(message?: string): never {
  if (message) console.error(`import-regions: ${message}`);
  console.error('usage: tsx scripts/import-regions.ts <data-dir> [--province 36] [--out FILE] [--base FILE] [--check]');
  process.exit(1);
}

function parseArgs(argv: string[]): Options {
  const o: Partial<Options> & { check: boolean } = { check: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    const next = (): string => {
      const v = argv[++i];
      if (v === undefined) usage(`${a} needs a value`);
      return v;
    };
    if (a === '--province') o.province = next();
    else if (a === '--out') o.out = path.resolve(next());
    else if (a === '--base') o.base = path.resolve(next());
    else if (a === '--check') o.check = true;
    else if (a === '--help' || a === '-h') usage();
    else if (a.startsWith('-')) usage(`unknown option ${a}`);
    else if (o.dataDir === undefined) o.dataDir = path.resolve(a);
    else usage(`unexpected argument ${a}`);
  }
  if (o.dataDir === undefined) usage('the data directory is required');
  const province = o.province ?? '36';
  if (!/^\d{2}$/.test(province)) usage(`--province must be a two-digit code, got ${province}`);
  if (province !== '36' && (o.out === undefined || o.base === undefined)) usage('for a province other than 36, give --out and --base');
  return {
    dataDir: o.dataDir,
    province,
    out: o.out ?? path.join(ROOT, 'config', 'regions', 'banten-desa.csv'),
    base: o.base ?? path.join(ROOT, 'config', 'regions', 'banten.csv'),
    check: o.check,
  };
}

class InputError extends Error {}

function readCsv(dir: string, name: string, columns: readonly string[]): Record<string, string>[] {
  const file = path.join(dir, name);
  if (!fs.existsSync(file)) throw new InputError(`${file}: not found`);
  const records = parse(fs.readFileSync(file, 'utf8'), { columns: true, bom: true, skip_empty_lines: true, trim: true }) as Record<string, string>[];
  const first = records[0];
  for (const c of columns) if (first && !(c in first)) throw new InputError(`${file}: no column "${c}" (expected ${columns.join(',')})`);
  return records;
}

/** The package's rows of one province: code → name, per level, checked for shape and parentage. */
function readPackage(dir: string, province: string) {
  const inProvince = (code: string | undefined) => code === province || (code ?? '').startsWith(`${province}.`);
  const upper = new Map<string, string>(); // province, regency, kecamatan
  const villages: RegionRow[] = [];
  const problems: string[] = [];
  const add = (file: string, code: string, name: string, parent: string | undefined, depth: number) => {
    if (!REGION_CODE_RE.test(code) || code.split('.').length !== depth) problems.push(`${file}: "${code}" is not a ${depth}-part Kemendagri code`);
    else if (parent !== undefined && !code.startsWith(`${parent}.`)) problems.push(`${file}: ${code} does not lie under its parent ${parent}`);
    else if (parent !== undefined && !upper.has(parent)) problems.push(`${file}: ${code}: parent ${parent} is not in the package`);
    if (!name) problems.push(`${file}: ${code} has no name`);
    if (upper.has(code) || villages.some((v) => v.code === code)) problems.push(`${file}: ${code} appears twice`);
  };
  for (const r of readCsv(dir, 'provinces.csv', ['code', 'name']).filter((r) => r.code === province)) {
    add('provinces.csv', r.code ?? '', r.name ?? '', undefined, 1);
    upper.set(r.code ?? '', r.name ?? '');
  }
  if (!upper.has(province)) throw new InputError(`provinces.csv has no province ${province}`);
  for (const r of readCsv(dir, 'regencies.csv', ['code', 'province_code', 'name']).filter((r) => inProvince(r.code))) {
    add('regencies.csv', r.code ?? '', r.name ?? '', r.province_code, 2);
    upper.set(r.code ?? '', r.name ?? '');
  }
  for (const r of readCsv(dir, 'districts.csv', ['code', 'regency_code', 'name']).filter((r) => inProvince(r.code))) {
    add('districts.csv', r.code ?? '', r.name ?? '', r.regency_code, 3);
    upper.set(r.code ?? '', r.name ?? '');
  }
  const seen = new Set<string>();
  for (const r of readCsv(dir, 'villages.csv', ['code', 'district_code', 'name']).filter((r) => inProvince(r.code))) {
    const code = r.code ?? '';
    const name = (r.name ?? '').replace(/\s+/g, ' ');
    if (!REGION_CODE_RE.test(code) || code.split('.').length !== 4) problems.push(`villages.csv: "${code}" is not a PP.KK.CC.DDDD code`);
    else if (!code.startsWith(`${r.district_code}.`)) problems.push(`villages.csv: ${code} does not lie under its district ${r.district_code}`);
    else if (!upper.has(r.district_code ?? '')) problems.push(`villages.csv: ${code}: district ${r.district_code} is not in districts.csv`);
    if (!name) problems.push(`villages.csv: ${code} has no name`);
    if (seen.has(code)) problems.push(`villages.csv: ${code} appears twice`);
    seen.add(code);
    villages.push({ code, name, alternates: [] });
  }
  if (problems.length) throw new InputError(problems.join('\n'));
  villages.sort((a, b) => (a.code < b.code ? -1 : a.code > b.code ? 1 : 0));
  return { upper, villages };
}

const levelName = (code: string) => ['province', 'regency', 'kecamatan', 'desa'][code.split('.').length - 1] ?? '?';

function main(): number {
  const opts = parseArgs(process.argv.slice(2));
  let pkg: ReturnType<typeof readPackage>;
  let base: readonly RegionRow[];
  try {
    pkg = readPackage(opts.dataDir, opts.province);
    base = loadRegionTable(opts.base);
  } catch (err) {
    console.error(`import-regions: ${(err as Error).message}`);
    return 1;
  }
  const rel = (f: string) => {
    const r = path.relative(process.cwd(), f);
    return r && !r.startsWith('..') ? r : f;
  };
  const discrepancies: string[] = [];
  const notes: string[] = []; // differences of case, spaces or punctuation only

  // 1. the desa/kelurahan file
  const csv = stringify([['code', 'name', 'alternates'], ...pkg.villages.map((v) => [v.code, v.name, ''])], { record_delimiter: '\n' });
  if (opts.check) {
    const current = fs.existsSync(opts.out) ? fs.readFileSync(opts.out, 'utf8') : undefined;
    if (current === csv) console.log(`${rel(opts.out)}: up to date (${pkg.villages.length} rows)`);
    else discrepancies.push(`${rel(opts.out)}: ${current === undefined ? 'missing' : 'differs from the package data'}; run without --check to rewrite it`);
  } else {
    fs.writeFileSync(opts.out, csv);
    console.log(`wrote ${rel(opts.out)}: ${pkg.villages.length} desa/kelurahan of province ${opts.province} (${pkg.upper.get(opts.province)})`);
  }
  const perRegency = new Map<string, { desa: number; kelurahan: number }>();
  for (const v of pkg.villages) {
    const regency = v.code.slice(0, 5);
    const c = perRegency.get(regency) ?? { desa: 0, kelurahan: 0 };
    // Kemendagri numbering: DDDD 1xxx kelurahan, 2xxx desa
    if (v.code.slice(9, 10) === '1') c.kelurahan++;
    else c.desa++;
    perRegency.set(regency, c);
  }
  for (const [regency, c] of [...perRegency].sort()) {
    console.log(`  ${regency} ${(pkg.upper.get(regency) ?? '').padEnd(24)} ${String(c.desa + c.kelurahan).padStart(4)}  (${c.desa} desa, ${c.kelurahan} kelurahan)`);
  }

  // 2. the cross-check of the province/regency/kecamatan rows
  const ours = new Map(base.filter((r) => r.code === opts.province || r.code.startsWith(`${opts.province}.`)).map((r) => [r.code, r] as const));
  const desaInBase = [...ours.keys()].filter((c) => levelName(c) === 'desa');
  if (desaInBase.length) discrepancies.push(`${rel(opts.base)} has desa rows (${desaInBase.length}), which belong in ${rel(opts.out)}`);
  for (const code of [...new Set([...ours.keys(), ...pkg.upper.keys()])].sort()) {
    const mine = ours.get(code);
    const theirs = pkg.upper.get(code);
    if (levelName(code) === 'desa') continue;
    if (!mine) discrepancies.push(`${code} ${levelName(code)} "${theirs}": in the package, not in ${rel(opts.base)}`);
    else if (theirs === undefined) discrepancies.push(`${code} ${levelName(code)} "${mine.name}": in ${rel(opts.base)}, not in the package`);
    else if (regionKey(mine.name) !== regionKey(theirs)) {
      const asAlternate = mine.alternates.some((a) => regionKey(a) === regionKey(theirs));
      discrepancies.push(`${code} ${levelName(code)}: "${mine.name}" in ${rel(opts.base)}, "${theirs}" in the package${asAlternate ? ' (listed there as an alternate)' : ''}`);
    } else if (mine.name !== theirs) notes.push(`${code} ${levelName(code)}: "${mine.name}" in ${rel(opts.base)}, "${theirs}" in the package (same name for matching)`);
  }
  const orphans = pkg.villages.filter((v) => !ours.has(v.code.slice(0, 8)));
  for (const v of orphans) discrepancies.push(`${v.code} "${v.name}": its kecamatan ${v.code.slice(0, 8)} is not in ${rel(opts.base)}`);
  const compared = [...ours.keys()].filter((c) => pkg.upper.has(c)).length;
  if (notes.length) {
    console.log(`\n${notes.length} spellings differ only in case, spaces or punctuation (not discrepancies):`);
    for (const n of notes) console.log(`  ${n}`);
  }
  if (discrepancies.length) {
    console.log(`\n${discrepancies.length} discrepancies:`);
    for (const d of discrepancies) console.log(`  ${d}`);
    return 2;
  }
  console.log(`\ncross-check: all ${compared} province/regency/kecamatan codes of ${rel(opts.base)} agree with the package (same codes; same names, ignoring case, spaces and punctuation); every desa's kecamatan is there`);
  return 0;
}

process.exitCode = main();
