/**
 * Code tables for the `lookup` transform: inline in the mapping, or CSV files in
 * `config/lookups/` (header row; first column is the key, second the value unless named).
 * Keys match case- and whitespace-insensitively ("Kec.  LABUAN " finds "kec. labuan").
 * What a miss does (fail, `default`, `on_miss: keep`) is decided in compile-mapping.ts; every miss
 * becomes a `lookup_miss` warning there.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'csv-parse/sync';

export class LookupTableError extends Error {
  readonly code = 'LOOKUP_TABLE';
}

export function normaliseKey(key: unknown): string {
  return String(key).normalize('NFC').trim().replace(/\s+/g, ' ').toLowerCase();
}

export interface CsvLookupRef {
  readonly file: string;
  readonly key_column?: string;
  readonly value_column?: string;
}

export function loadCsvLookup(ref: CsvLookupRef, lookupsDir: string): Map<string, string> {
  const file = path.resolve(lookupsDir, ref.file);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new LookupTableError(`lookup file ${file}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'not found' : (err as Error).message}`);
  }
  let rows: Record<string, string>[];
  try {
    rows = parse(text, { columns: true, bom: true, skip_empty_lines: true, trim: true }) as Record<string, string>[];
  } catch (err) {
    throw new LookupTableError(`lookup file ${file}: ${(err as Error).message}`);
  }
  const header = rows.length > 0 ? Object.keys(rows[0] as object) : [];
  const keyColumn = ref.key_column ?? header[0];
  const valueColumn = ref.value_column ?? header[1];
  if (!keyColumn || !valueColumn || !header.includes(keyColumn) || !header.includes(valueColumn)) {
    throw new LookupTableError(`lookup file ${file}: needs a header row with columns ${ref.key_column ?? '<key>'} and ${ref.value_column ?? '<value>'} (found: ${header.join(', ') || 'none'})`);
  }
  const table = new Map<string, string>();
  rows.forEach((row, i) => {
    const key = normaliseKey(row[keyColumn] ?? '');
    if (!key) return;
    if (table.has(key) && table.get(key) !== row[valueColumn]) {
      throw new LookupTableError(`lookup file ${file}, row ${i + 2}: key "${row[keyColumn]}" appears twice with different values`);
    }
    table.set(key, row[valueColumn] ?? '');
  });
  return table;
}

export function inlineLookup(table: Record<string, string | number>): Map<string, string | number> {
  const out = new Map<string, string | number>();
  for (const [k, v] of Object.entries(table)) {
    const key = normaliseKey(k);
    if (out.has(key) && out.get(key) !== v) throw new LookupTableError(`inline lookup table: keys that differ only in case or spaces ("${k}") have different values`);
    out.set(key, v);
  }
  return out;
}
