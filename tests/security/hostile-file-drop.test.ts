/**
 * Issue #10, bounded input, file drop: hostile CSV and XLSX files — too many rows, a row of
 * megabytes (a quote never closed), an XLSX "zip bomb" that unpacks far beyond its size — are each
 * refused as a whole with a clear reason, moved to the archive with an errors report (the
 * adapter's normal handling of an unreadable file); a cell over max_cell_chars quarantines just
 * its row; a good file dropped beside them is read normally.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import ExcelJS from 'exceljs';
import { FileDropAdapter } from '../../src/adapters/file-drop/file-drop-adapter.js';
import { fileDropConfigSchema } from '../../src/adapters/file-drop/file-drop-config.js';
import { checkUnpackedSize, FileProblem } from '../../src/adapters/file-drop/file-drop-reader.js';
import { silentLogger } from '../../src/util/logger.js';
import { tempDir } from '../helpers/workdir.js';
import { walk } from '../adapters/adapter-suite.js';

let dir: string;
let folder: string;

beforeEach(() => {
  dir = tempDir('sp4n-hostile-drop-');
  folder = path.join(dir, 'drop');
  fs.mkdirSync(folder);
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

function adapter(over: Record<string, unknown> = {}): FileDropAdapter {
  const config = fileDropConfigSchema.parse({ type: 'file-drop', folder, stable_for: 0, key_column: 'no', ...over });
  return new FileDropAdapter(config, { sourceId: 'loket', logger: silentLogger(), now: () => new Date('2024-03-01T01:30:00Z') });
}

async function xlsx(rows: readonly (readonly string[])[]): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('aduan');
  for (const r of rows) ws.addRow([...r]);
  return Buffer.from(await wb.xlsx.writeBuffer());
}

const archived = () => fs.readdirSync(path.join(folder, 'archive')).sort();

describe('hostile files in the drop folder', () => {
  it('each hostile file is refused whole with its reason and archived with an errors report; the good file is read', async () => {
    const header = 'no,judul,isi\n';
    fs.writeFileSync(path.join(folder, 'banyak.csv'), header + Array.from({ length: 1000 }, (_, i) => `B-${i},judul,isi`).join('\n'));
    // an unclosed quote swallows the rest of the file into one row: 2 MB, streamed into the file
    const fd = fs.openSync(path.join(folder, 'kutip.csv'), 'w');
    fs.writeSync(fd, `${header}K-1,judul,"tidak ditutup `);
    const chunk = Buffer.alloc(64 * 1024, 'x');
    for (let i = 0; i < 32; i++) fs.writeSync(fd, chunk);
    fs.closeSync(fd);
    fs.writeFileSync(path.join(folder, 'banyak.xlsx'), await xlsx([['no', 'judul', 'isi'], ...Array.from({ length: 150 }, (_, i) => [`X-${i}`, 'judul', 'isi'])]));
    // a "zip bomb": 300 distinct cells of 30,000 characters each pack into a small file that unpacks to ~9 MB
    fs.writeFileSync(path.join(folder, 'bom.xlsx'), await xlsx([['no', 'judul', 'isi'], ...Array.from({ length: 300 }, (_, i) => [`Z-${i}`, 'judul', `${i}${'a'.repeat(30_000)}`])]));
    expect(fs.statSync(path.join(folder, 'bom.xlsx')).size).toBeLessThan(1024 * 1024);
    // one long cell: only its row is quarantined
    fs.writeFileSync(path.join(folder, 'sel.csv'), `${header}S-1,judul,${'y'.repeat(5000)}\nS-2,judul,isi biasa\n`);
    fs.writeFileSync(path.join(folder, 'baik.csv'), `${header}G-1,Jalan rusak,Jalan desa berlubang\nG-2,Lampu mati,Lampu jalan padam\n`);

    const { records } = await walk(adapter({ max_rows: 100, max_cell_chars: 4000, max_unpacked_bytes: '2MB' }));
    const problems = Object.fromEntries(records.filter((r) => r.externalId.endsWith(':file')).map((r) => [String(r.problem).split(':')[0], r.problem]));
    expect(problems).toEqual({
      'banyak.csv': 'banyak.csv: the file has more than max_rows 100 data rows: split it into smaller files',
      'banyak.xlsx': 'banyak.xlsx: the file has more than max_rows 100 data rows: split it into smaller files',
      'kutip.csv': expect.stringMatching(/^kutip\.csv: a row \(around line \d+\) is longer than max_row_chars 1,000,000 characters \(a quote never closed, or a cell far too long\): the file is not read$/),
      'bom.xlsx': 'bom.xlsx: the workbook unpacks to more than max_unpacked_bytes 2MB (an XLSX file is a ZIP archive): the file is not read; save it again from Excel, or split it',
    });
    // no row of a refused file was handed on
    const ids = records.filter((r) => !r.externalId.endsWith(':file')).map((r) => r.externalId).sort();
    expect(ids).toEqual(['G-1', 'G-2', 'S-1', 'S-2']);
    expect(records.find((r) => r.externalId === 'S-1')?.problem).toMatch(/column "isi" has 5,000 characters, more than max_cell_chars 4,000/);
    expect(records.filter((r) => ['G-1', 'G-2', 'S-2'].includes(r.externalId)).every((r) => r.problem === undefined)).toBe(true);

    // every file left the drop folder; each refused one has its errors report beside it
    expect(fs.readdirSync(folder).filter((f) => f !== 'archive')).toEqual([]);
    const names = archived();
    for (const f of ['banyak.csv', 'kutip.csv', 'banyak.xlsx', 'bom.xlsx']) {
      expect(names).toContain(`20240301-083000-${f}`);
      expect(names).toContain(`20240301-083000-${f}.errors.csv`);
    }
    expect(names).toContain('20240301-083000-baik.csv');
    expect(names).not.toContain('20240301-083000-baik.csv.errors.csv');
  });

  it('the unpacked size is measured by unpacking, not taken from what the archive declares', async () => {
    const bytes = await xlsx([['no', 'isi'], ...Array.from({ length: 50 }, (_, i) => [`Z-${i}`, `${i}${'b'.repeat(30_000)}`])]);
    await expect(checkUnpackedSize(bytes, 10 * 1024 * 1024)).resolves.toBeUndefined();
    // declared sizes set to 1 byte in every central directory entry: refused, never trusted
    const lying = Buffer.from(bytes);
    for (let i = 0; i + 4 <= lying.length; i++) if (lying.readUInt32LE(i) === 0x02014b50) lying.writeUInt32LE(1, i + 24);
    await expect(checkUnpackedSize(lying, 512 * 1024)).rejects.toThrow(FileProblem);
    await expect(checkUnpackedSize(lying, 512 * 1024)).rejects.toThrow(/unpacks to more than max_unpacked_bytes 512KB|cannot be unpacked \(.*size mismatch\)/);
  });

  it('a bomb with a wrong entry count or bytes before the archive is still measured (the check reads ZIPs as exceljs does)', async () => {
    const bytes = await xlsx([['no', 'isi'], ...Array.from({ length: 50 }, (_, i) => [`Z-${i}`, `${i}${'b'.repeat(30_000)}`])]);
    const eocd = bytes.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
    const noCount = Buffer.from(bytes);
    noCount.writeUInt16LE(0, eocd + 8);
    noCount.writeUInt16LE(0, eocd + 10);
    const prefixed = Buffer.concat([Buffer.from([0]), bytes]);
    for (const tricked of [noCount, prefixed]) {
      await expect(checkUnpackedSize(tricked, 512 * 1024)).rejects.toThrow(/unpacks to more than max_unpacked_bytes 512KB/);
    }
  });
});
