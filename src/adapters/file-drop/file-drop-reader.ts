/**
 * Turns the bytes of one dropped file into a table: header columns and data rows, numbered as
 * staff see them (row 1 = the first row under the header). CSV text is decoded (UTF-8 with or
 * without BOM, Windows-1252, UTF-16 with BOM) and its delimiter detected; XLSX is read with
 * exceljs. A file that cannot be read as a whole raises `FileProblem` with a reason staff can act on.
 */
import type ExcelJS from 'exceljs';
import iconv from 'iconv-lite';
import { parse } from 'csv-parse/sync';
import type { FileDropConfig } from './file-drop-config.js';

/** The whole file cannot be read; `message` says why, for the errors report and the ledger. */
export class FileProblem extends Error {}

export type CellValue = string | number | boolean;

export interface SheetRow {
  /** 1-based position under the header (blank rows count, so numbers match the sheet). */
  readonly row: number;
  /**
   * The cells, at most the header's width plus a few (XLSX: exactly the header's width): a row
   * with values far to the right must not make the reader allocate every column up to them.
   */
  readonly cells: readonly CellValue[];
  /** Position of the row's last non-empty cell (1-based, 0 for none), however far right it is. */
  readonly width: number;
}

export interface Sheet {
  readonly format: 'csv' | 'xlsx';
  readonly columns: readonly string[];
  /** Data rows, blank ones left out. */
  readonly rows: readonly SheetRow[];
  /** CSV: a row must have exactly the header's fields (trailing empty fields are tolerated). */
  readonly strictWidth: boolean;
  /** CSV: the delimiter found or configured (the errors report uses the same). */
  readonly delimiter?: string;
  /** CSV: the encoding the text was decoded from. */
  readonly encoding?: string;
}

export type ReaderOptions = Pick<FileDropConfig, 'encoding' | 'csv' | 'xlsx' | 'max_rows'> & Partial<Pick<FileDropConfig, 'max_row_chars' | 'max_unpacked_bytes'>>;

export function isXlsxName(name: string): boolean {
  return /\.xlsx$/i.test(name);
}

export async function readSheet(name: string, bytes: Buffer, options: ReaderOptions): Promise<Sheet> {
  if (isXlsxName(name)) return readXlsx(bytes, options);
  if (bytes.subarray(0, 4).equals(Buffer.from([0x50, 0x4b, 0x03, 0x04]))) throw new FileProblem('this is an Excel workbook (XLSX) with a .csv name: rename it to .xlsx');
  if (bytes.subarray(0, 4).equals(Buffer.from([0xd0, 0xcf, 0x11, 0xe0]))) throw new FileProblem('this is an old-format Excel file (.xls): save it as .xlsx or CSV');
  return readCsv(bytes, options);
}

/** UTF-8 with or without BOM, UTF-16 with BOM, else Windows-1252 (auto) or as configured. */
export function decodeText(bytes: Buffer, encoding: FileDropConfig['encoding']): { text: string; encoding: string } {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return { text: utf8Strict(bytes.subarray(3)), encoding: 'utf-8 (BOM)' };
  if (encoding === 'auto' && bytes[0] === 0xff && bytes[1] === 0xfe) return { text: iconv.decode(bytes.subarray(2), 'utf-16le'), encoding: 'utf-16le (BOM)' };
  if (encoding === 'auto' && bytes[0] === 0xfe && bytes[1] === 0xff) return { text: iconv.decode(bytes.subarray(2), 'utf-16be'), encoding: 'utf-16be (BOM)' };
  if (encoding === 'windows-1252') return { text: iconv.decode(bytes, 'windows-1252'), encoding };
  try {
    return { text: utf8Strict(bytes), encoding: 'utf-8' };
  } catch (err) {
    if (encoding === 'utf-8') throw err;
    return { text: iconv.decode(bytes, 'windows-1252'), encoding: 'windows-1252' };
  }
}

function utf8Strict(bytes: Uint8Array): string {
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    throw new FileProblem('the file is not valid UTF-8: save it as "CSV UTF-8", or set encoding: windows-1252 (or auto) in the source config');
  }
}

/** Counts `,` `;` tab and `|` outside quotes on the header line; the most frequent wins (`,` on a tie or none). */
export function detectDelimiter(text: string, headerRow: number): string {
  const line = nthLine(text, headerRow);
  const counts = new Map<string, number>([
    [',', 0],
    [';', 0],
    ['\t', 0],
    ['|', 0],
  ]);
  let quoted = false;
  for (const ch of line) {
    if (ch === '"') quoted = !quoted;
    else if (!quoted && counts.has(ch)) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  }
  let best = ',';
  for (const [ch, n] of counts) if (n > (counts.get(best) ?? 0)) best = ch;
  return best;
}

/** Line `n` (1-based) of the text, without splitting all of it (a file may have millions of lines). */
function nthLine(text: string, n: number): string {
  const breaks = /\r\n|\n|\r/g;
  let start = 0;
  for (let i = 1; i < n; i++) {
    const m = breaks.exec(text);
    if (!m) return '';
    start = m.index + m[0].length;
  }
  breaks.lastIndex = start;
  const end = breaks.exec(text);
  return text.slice(start, end ? end.index : text.length);
}

/**
 * Cells kept past the header's width on a CSV row (for the errors report); the row is bad anyway.
 * XLSX keeps none: there a stray value can sit in column XFD (16,384) of every row.
 */
const EXTRA_CELLS_KEPT = 20;

/** More header columns than this is not a complaint sheet (a stray cell far right on the header row?). */
export const MAX_COLUMNS = 1000;

/**
 * Parsed row by row: blank rows are dropped as they come, and parsing stops at the first data row
 * over `max_rows`, so a huge file is refused without being held in memory as a table. (Not
 * `to_line`: blank lines and line breaks inside quoted cells also count as lines, so a line
 * limit would refuse, or cut short, files within `max_rows`.)
 */
function readCsv(bytes: Buffer, options: ReaderOptions): Sheet {
  const { text, encoding } = decodeText(bytes, options.encoding);
  const headerRow = options.csv.header_row;
  const delimiter = options.csv.delimiter === 'auto' ? detectDelimiter(text, headerRow) : options.csv.delimiter;
  let columns: string[] | undefined;
  const rows: SheetRow[] = [];
  try {
    parse(text, {
      delimiter,
      from_line: headerRow,
      relax_column_count: true,
      relax_quotes: true,
      skip_empty_lines: false,
      bom: false,
      ...(options.max_row_chars ? { max_record_size: options.max_row_chars } : {}),
      // info.records counts from the header (1), blank rows included: row numbers match the sheet
      on_record: (record: string[], info: { records: number }) => {
        if (columns === undefined) {
          if (isBlank(record)) throw noCsvHeader(headerRow);
          columns = headerColumns(record);
          return null;
        }
        if (isBlank(record)) return null;
        if (rows.length >= options.max_rows) throw tooManyRows(options.max_rows);
        const cells = record.length > columns.length + EXTRA_CELLS_KEPT ? record.slice(0, columns.length + EXTRA_CELLS_KEPT) : record;
        rows.push({ row: info.records - 1, cells, width: lastFilled(record) });
        return null;
      },
    });
  } catch (err) {
    if (err instanceof FileProblem) throw err;
    if ((err as { code?: string }).code === 'CSV_MAX_RECORD_SIZE') {
      const line = (err as { lines?: number }).lines;
      throw new FileProblem(`a row${line ? ` (around line ${line.toLocaleString('en-US')})` : ''} is longer than max_row_chars ${(options.max_row_chars ?? 0).toLocaleString('en-US')} characters (a quote never closed, or a cell far too long): the file is not read`);
    }
    throw new FileProblem(`the CSV cannot be read: ${(err as Error).message}`);
  }
  if (columns === undefined) throw noCsvHeader(headerRow);
  return { format: 'csv', columns, rows, strictWidth: true, delimiter, encoding };
}

function noCsvHeader(headerRow: number): FileProblem {
  return new FileProblem(`no header row at line ${headerRow} (the file is empty, or csv.header_row is wrong)`);
}

async function readXlsx(bytes: Buffer, options: ReaderOptions): Promise<Sheet> {
  if (options.max_unpacked_bytes !== undefined) await checkUnpackedSize(bytes, options.max_unpacked_bytes);
  // loaded on first use: a bridge without XLSX drops does not carry exceljs in memory
  const { default: Excel } = await import('exceljs');
  const wb = new Excel.Workbook();
  try {
    // exceljs declares its own Buffer type; a Node Buffer is what it reads
    await wb.xlsx.load(bytes as unknown as Parameters<typeof wb.xlsx.load>[0]);
  } catch (err) {
    throw new FileProblem(`the XLSX workbook cannot be opened (${(err as Error).message}); save it again from Excel as .xlsx`);
  }
  const wanted = options.xlsx.sheet;
  const ws = wanted ? wb.worksheets.find((w) => w.name === wanted) ?? wb.worksheets.find((w) => w.name.toLowerCase() === wanted.toLowerCase()) : wb.worksheets[0];
  if (!ws) {
    const names = wb.worksheets.map((w) => `"${w.name}"`).join(', ') || 'none';
    throw new FileProblem(wanted ? `the workbook has no sheet "${wanted}" (sheets: ${names})` : 'the workbook has no sheets');
  }
  const headerRow = options.xlsx.header_row;
  const headerRowCells = ws.getRow(headerRow);
  const headerWidth = rowCells(headerRowCells, MAX_COLUMNS).width;
  if (headerWidth > MAX_COLUMNS) throw tooManyColumns(headerWidth);
  const header = rowCells(headerRowCells, headerWidth).cells;
  if (isBlank(header)) throw new FileProblem(`sheet "${ws.name}" has no header in row ${headerRow} (the sheet is empty, or xlsx.header_row is wrong)`);
  const columns = headerColumns(header);
  const data: SheetRow[] = [];
  // rows without values (often just formatted) are skipped; row numbers stay the sheet's
  ws.eachRow({ includeEmpty: false }, (row, r) => {
    if (r <= headerRow) return;
    const { cells, width } = rowCells(row, columns.length);
    if (width === 0) return;
    if (data.length >= options.max_rows) throw tooManyRows(options.max_rows);
    data.push({ row: r - headerRow, cells, width });
  });
  return { format: 'xlsx', columns, rows: data, strictWidth: false };
}

/**
 * The first `keep` cells of a row (empty ones as ''), and the column of its last value. Only the
 * cells that exist are visited: `getCell` on every column up to the last would create them all.
 */
function rowCells(row: ExcelJS.Row, keep: number): { cells: CellValue[]; width: number } {
  const cells: CellValue[] = new Array<CellValue>(keep).fill('');
  let width = 0;
  row.eachCell({ includeEmpty: false }, (cell, col) => {
    const value = cellValue(cell.value);
    if (String(value).trim() === '') return;
    if (col > width) width = col;
    if (col <= keep) cells[col - 1] = value;
  });
  return { cells, width };
}

/** 1 → A, 27 → AA, 16384 → XFD. */
export function columnLetters(n: number): string {
  let out = '';
  for (let c = n; c > 0; c = Math.floor((c - 1) / 26)) out = String.fromCharCode(65 + ((c - 1) % 26)) + out;
  return out;
}

/** An exceljs cell value as plain text, number or boolean: what the cell shows. */
export function cellValue(v: unknown): CellValue {
  if (v === null || v === undefined) return '';
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return v;
  if (v instanceof Date) return wallClock(v);
  if (typeof v === 'object') {
    const o = v as Record<string, unknown>;
    if (Array.isArray(o.richText)) return o.richText.map((t: { text?: unknown }) => String(t.text ?? '')).join('');
    if ('formula' in o || 'sharedFormula' in o) return cellValue(o.result);
    if ('hyperlink' in o) return cellValue(o.text);
    if (typeof o.error === 'string') return o.error;
  }
  return String(v);
}

/**
 * Excel dates have no zone; exceljs hands them over as that wall-clock time in UTC. Keep the
 * wall clock ("2024-03-01 08:30:00"), so the mapping reads it in its own timezone (WIB).
 */
function wallClock(d: Date): string {
  if (Number.isNaN(d.getTime())) return '';
  const iso = d.toISOString();
  const date = iso.slice(0, 10);
  const time = iso.slice(11, 19);
  return time === '00:00:00' ? date : `${date} ${time}`;
}

function isBlank(cells: readonly CellValue[]): boolean {
  return cells.every((c) => typeof c === 'string' && c.trim() === '');
}

/** Header names, trimmed; trailing empty cells dropped, inner ones named column_<n>; names must be unique. */
function headerColumns(cells: readonly CellValue[]): string[] {
  const names = cells.map((c) => String(c).trim());
  while (names.length && names[names.length - 1] === '') names.pop();
  if (names.length > MAX_COLUMNS) throw tooManyColumns(names.length);
  const columns = names.map((n, i) => n || `column_${i + 1}`);
  const seen = new Set<string>();
  for (const c of columns) {
    if (seen.has(c)) throw new FileProblem(`the header has the column "${c}" twice; give every column its own name`);
    seen.add(c);
  }
  return columns;
}

function tooManyColumns(n: number): FileProblem {
  return new FileProblem(`the header row has ${n.toLocaleString('en-US')} columns (up to column ${columnLetters(n)}), more than ${MAX_COLUMNS.toLocaleString('en-US')}: remove stray cells to the right of the header, or check the header_row setting`);
}

function lastFilled(cells: readonly CellValue[]): number {
  let n = cells.length;
  while (n > 0 && String(cells[n - 1]).trim() === '') n--;
  return n;
}

function tooManyRows(max: number): FileProblem {
  return new FileProblem(`the file has more than max_rows ${max.toLocaleString('en-US')} data rows: split it into smaller files`);
}

// ------------------------------------------------------------------------------------ XLSX = ZIP

/**
 * Refuses an XLSX (a ZIP archive) that unpacks to more than `max` bytes — a "zip bomb" of a few
 * MB can unpack to gigabytes, and exceljs would hold all of it. The archive is read with JSZip,
 * the ZIP reader exceljs itself uses, so the check sees exactly the members exceljs would unpack
 * (a walk of our own could be fooled by a wrong entry count or bytes before the archive, which
 * JSZip tolerates). Every member is inflated once while counting, in a stream (nothing kept), and
 * the count stops at the limit; the sizes the archive declares are not trusted.
 */
export async function checkUnpackedSize(bytes: Buffer, max: number): Promise<void> {
  const { default: JSZip } = await import('jszip');
  let zip: InstanceType<typeof JSZip>;
  try {
    zip = await JSZip.loadAsync(bytes, { checkCRC32: false });
  } catch (err) {
    throw new FileProblem(`the XLSX workbook cannot be opened (${(err as Error).message}); save it again from Excel as .xlsx`);
  }
  let total = 0;
  for (const member of Object.values(zip.files)) {
    if (member.dir) continue;
    total = await countInflated(member.nodeStream('nodebuffer'), total, max);
    if (total > max) throw new FileProblem(`the workbook unpacks to more than max_unpacked_bytes ${formatSize(max)} (an XLSX file is a ZIP archive): the file is not read; save it again from Excel, or split it`);
  }
}

/** `start` plus the bytes the stream yields, counting up to just past `max` (then it stops reading). */
function countInflated(stream: NodeJS.ReadableStream, start: number, max: number): Promise<number> {
  return new Promise((resolve, reject) => {
    let n = start;
    stream.on('data', (chunk: Buffer) => {
      n += chunk.length;
      if (n > max) {
        stream.pause();
        stream.removeAllListeners('data');
        resolve(n);
      }
    });
    stream.on('end', () => resolve(n));
    stream.on('error', (err: Error) => reject(new FileProblem(`the XLSX workbook cannot be unpacked (${err.message}); save it again from Excel as .xlsx`)));
  });
}

function formatSize(n: number): string {
  if (n % (1024 * 1024) === 0) return `${n / (1024 * 1024)}MB`;
  if (n % 1024 === 0) return `${n / 1024}KB`;
  return `${n} bytes`;
}
