/**
 * The file-drop adapter on a real temp folder: the shared contract suite (not incremental: a read
 * consumes what is waiting), then what is particular to files — encodings, delimiters, when a
 * file counts as complete, the archive, the errors report and the processed-files index.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Writable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { parse } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import iconv from 'iconv-lite';
import winston from 'winston';
import type { AdapterContext, SourceBatch, SourceRecord } from '../../src/adapters/adapter.js';
import { AdapterError } from '../../src/adapters/errors.js';
import { FileDropAdapter, fileDropAdapterFactory, globToRegExp, READING_CRASH_REASON, type FileDropDeps } from '../../src/adapters/file-drop/file-drop-adapter.js';
import { INDEX_NAME } from '../../src/adapters/file-drop/file-drop-archive.js';
import { fileDropConfigSchema } from '../../src/adapters/file-drop/file-drop-config.js';
import { decodeText, detectDelimiter, readSheet } from '../../src/adapters/file-drop/file-drop-reader.js';
import { adapterRegistry } from '../../src/adapters/registry.js';
import { silentLogger } from '../../src/util/logger.js';
import { tempDir } from '../helpers/workdir.js';
import { adapterContractSuite, walk, type AdapterFixture, type SuiteRow } from './adapter-suite.js';

const COLUMNS = ['id', 'judul', 'isi', 'updated_at'] as const;

function csvLine(cells: readonly string[], delimiter = ','): string {
  return cells.map((c) => (/[",;\r\n]/.test(c) ? `"${c.replace(/"/g, '""')}"` : c)).join(delimiter);
}

function suiteCsv(rows: readonly SuiteRow[]): string {
  return [csvLine(COLUMNS), ...rows.map((r) => csvLine(COLUMNS.map((c) => r[c])))].join('\r\n') + '\r\n';
}

// ---------------------------------------------------------------------------------------------
// the shared contract suite
// ---------------------------------------------------------------------------------------------

async function makeFixture(): Promise<AdapterFixture> {
  const dir = tempDir('sp4n-filedrop-');
  const folder = path.join(dir, 'drop');
  fs.mkdirSync(folder);
  const ctx: AdapterContext = { sourceId: 'loket', logger: silentLogger(), now: () => new Date() };
  const make = (over: Record<string, unknown> = {}) => new FileDropAdapter(fileDropConfigSchema.parse({ type: 'file-drop', folder, stable_for: 0, key_column: 'id', batch_size: 3, ...over }), ctx);
  const rows = new Map<string, SuiteRow>();
  let n = 0;
  // numbered names: files written in the same millisecond still sort in the order written
  const drop = (kind: string, list: readonly SuiteRow[]) => fs.writeFileSync(path.join(folder, `${String(++n).padStart(4, '0')}-${kind}.csv`), suiteCsv(list));
  return {
    adapter: make(),
    batchSize: 3,
    async add(list) {
      for (const r of list) rows.set(r.id, r);
      drop('add', list);
    },
    async edit(id, patch) {
      const old = rows.get(id);
      if (!old) throw new Error(`no row ${id}`);
      const later = Math.max(...[...rows.values()].map((r) => Date.parse(r.updated_at))) + 60_000;
      const row = { ...old, ...patch, updated_at: new Date(later).toISOString() };
      rows.set(id, row);
      drop('edit', [row]);
    },
    broken: () => make({ folder: path.join(dir, 'no-such-folder') }),
    async teardown() {
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

adapterContractSuite('file-drop', makeFixture, { incremental: false });

// ---------------------------------------------------------------------------------------------
// file-drop specifics
// ---------------------------------------------------------------------------------------------

let dir: string;
let folder: string;
let archiveDir: string;
let clock: number;
let logs: { level: string; message: string; [k: string]: unknown }[];

beforeEach(() => {
  dir = tempDir('sp4n-filedrop-');
  folder = path.join(dir, 'drop');
  archiveDir = path.join(folder, 'archive');
  fs.mkdirSync(folder);
  clock = Date.parse('2024-03-01T01:30:00Z'); // 08:30 WIB
  logs = [];
});

afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

function capturingLogger(): winston.Logger {
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      logs.push(JSON.parse(chunk.toString()) as (typeof logs)[number]);
      done();
    },
  });
  return winston.createLogger({ level: 'debug', format: winston.format.json(), transports: [new winston.transports.Stream({ stream })] });
}

function adapter(over: Record<string, unknown> = {}, deps: FileDropDeps = {}): FileDropAdapter {
  const config = fileDropConfigSchema.parse({ type: 'file-drop', folder, stable_for: 0, ...over });
  return new FileDropAdapter(config, { sourceId: 'loket', logger: capturingLogger(), now: () => new Date(clock) }, deps);
}

/** Reads every batch without settling it (as a dry run, or a crash before the commit would). */
async function readUnsettled(a: FileDropAdapter): Promise<{ records: SourceRecord[]; batches: SourceBatch<undefined>[] }> {
  const batches: SourceBatch<undefined>[] = [];
  for await (const b of a.read(undefined)) batches.push(b);
  return { records: batches.flatMap((b) => [...b.records]), batches };
}

const rawOf = (r: SourceRecord | undefined) => r?.raw as Record<string, unknown>;
const dropped = () => fs.readdirSync(folder).filter((f) => f !== 'archive').sort();
const archived = () => (fs.existsSync(archiveDir) ? fs.readdirSync(archiveDir).sort() : []);

function readReport(name: string, delimiter = ','): { bom: boolean; rows: Record<string, string>[] } {
  const bytes = fs.readFileSync(path.join(archiveDir, name));
  const bom = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf;
  return { bom, rows: parse(bytes, { bom: true, columns: true, delimiter }) as Record<string, string>[] };
}

describe('file-drop: registration and config', () => {
  it('is registered under its kind, with defaults that follow the issue', () => {
    expect(adapterRegistry['file-drop']).toBe(fileDropAdapterFactory);
    const config = fileDropConfigSchema.parse({ type: 'file-drop', folder: '/srv/loket' });
    expect(config).toMatchObject({ patterns: ['*.csv', '*.xlsx'], complete_when: 'size_stable', stable_for: 2000, encoding: 'auto', batch_size: 500, max_rows: 200_000, max_file_bytes: 100 * 1024 * 1024 });
    expect(config.csv).toEqual({ delimiter: 'auto', header_row: 1 });
    const a = fileDropAdapterFactory.create(config as never, { sourceId: 'loket', logger: silentLogger(), now: () => new Date() });
    expect(a.capabilities).toEqual({ incremental: false, writeBack: false });
    expect((a as FileDropAdapter).archive.dir).toBe(path.join('/srv/loket', 'archive'));
  });

  it('rejects a path as a pattern and a size it cannot read, naming the key', () => {
    const r = fileDropConfigSchema.safeParse({ type: 'file-drop', folder: '/x', patterns: ['sub/*.csv'], max_file_bytes: 'lots' });
    expect(r.success).toBe(false);
    const paths = r.error?.issues.map((i) => i.path.join('.'));
    expect(paths).toEqual(expect.arrayContaining(['patterns.0', 'max_file_bytes']));
  });

  it('patterns are whole-name, case-insensitive wildcards', () => {
    expect(globToRegExp('*.csv').test('ADUAN.CSV')).toBe(true);
    expect(globToRegExp('*.csv').test('aduan.csv.done')).toBe(false);
    expect(globToRegExp('loket-????.xlsx').test('loket-2024.xlsx')).toBe(true);
  });
});

describe('file-drop: encodings and delimiters', () => {
  it('decodes a Windows-1252 CSV (an older Excel export) with é and ’ right', async () => {
    const text = 'id,judul,isi\r\n1,Café rusak,Atap kantor desa bocor – it’s urgent\r\n';
    fs.writeFileSync(path.join(folder, 'cp1252.csv'), iconv.encode(text, 'windows-1252'));
    const { records } = await walk(adapter({ key_column: 'id' }));
    expect(rawOf(records[0])).toMatchObject({ id: '1', judul: 'Café rusak', isi: 'Atap kantor desa bocor – it’s urgent' });
    expect(decodeText(iconv.encode(text, 'windows-1252'), 'auto').encoding).toBe('windows-1252');
  });

  it('reads UTF-8 with a BOM (Excel "CSV UTF-8"): the first header is "id", not "\\uFEFFid"', async () => {
    fs.writeFileSync(path.join(folder, 'bom.csv'), Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('id,judul,isi\n7,Jalan rusak,Jalan di Desa Cikédal berlubang\n', 'utf8')]));
    const { records } = await walk(adapter({ key_column: 'id' }));
    expect(records.map((r) => r.externalId)).toEqual(['7']);
    expect(Object.keys(rawOf(records[0]))).toEqual(['id', 'judul', 'isi', '_file', '_row']);
    expect(rawOf(records[0]).isi).toBe('Jalan di Desa Cikédal berlubang');
  });

  it('UTF-8 without BOM stays UTF-8, and encoding: utf-8 refuses bytes that are not', () => {
    expect(decodeText(Buffer.from('isi\nCikédal\n', 'utf8'), 'auto')).toEqual({ text: 'isi\nCikédal\n', encoding: 'utf-8' });
    expect(() => decodeText(iconv.encode('isi\nCikédal\n', 'windows-1252'), 'utf-8')).toThrow(/not valid UTF-8/);
  });

  it('reads UTF-16 with a BOM (Excel "Unicode text", tab-separated)', async () => {
    fs.writeFileSync(path.join(folder, 'unicode.csv'), Buffer.concat([Buffer.from([0xff, 0xfe]), iconv.encode('id\tisi\r\n1\tSungai tercemar – bau\r\n', 'utf-16le')]));
    const { records } = await walk(adapter({ key_column: 'id' }));
    expect(rawOf(records[0])).toMatchObject({ id: '1', isi: 'Sungai tercemar – bau' });
  });

  it('finds the ";" delimiter (Indonesian-locale Excel) and keeps quoted commas', async () => {
    fs.writeFileSync(path.join(folder, 'semicolon.csv'), 'id;judul;isi\r\n1;"Lampu, jalan";"Mati; sejak Senin"\r\n2;Sampah;Menumpuk\r\n');
    const { records } = await walk(adapter({ key_column: 'id' }));
    expect(records.map((r) => rawOf(r))).toEqual([
      { id: '1', judul: 'Lampu, jalan', isi: 'Mati; sejak Senin', _file: 'semicolon.csv', _row: 1 },
      { id: '2', judul: 'Sampah', isi: 'Menumpuk', _file: 'semicolon.csv', _row: 2 },
    ]);
    expect(detectDelimiter('a,b;c;d\n', 1)).toBe(';');
    expect(detectDelimiter('"a;b",c\n', 1)).toBe(',');
    expect(detectDelimiter('only\n', 1)).toBe(',');
  });

  it('honours csv.header_row (a title line above the header), trims headers, skips blank rows but keeps row numbers', async () => {
    fs.writeFileSync(path.join(folder, 'titled.csv'), 'Rekap loket Maret 2024,,\r\n id , judul ,isi\r\n1,A,satu\r\n,,\r\n2,B,dua\r\n');
    const { records } = await walk(adapter({ key_column: 'id', csv: { header_row: 2 } }));
    expect(records.map((r) => [r.externalId, rawOf(r)._row, rawOf(r).judul])).toEqual([
      ['1', 1, 'A'],
      ['2', 3, 'B'],
    ]);
  });
});

describe('file-drop: XLSX', () => {
  it('reads the named sheet: numbers, dates as wall-clock text, rich text and formulas as shown', async () => {
    const wb = new ExcelJS.Workbook();
    wb.addWorksheet('Catatan').addRow(['bukan data']);
    const ws = wb.addWorksheet('Aduan');
    ws.addRow(['no', 'judul', 'isi', 'tanggal', 'jumlah']);
    ws.addRow([101, 'Jalan rusak', { richText: [{ text: 'Lubang ' }, { text: 'besar', font: { bold: true } }] }, new Date(Date.UTC(2024, 2, 1, 8, 30)), { formula: '1+1', result: 2 }]);
    ws.addRow([]);
    ws.addRow([102, 'Banjir', 'Air setinggi lutut', new Date(Date.UTC(2024, 2, 2)), 3]);
    await wb.xlsx.writeFile(path.join(folder, 'loket.xlsx'));
    fs.writeFileSync(path.join(folder, '~$loket.xlsx'), 'Excel lock file'); // Excel's own, while the workbook is open
    const { records } = await walk(adapter({ key_column: 'no', xlsx: { sheet: 'aduan' } }));
    expect(records.map((r) => r.externalId)).toEqual(['101', '102']);
    expect(rawOf(records[0])).toEqual({ no: 101, judul: 'Jalan rusak', isi: 'Lubang besar', tanggal: '2024-03-01 08:30:00', jumlah: 2, _file: 'loket.xlsx', _row: 1 });
    expect(rawOf(records[1])).toMatchObject({ tanggal: '2024-03-02', _row: 3 });
    expect(dropped()).toEqual(['~$loket.xlsx']);
  });

  it('a missing sheet is a file problem that names the sheets there are', async () => {
    const wb = new ExcelJS.Workbook();
    wb.addWorksheet('Sheet1').addRow(['id']);
    await wb.xlsx.writeFile(path.join(folder, 'x.xlsx'));
    const { records } = await walk(adapter({ xlsx: { sheet: 'Aduan' } }));
    expect(records).toHaveLength(1);
    expect(records[0]?.problem).toMatch(/x\.xlsx: the workbook has no sheet "Aduan" \(sheets: "Sheet1"\)/);
  });
});

describe('file-drop: when a file is complete', () => {
  it('done_marker: a file is ignored until <name>.done exists; the marker goes away with the file', async () => {
    fs.writeFileSync(path.join(folder, 'a.csv'), 'id,isi\n1,satu\n');
    const a = adapter({ complete_when: 'done_marker', key_column: 'id' });
    expect((await walk(a)).records).toEqual([]);
    expect(dropped()).toEqual(['a.csv']);
    fs.writeFileSync(path.join(folder, 'a.csv.done'), '');
    expect((await walk(a)).records.map((r) => r.externalId)).toEqual(['1']);
    expect(dropped()).toEqual([]);
    expect(archived()).toEqual([INDEX_NAME, '20240301-083000-a.csv']);
  });

  it('size_stable: a file still growing is not read; once size and mtime hold for stable_for it is', async () => {
    const file = path.join(folder, 'growing.csv');
    fs.writeFileSync(file, 'id,isi\n1,satu\n');
    let waits = 0;
    let grow = true;
    const deps: FileDropDeps = {
      // the adapter's one wait inside a read: the injected clock moves on, and the copy may go on writing
      async sleep(ms) {
        waits++;
        clock += ms;
        if (grow) {
          fs.appendFileSync(file, '2,dua\n');
          fs.utimesSync(file, new Date(clock), new Date(clock)); // an mtime that moved as well
        }
      },
    };
    const a = adapter({ complete_when: 'size_stable', stable_for: '2s', key_column: 'id' }, deps);

    expect((await walk(a)).records).toEqual([]); // grew during the wait
    expect(waits).toBe(1);
    expect(dropped()).toEqual(['growing.csv']);

    grow = false;
    const second = await walk(a); // unchanged since the last look: one more wait, then read
    expect(second.records.map((r) => r.externalId)).toEqual(['1', '2']);
    expect(waits).toBe(2);
    expect(dropped()).toEqual([]);
  });

  it('size_stable: a file already seen unchanged for stable_for is read without waiting; an empty file is never complete', async () => {
    fs.writeFileSync(path.join(folder, 'b.csv'), 'id,isi\n1,satu\n');
    fs.writeFileSync(path.join(folder, 'empty.csv'), '');
    let waits = 0;
    const a = adapter({ stable_for: '2s', key_column: 'id' }, { sleep: async () => void waits++ }); // a clock that does not move
    expect((await walk(a)).records).toEqual([]);
    clock += 2000; // time passes between two daemon ticks
    const later = await walk(a);
    expect(later.records.map((r) => r.externalId)).toEqual(['1']);
    expect(waits).toBe(1); // the first look only: an empty file is not waited for
    expect(dropped()).toEqual(['empty.csv']);
  });
});

describe('file-drop: archive, duplicates and the errors report', () => {
  it('after the last batch settles the file moves to archive/<YYYYMMDD-HHmmss>-<name> (never before)', async () => {
    fs.writeFileSync(path.join(folder, 'a.csv'), 'id,isi\n1,satu\n2,dua\n3,tiga\n');
    const a = adapter({ key_column: 'id', batch_size: 2 });
    const { batches } = await readUnsettled(a);
    expect(batches.map((b) => b.records.length)).toEqual([2, 1]);
    expect(batches.every((b) => b.cursor === undefined)).toBe(true);
    await batches[0]?.settle?.();
    expect(dropped()).toEqual(['a.csv']); // one batch of two committed: the file stays
    await batches[1]?.settle?.();
    expect(dropped()).toEqual([]);
    expect(archived()).toEqual([INDEX_NAME, '20240301-083000-a.csv']);
    const index = JSON.parse(fs.readFileSync(path.join(archiveDir, INDEX_NAME), 'utf8')) as { files: Record<string, { name: string; archived_as: string; rows: number; bad_rows: number }> };
    expect(Object.values(index.files)).toEqual([expect.objectContaining({ name: 'a.csv', archived_as: '20240301-083000-a.csv', rows: 3, bad_rows: 0 })]);
  });

  it('a file whose batches are never settled (dry run, crash before the commit) is not moved, and is read again under the same keys', async () => {
    fs.writeFileSync(path.join(folder, 'nokey.csv'), 'judul,isi\nA,satu\nB,dua\n');
    const a = adapter();
    const first = await readUnsettled(a);
    expect(dropped()).toEqual(['nokey.csv']);
    expect(archived()).toEqual([]);
    const again = await readUnsettled(a);
    expect(again.records.map((r) => r.externalId)).toEqual(first.records.map((r) => r.externalId));
    expect(first.records[0]?.externalId).toMatch(/^row:[0-9a-f]{16}:1$/);
  });

  it('keys without key_column come from the rows\' content: the same file under another name has the same keys', async () => {
    const text = 'judul,isi\nA,satu\nB,dua\n';
    fs.writeFileSync(path.join(folder, 'one.csv'), text);
    const one = (await readUnsettled(adapter())).records.map((r) => r.externalId);
    fs.renameSync(path.join(folder, 'one.csv'), path.join(folder, 'renamed.csv'));
    const two = (await readUnsettled(adapter())).records.map((r) => r.externalId);
    expect(two).toEqual(one);
  });

  it('the same file dropped twice is recognised by its hash: archived as a duplicate, rows not read again', async () => {
    const text = 'id,isi\n1,satu\n2,dua\n';
    fs.writeFileSync(path.join(folder, 'senin.csv'), text);
    const a = adapter({ key_column: 'id' });
    expect((await walk(a)).records).toHaveLength(2);
    clock += 3_600_000;
    fs.writeFileSync(path.join(folder, 'senin (1).csv'), text);
    const again = await walk(a);
    expect(again.records).toEqual([]);
    expect(dropped()).toEqual([]);
    expect(archived()).toEqual([INDEX_NAME, '20240301-083000-senin.csv', '20240301-093000-duplicate-senin (1).csv']);
    expect(logs.some((l) => l.level === 'warn' && /already processed/.test(l.message) && l.file === 'senin (1).csv')).toBe(true);
  });

  it('two copies in one drop: the second is a duplicate of the first', async () => {
    fs.writeFileSync(path.join(folder, 'a.csv'), 'id,isi\n1,satu\n');
    fs.writeFileSync(path.join(folder, 'b.csv'), 'id,isi\n1,satu\n');
    const { records } = await walk(adapter({ key_column: 'id' }));
    expect(records.map((r) => r.externalId)).toEqual(['1']);
    expect(archived()).toEqual([INDEX_NAME, '20240301-083000-a.csv', '20240301-083000-duplicate-b.csv']);
  });

  it('the same name dropped again with new content is a new file, archived beside the first', async () => {
    fs.writeFileSync(path.join(folder, 'harian.csv'), 'id,isi\n1,satu\n');
    const a = adapter({ key_column: 'id' });
    await walk(a);
    fs.writeFileSync(path.join(folder, 'harian.csv'), 'id,isi\n2,dua\n');
    expect((await walk(a)).records.map((r) => r.externalId)).toEqual(['2']);
    expect(archived()).toEqual([INDEX_NAME, '20240301-083000-2-harian.csv', '20240301-083000-harian.csv']);
  });

  it('bad rows become records with a problem, and after settle an errors report (UTF-8 with BOM) lists them beside the file', async () => {
    const long = 'x'.repeat(61);
    const text = [
      'id;judul;isi',
      '1;Baik;Jalan rusak',
      '2;Kolom kurang',
      '3;Kolom lebih;isi;lebih',
      ';Tanpa id;kosong',
      `4;Terlalu panjang;${long}`,
      '1;Id ganda;=HYPERLINK("x")',
      '5;Baik juga;Lampu mati',
    ].join('\r\n');
    fs.writeFileSync(path.join(folder, 'loket.csv'), `${text}\r\n`);
    const a = adapter({ key_column: 'id', max_cell_chars: 60 });
    const { records, batches } = await readUnsettled(a);
    expect(records.filter((r) => !r.problem).map((r) => r.externalId)).toEqual(['1', '5']);
    const problems = records.filter((r) => r.problem);
    expect(problems.map((r) => r.problem)).toEqual([
      expect.stringMatching(/^loket\.csv row 2: the row has 2 cells, the header has 3 columns/),
      expect.stringMatching(/^loket\.csv row 3: the row has more cells than the header: 4 cells, the header has 3 columns/),
      'loket.csv row 4: the key column "id" is empty',
      'loket.csv row 5: column "isi" has 61 characters, more than max_cell_chars 60',
      'loket.csv row 6: the key "1" is already used by row 1 of this file',
    ]);
    // a row that may be shifted gets its content key; a readable key is kept
    expect(problems.map((r) => r.externalId)).toEqual([...Array(3).fill(expect.stringMatching(/^row:[0-9a-f]{16}:1$/)), '4', expect.stringMatching(/^row:[0-9a-f]{16}:1$/)]);
    expect(archived()).toEqual([]); // nothing before the commit

    for (const b of batches) await b.settle?.();
    expect(archived()).toEqual([INDEX_NAME, '20240301-083000-loket.csv', '20240301-083000-loket.csv.errors.csv']);
    const report = readReport('20240301-083000-loket.csv.errors.csv', ';');
    expect(report.bom).toBe(true);
    expect(report.rows.map((r) => [r.row, r.reason])).toEqual([
      ['2', expect.stringMatching(/has 2 cells/)],
      ['3', expect.stringMatching(/more cells than the header: 4 cells/)],
      ['4', 'the key column "id" is empty'],
      ['5', 'column "isi" has 61 characters, more than max_cell_chars 60'],
      ['6', 'the key "1" is already used by row 1 of this file'],
    ]);
    expect(report.rows[0]).toMatchObject({ key: problems[0]?.externalId, id: '2', judul: 'Kolom kurang', isi: '' });
    expect(report.rows[1]).toMatchObject({ id: '3', judul: 'Kolom lebih', isi: 'isi', column_4: 'lebih' });
    expect(report.rows[3]).toMatchObject({ key: '4', isi: long });
    expect(report.rows[4]?.isi).toBe(`'=HYPERLINK("x")`); // shown by Excel, not run
  });

  it('a file that cannot be read at all is one quarantined record, archived with the reason', async () => {
    fs.writeFileSync(path.join(folder, 'banyak.csv'), 'id,isi\n1,a\n2,b\n3,c\n');
    fs.writeFileSync(path.join(folder, 'kosong.csv'), '\n\n');
    const { records } = await walk(adapter({ key_column: 'id', max_rows: 2 }));
    expect(records.map((r) => [r.externalId, r.problem])).toEqual([
      [expect.stringMatching(/^[0-9a-f]{16}:file$/), 'banyak.csv: the file has more than max_rows 2 data rows: split it into smaller files'],
      [expect.stringMatching(/^[0-9a-f]{16}:file$/), expect.stringMatching(/^kosong\.csv: no header row at line 1/)],
    ]);
    // archived, but not indexed as processed: fixed, the same file can be dropped again
    expect(archived()).toEqual(['20240301-083000-banyak.csv', '20240301-083000-banyak.csv.errors.csv', '20240301-083000-kosong.csv', '20240301-083000-kosong.csv.errors.csv']);
    expect(readReport('20240301-083000-banyak.csv.errors.csv').rows).toEqual([{ row: '', key: records[0]?.externalId, reason: expect.stringMatching(/more than max_rows 2/) }]);
  });

  it('a file over max_file_bytes is not read into memory, and is archived with the reason', async () => {
    fs.writeFileSync(path.join(folder, 'besar.csv'), `id,isi\n${'1,aaaaaaaaaa\n'.repeat(200)}`);
    const { records } = await walk(adapter({ max_file_bytes: '1KB' }));
    expect(records).toHaveLength(1);
    expect(records[0]?.problem).toMatch(/^besar\.csv: the file is 2\.\d KB, more than max_file_bytes 1\.0 KB/);
    expect(archived()).toContain('20240301-083000-besar.csv.errors.csv');
  });

  it('a key column missing from the header is a file problem naming the columns', async () => {
    fs.writeFileSync(path.join(folder, 'a.csv'), 'No,isi\n1,satu\n');
    expect((await walk(adapter({ key_column: 'no' }))).records.map((r) => r.externalId)).toEqual(['1']); // case-insensitive
    fs.writeFileSync(path.join(folder, 'b.csv'), 'nomor,isi\n1,satu\n');
    const { records } = await walk(adapter({ key_column: 'no' }));
    expect(records[0]?.problem).toBe('b.csv: the key column "no" is not in the header (columns: nomor, isi)');
  });

  it('a file changed between the read and the commit stays, and is read again', async () => {
    const file = path.join(folder, 'a.csv');
    fs.writeFileSync(file, 'id,isi\n1,satu\n');
    const a = adapter({ key_column: 'id' });
    const { batches } = await readUnsettled(a);
    fs.appendFileSync(file, '2,dua\n'); // staff saved it again meanwhile
    for (const b of batches) await b.settle?.();
    expect(dropped()).toEqual(['a.csv']);
    expect((await walk(a)).records.map((r) => r.externalId)).toEqual(['1', '2']);
    expect(dropped()).toEqual([]);
  });

  it('a crash after the commit, before the move, loses and duplicates nothing: the same keys come back, then the file moves under its recorded name', async () => {
    fs.writeFileSync(path.join(folder, 'a.csv'), 'id,isi\n1,satu\n2\n');
    const crashing = adapter({ key_column: 'id' });
    const moveIn = crashing.archive.moveIn.bind(crashing.archive);
    crashing.archive.moveIn = async () => {
      throw new Error('power cut');
    };
    const { records, batches } = await readUnsettled(crashing);
    await batches[0]?.settle?.(); // committed; the move fails (a crash, or the file open in Excel on a share)
    crashing.archive.moveIn = moveIn;
    expect(dropped()).toEqual(['a.csv']);
    expect(logs.some((l) => l.level === 'warn' && /could not be archived/.test(l.message) && l.error === 'power cut')).toBe(true);

    clock += 60_000; // restarted a minute later
    const after = await walk(adapter({ key_column: 'id' }));
    expect(after.records.map((r) => [r.externalId, r.problem])).toEqual(records.map((r) => [r.externalId, r.problem]));
    expect(dropped()).toEqual([]);
    expect(archived()).toEqual([INDEX_NAME, '20240301-083000-a.csv', '20240301-083000-a.csv.errors.csv']);
  });
});

describe('file-drop: keys without key_column follow the row, not the file', () => {
  it('a file saved again with a row added while it was being read: the rows already read keep their keys, only the new row is new', async () => {
    const file = path.join(folder, 'loket.csv');
    fs.writeFileSync(file, 'judul,isi\nJalan rusak,Berlubang\nLampu mati,Sejak Senin\n');
    const a = adapter();
    const first = await readUnsettled(a);
    // Excel saves it again meanwhile: CRLF line ends, a row inserted in the middle, one at the end
    fs.writeFileSync(file, 'judul,isi\r\nJalan rusak,Berlubang\r\nBanjir,Setinggi lutut\r\nLampu mati,Sejak Senin\r\nSampah,Menumpuk\r\n');
    for (const b of first.batches) await b.settle?.();
    expect(dropped()).toEqual(['loket.csv']); // changed since it was read: read again

    const again = await walk(a);
    const before = first.records.map((r) => r.externalId);
    const after = again.records.map((r) => r.externalId);
    expect(after).toHaveLength(4);
    expect(after).toEqual(expect.arrayContaining(before)); // the ledger finds these unchanged
    expect(after.filter((k) => !before.includes(k))).toHaveLength(2); // only Banjir and Sampah are new
    expect(dropped()).toEqual([]);
  });

  it('a corrected copy dropped later — another name, as XLSX, columns reordered, spaces and NFD text — gives every unchanged row its key again', async () => {
    fs.writeFileSync(path.join(folder, 'senin.csv'), 'judul,isi,kecamatan\nJalan rusak,Di Desa Cikédal,Labuan\nLampu mati,Sejak Senin,Menes\nSampah,Menumpuk,Saketi\n');
    const first = await walk(adapter());
    expect(dropped()).toEqual([]);

    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('Aduan');
    ws.addRow(['kecamatan', 'isi', 'judul', 'catatan']); // reordered, and a column nobody filled in
    ws.addRow(['Labuan', 'Di Desa Cike\u0301dal', ' Jalan rusak ']); // é typed as e + combining accent, stray spaces
    ws.addRow(['Menes', 'Sejak Selasa', 'Lampu mati']); // corrected: a different complaint text
    ws.addRow(['Saketi', 'Menumpuk', 'Sampah']);
    await wb.xlsx.writeFile(path.join(folder, 'senin-koreksi.xlsx'));
    const second = await walk(adapter());
    const keys = (w: typeof first) => w.records.map((r) => r.externalId);
    expect(keys(second)[0]).toBe(keys(first)[0]);
    expect(keys(second)[2]).toBe(keys(first)[2]);
    expect(keys(second)[1]).not.toBe(keys(first)[1]); // an edited row is a new row without key_column
  });

  it('identical rows are told apart by their occurrence, in whatever order the rows come', async () => {
    fs.writeFileSync(path.join(folder, 'a.csv'), 'judul,isi\nSampah,Menumpuk\nBanjir,Tinggi\nSampah,Menumpuk\n');
    const a = (await readUnsettled(adapter())).records.map((r) => r.externalId);
    const [h] = (a[0] ?? '').split(':').slice(1, 2);
    expect(a).toEqual([`row:${h}:1`, expect.stringMatching(/^row:[0-9a-f]{16}:1$/), `row:${h}:2`]);
    fs.rmSync(path.join(folder, 'a.csv'));
    fs.writeFileSync(path.join(folder, 'b.csv'), 'judul,isi\nBanjir,Tinggi\n\nSampah,Menumpuk\nSampah,Menumpuk\n');
    const b = (await readUnsettled(adapter())).records.map((r) => r.externalId);
    expect([...b].sort()).toEqual([...a].sort());
  });
});

describe('file-drop: files that would exhaust memory', () => {
  /** A workbook whose rows each also have one stray value in column XFD (16,384), as a hostile or broken export can. */
  async function farRightXlsx(file: string, rows: number, headerToo = false): Promise<void> {
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('Aduan');
    ws.addRow(['id', 'isi']);
    if (headerToo) ws.getRow(1).getCell(16_384).value = 'x';
    for (let i = 1; i <= rows; i++) {
      const row = ws.getRow(i + 1);
      row.getCell(1).value = `A-${i}`;
      row.getCell(2).value = 'isi';
      row.getCell(16_384).value = 'x';
    }
    await wb.xlsx.writeFile(file);
  }

  it('XLSX: a value in column XFD does not make the reader fill every column up to it; the row is quarantined as "more cells than the header"', async () => {
    const file = path.join(folder, 'lebar.xlsx');
    await farRightXlsx(file, 20);
    const sheet = await readSheet('lebar.xlsx', fs.readFileSync(file), fileDropConfigSchema.parse({ type: 'file-drop', folder }));
    expect(sheet.rows).toHaveLength(20);
    expect(sheet.rows.every((r) => r.cells.length === 2 && r.width === 16_384)).toBe(true); // not 16,384 cells each

    const { records } = await walk(adapter({ key_column: 'id' }));
    expect(records).toHaveLength(20);
    expect(records[0]?.problem).toBe('lebar.xlsx row 1: the row has more cells than the header: a value in column XFD, the header has 2 columns (a stray cell?)');
    expect(records.every((r) => r.problem && /^row:[0-9a-f]{16}:1$/.test(r.externalId))).toBe(true);
    const report = readReport('20240301-083000-lebar.xlsx.errors.csv');
    expect(Object.keys(report.rows[0] ?? {})).toEqual(['row', 'key', 'reason', 'id', 'isi']); // the report is as wide as the header
  });

  it('XLSX: a header reaching column XFD is refused as a whole', async () => {
    await farRightXlsx(path.join(folder, 'kepala.xlsx'), 2, true);
    const { records } = await walk(adapter());
    expect(records.map((r) => r.problem)).toEqual([expect.stringMatching(/^kepala\.xlsx: the header row has 16,384 columns \(up to column XFD\), more than 1,000/)]);
  });

  it('CSV: parsing stops at the first row over max_rows (what follows is never parsed)', async () => {
    // the unclosed quote at the end would make a parse of the whole file fail
    fs.writeFileSync(path.join(folder, 'banyak.csv'), 'id,isi\n1,a\n2,b\n3,c\n4,"tidak ditutup\n');
    const { records } = await walk(adapter({ key_column: 'id', max_rows: 2 }));
    expect(records.map((r) => r.problem)).toEqual(['banyak.csv: the file has more than max_rows 2 data rows: split it into smaller files']);
  });

  it('CSV: max_rows counts data rows, not lines (blank lines and line breaks inside quoted cells are not rows)', async () => {
    fs.writeFileSync(path.join(folder, 'a.csv'), 'id,isi\n\n1,"baris satu\nbaris dua\nbaris tiga"\n\n\n2,b\n\n');
    const { records } = await walk(adapter({ key_column: 'id', max_rows: 2 }));
    expect(records.map((r) => [r.externalId, rawOf(r)._row, r.problem])).toEqual([
      ['1', 2, undefined],
      ['2', 5, undefined],
    ]);
  });

  it('a file that brought the bridge down while it was being parsed is quarantined on restart, not parsed again; dropped again, it is read', async () => {
    const text = 'id,isi\n1,satu\n2,dua\n';
    fs.writeFileSync(path.join(folder, 'besar.csv'), text);
    let started!: () => void;
    const parsing = new Promise<void>((resolve) => (started = resolve));
    // the process dies inside the parser (out of memory): it never returns
    const dying = adapter({ key_column: 'id' }, { readSheet: () => (started(), new Promise<never>(() => undefined)) });
    const reading = readUnsettled(dying).then(() => {
      throw new Error('the read finished: the parser was never called');
    });
    await Promise.race([parsing, reading]);

    clock += 60_000; // restarted by systemd a minute later
    const after = await walk(adapter({ key_column: 'id' }));
    expect(after.records).toHaveLength(1);
    expect(after.records[0]?.externalId).toMatch(/^[0-9a-f]{16}:file$/);
    expect(after.records[0]?.problem).toContain(`besar.csv: ${READING_CRASH_REASON}`);
    expect(dropped()).toEqual([]);
    expect(archived()).toEqual(['20240301-083100-besar.csv', '20240301-083100-besar.csv.errors.csv']); // no index: neither processed nor being read
    expect(readReport('20240301-083100-besar.csv.errors.csv').rows[0]?.reason).toContain(READING_CRASH_REASON);

    // say it was a power cut, not the file: dropped again, it is read like any other
    fs.writeFileSync(path.join(folder, 'besar.csv'), text);
    expect((await walk(adapter({ key_column: 'id' }))).records.map((r) => [r.externalId, r.problem])).toEqual([
      ['1', undefined],
      ['2', undefined],
    ]);
  });

  it('a parser that fails unexpectedly quarantines the file instead of failing every run', async () => {
    fs.writeFileSync(path.join(folder, 'aneh.csv'), 'id,isi\n1,satu\n');
    const { records } = await walk(adapter({}, { readSheet: () => Promise.reject(new RangeError('Invalid array length')) }));
    expect(records.map((r) => r.problem)).toEqual(['aneh.csv: the file cannot be read (Invalid array length)']);
    expect(dropped()).toEqual([]);
  });
});

describe('file-drop: a file refused as a whole can be dropped again', () => {
  async function xlsxBytes(sheet: string): Promise<Buffer> {
    const wb = new ExcelJS.Workbook();
    wb.addWorksheet(sheet).addRows([
      ['nomor', 'isi'],
      ['1', 'satu'],
      ['2', 'dua'],
    ]);
    return Buffer.from(await wb.xlsx.writeBuffer());
  }

  it.each([
    ['the key column missing from the header', 'a.csv', async () => Buffer.from('nomor,isi\n1,satu\n2,dua\n'), { key_column: 'no' }, { key_column: 'nomor' }],
    ['a wrong sheet name', 'a.xlsx', async () => xlsxBytes('Aduan'), { key_column: 'nomor', xlsx: { sheet: 'Pengaduan' } }, { key_column: 'nomor', xlsx: { sheet: 'Aduan' } }],
    ['max_rows', 'a.csv', async () => Buffer.from('nomor,isi\n1,satu\n2,dua\n'), { key_column: 'nomor', max_rows: 1 }, { key_column: 'nomor', max_rows: 10 }],
    ['the encoding', 'a.csv', async () => iconv.encode('nomor,isi\n1,satu\n2,dué\n', 'windows-1252'), { key_column: 'nomor', encoding: 'utf-8' }, { key_column: 'nomor', encoding: 'auto' }],
  ])('refused for %s, archived but not indexed: after the config fix the same file is read', async (_what, name, bytes, wrong, right) => {
    const content = await bytes();
    fs.writeFileSync(path.join(folder, name), content);
    const refused = await walk(adapter(wrong));
    expect(refused.records.map((r) => r.externalId)).toEqual([expect.stringMatching(/^[0-9a-f]{16}:file$/)]);
    expect(dropped()).toEqual([]);
    expect(archived()).toEqual(expect.arrayContaining([`20240301-083000-${name}`, `20240301-083000-${name}.errors.csv`]));

    clock += 3_600_000; // the operator fixes the source config and drops the file again
    fs.writeFileSync(path.join(folder, name), content);
    const read = await walk(adapter(right));
    expect(read.records.map((r) => [r.externalId, r.problem])).toEqual([
      ['1', undefined],
      ['2', undefined],
    ]);
    expect(archived()).toContain(`20240301-093000-${name}`); // archived as read, not as a duplicate
  });

  it('an index entry an older version wrote for a refused file does not make it a duplicate', async () => {
    const text = 'nomor,isi\n1,satu\n';
    fs.writeFileSync(path.join(folder, 'a.csv'), text);
    await walk(adapter({ key_column: 'no' })); // refused and archived
    const index = path.join(archiveDir, INDEX_NAME);
    const hash = (await import('node:crypto')).createHash('sha256').update(text).digest('hex');
    fs.writeFileSync(index, JSON.stringify({ version: 1, files: { [hash]: { name: 'a.csv', archived_as: '20240301-083000-a.csv', processed_at: '2024-03-01T01:30:00.000Z', rows: 0, bad_rows: 1 } } }));
    fs.writeFileSync(path.join(folder, 'a.csv'), text);
    expect((await walk(adapter({ key_column: 'nomor' }))).records.map((r) => r.externalId)).toEqual(['1']);
  });
});

describe('file-drop: keys', () => {
  it('a key_column value with a line break, tab or other control character is a row problem, not a key', async () => {
    fs.writeFileSync(path.join(folder, 'a.csv'), 'id,isi\n"LKT-01\nLKT-02",satu\n"LKT-03\t",dua\nLKT-04\u0007,tiga\nLKT-05,lima\n');
    const { records } = await walk(adapter({ key_column: 'id' }));
    expect(records.map((r) => [r.externalId, r.problem])).toEqual([
      [expect.stringMatching(/^row:/), 'a.csv row 1: the key contains control characters ("LKT-01\\nLKT-02" in column "id"; a line break or tab inside the id?): type it on one line'],
      ['LKT-03', undefined], // a tab at the end is trimmed like a space
      [expect.stringMatching(/^row:/), expect.stringContaining('the key contains control characters ("LKT-04\\u0007"')],
      ['LKT-05', undefined],
    ]);
  });
});

describe('file-drop: size_stable and the clock', () => {
  it('a wait that ends a millisecond short by the adapter clock (a timer firing early) still counts as the wait', async () => {
    fs.writeFileSync(path.join(folder, 'a.csv'), 'id,isi\n1,satu\n');
    const a = adapter({ stable_for: '1s', key_column: 'id' }, { sleep: async (ms) => void (clock += ms - 1) });
    expect((await walk(a)).records.map((r) => r.externalId)).toEqual(['1']);
  });
});

describe('file-drop: check() and errors', () => {
  it('check() is ok on a readable, writable folder and says how many files wait', async () => {
    fs.writeFileSync(path.join(folder, 'a.csv'), 'id\n1\n');
    const r = await adapter().check();
    expect(r.ok).toBe(true);
    expect(r.message).toContain(folder);
    expect(r.message).toContain('1 file waiting');
  });

  it('check() names the folder that is missing, or the archive that cannot be created', async () => {
    const missing = path.join(dir, 'tidak-ada');
    const r = await adapter({ folder: missing }).check();
    expect(r).toEqual({ ok: false, message: expect.stringContaining(`drop folder ${missing} does not exist`) });
    fs.writeFileSync(path.join(dir, 'a-file'), '');
    const bad = await adapter({ archive_folder: path.join(dir, 'a-file', 'archive') }).check();
    expect(bad.ok).toBe(false);
    expect(bad.message).toContain('archive folder');
  });

  it('reading a folder that is not there fails the run as retriable (a share not mounted), naming it', async () => {
    const a = adapter({ folder: path.join(dir, 'tidak-ada') });
    await expect(walk(a)).rejects.toThrow(AdapterError);
    await expect(walk(a)).rejects.toThrow(/\[loket\] drop folder .*tidak-ada does not exist/);
  });
});
