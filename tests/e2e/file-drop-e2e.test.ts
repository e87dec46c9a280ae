/**
 * The file-drop channel end to end, through the real pipeline (settings → intake → ledger →
 * delivery → LAPOR! simulator): staff at the *loket* drop a 10,000-row XLSX and a Windows-1252
 * `;` CSV with bad rows. Good rows are delivered exactly once over two runs (the second one also
 * sees the XLSX dropped again), bad rows are quarantined with reasons — the ones the adapter
 * found are listed in the CSV's errors report — and both files end up in the archive. Without
 * `key_column`, a corrected copy of a file dropped again sends only its new row.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { parse } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import iconv from 'iconv-lite';
import { openBridge, type Bridge } from '../../src/bridge.js';
import { loadSettingsOrThrow } from '../../src/settings/load-settings.js';
import { LaporSimulator } from '../../src/simulators/lapor-simulator.js';
import { runSyncCycle } from '../../src/sync/sync-cycle.js';
import { silentLogger } from '../../src/util/logger.js';
import { copyShippedConfig, tempDir, write } from '../helpers/workdir.js';

const XLSX_ROWS = 10_000;

const LOKET_YAML = `# Complaints taken at the walk-in desk (loket), typed up by staff into spreadsheets.
id: loket
description: Loket pengaduan tatap muka (Mal Pelayanan Publik)
schedule: "*/10 * * * *"

adapter:
  type: file-drop
  folder: \${LOKET_DROP_DIR}
  complete_when: size_stable
  stable_for: 1s
  key_column: no_register
  batch_size: 500

mapping:
  timezone: Asia/Jakarta
  fields:
    source.ticket: { path: no_register, transforms: [to_string, trim] }
    source.received_at: { path: tanggal, transforms: [parse_datetime], required: true }
    channel: { value: walk_in }
    classification: { value: pengaduan }
    title: { path: judul, transforms: [collapse_whitespace] }
    content: { path: isi, transforms: [collapse_whitespace] }
    location.region_code:
      path: kecamatan
      transforms: [{ lookup: { file: pandeglang-kecamatan.csv } }]
    location.address: { template: "{{alamat}}, {{kecamatan}}" }
    is_anonymous: { path: anonim, transforms: [to_bool], default: false, on_error: quarantine }
    is_secret: { path: rahasia, transforms: [to_bool], default: false, on_error: quarantine }
    reporter.name: { path: nama_pelapor, transforms: [trim] }
    reporter.phone: { path: no_hp, transforms: [to_string, phone_e164] }
`;

const HEADER = ['no_register', 'tanggal', 'nama_pelapor', 'no_hp', 'judul', 'isi', 'kecamatan', 'alamat', 'anonim', 'rahasia'];
const KECAMATAN = ['Labuan', 'Pandeglang', 'Cadasari', 'Menes', 'Saketi'];

let dir: string;
let ledgerDir: string | undefined;
let drop: string;
let configFile: string;
let lapor: LaporSimulator;
const open: Bridge[] = [];

async function bridge(): Promise<Bridge> {
  const b = await openBridge(loadSettingsOrThrow(configFile), { logger: silentLogger() });
  open.push(b);
  return b;
}

async function writeXlsx(file: string): Promise<void> {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('Pengaduan');
  ws.addRow(HEADER);
  for (let i = 1; i <= XLSX_ROWS; i++) {
    ws.addRow([
      `LKT-A-${String(i).padStart(5, '0')}`,
      new Date(Date.UTC(2024, 2, 1 + (i % 28), 8 + (i % 8), i % 60)), // a date cell: wall-clock WIB
      `Warga ${i}`,
      `0812${String(10_000_000 + i).slice(-8)}`,
      `Pengaduan loket nomor ${i}`,
      `Jalan di depan rumah nomor ${i} rusak dan berlubang sejak musim hujan.`,
      KECAMATAN[i % KECAMATAN.length],
      `Kp. Loket RT ${String(i % 20).padStart(2, '0')}`,
      i % 10 === 0 ? 'ya' : 'tidak',
      false,
    ]);
  }
  await wb.xlsx.writeFile(file);
}

/**
 * Typed at the desk in an older Excel: Windows-1252 and `;`. Three rows are bad: row 5 has its
 * cells shifted (the adapter finds it), rows 3 and 7 are refused by the mapping (no text at all;
 * a privacy flag that cannot be read must not be guessed).
 */
const CSV_ROWS = [
  HEADER.join(';'),
  'LKT-B-001;01/03/2024 09:15;Siti;081234567801;Pelayanan KTP lambat;Antrean e-KTP di kecamatan sampai sore, petugas bilang “blanko habis”;Labuan;Jl. Raya Labuan;tidak;tidak',
  'LKT-B-002;01/03/2024 10:00;José;081234567802;Café liar;Warung kopi di trotoar mengganggu pejalan kaki;Menes;Pasar Menes;ya;tidak',
  'LKT-B-003;01/03/2024 10:30;Budi;081234567803;;;Saketi;Desa Saketi;tidak;tidak',
  'LKT-B-004;01/03/2024 11:00;Ani;081234567804;Lampu jalan mati;Lampu PJU di tikungan mati seminggu;Cadasari;Kp. Cadasari;tidak;ya',
  'LKT-B-005;01/03/2024 11:30;Dedi;Kolom bergeser;sisanya hilang',
  'LKT-B-006;01/03/2024 12:00;Euis;081234567806;Sampah menumpuk;Sampah di pasar tidak diangkut tiga hari;Pandeglang;Pasar Badak;tidak;tidak',
  'LKT-B-007;01/03/2024 12:30;Asep;081234567807;Pungutan liar;Diminta uang tambahan saat mengurus KK;Labuan;Kp. Teluk;tidak;mungkin',
];
const CSV_GOOD = ['LKT-B-001', 'LKT-B-002', 'LKT-B-004', 'LKT-B-006'];

beforeEach(async () => {
  dir = tempDir('sp4n-filedrop-e2e-');
  configFile = copyShippedConfig(dir, { immediateReconcile: true });
  fs.rmSync(path.join(dir, 'config', 'sources', 'bebeja.yaml'));
  // Ten thousand deliveries are some 60,000 durable ledger commits. On a RAM disk they cost no
  // fsync: the code path is the same, only the machine's disk is left out of the test.
  if (fs.existsSync('/dev/shm')) {
    ledgerDir = fs.mkdtempSync('/dev/shm/sp4n-filedrop-e2e-');
    const text = fs.readFileSync(configFile, 'utf8');
    const edited = text.replace(/^( {2}path: ).*$/m, `$1${path.join(ledgerDir, 'ledger.sqlite')}`);
    if (edited === text) throw new Error('config/bridge.yaml has no ledger path to edit');
    fs.writeFileSync(configFile, edited);
  }
  write(path.join(dir, 'config', 'sources', 'loket.yaml'), LOKET_YAML);
  drop = path.join(dir, 'loket-drop');
  fs.mkdirSync(drop);
  lapor = new LaporSimulator();
  await lapor.start();
  Object.assign(process.env, {
    LAPOR_BASE_URL: lapor.url,
    LAPOR_TOKEN: lapor.bearerToken,
    LAPOR_APP_TOKEN: lapor.appToken,
    SP4N_PII_KEY: 'file-drop-e2e-pii-key',
    LOKET_DROP_DIR: drop,
  });
});

afterEach(async () => {
  for (const b of open.splice(0)) await b.close().catch(() => undefined);
  await lapor.stop();
  delete process.env.LOKET_DROP_DIR;
  fs.rmSync(dir, { recursive: true, force: true });
  if (ledgerDir) fs.rmSync(ledgerDir, { recursive: true, force: true });
  ledgerDir = undefined;
});

describe('file-drop end to end', () => {
  it('a 10,000-row XLSX and a CSV with bad rows: good rows delivered exactly once, bad rows listed with reasons, both files archived', async () => {
    await writeXlsx(path.join(drop, 'loket-maret.xlsx'));
    fs.writeFileSync(path.join(drop, 'loket-susulan.csv'), iconv.encode(`${CSV_ROWS.join('\r\n')}\r\n`, 'windows-1252'));
    const xlsxCopy = fs.readFileSync(path.join(drop, 'loket-maret.xlsx'));

    const b = await bridge();
    const first = await runSyncCycle(b);
    const intake = first.sources.find((s) => s.source === 'loket');
    expect(intake).toMatchObject({ ok: true, pulled: XLSX_ROWS + 7, new: XLSX_ROWS + 4, quarantined: 3 });
    expect(first.delivery).toMatchObject({ delivered: XLSX_ROWS + 4 });
    expect(first.states).toEqual({ delivered: XLSX_ROWS + 4, quarantined: 3 });

    // staff drop the March workbook again; the second run must not send anything twice
    fs.writeFileSync(path.join(drop, 'loket-maret (salinan).xlsx'), xlsxCopy);
    const second = await runSyncCycle(b);
    expect(second.sources.find((s) => s.source === 'loket')).toMatchObject({ ok: true, pulled: 0 });
    expect(second.delivery).toMatchObject({ delivered: 0 });
    expect(second.states).toEqual({ delivered: XLSX_ROWS + 4, quarantined: 3 });

    // exactly once at LAPOR!
    const refs = lapor.complaints().map((c) => String(c.body.content).split('\n').pop());
    expect(refs).toHaveLength(XLSX_ROWS + 4);
    expect(new Set(refs).size).toBe(XLSX_ROWS + 4);
    for (const id of [...CSV_GOOD, 'LKT-A-00001', 'LKT-A-10000']) expect(refs).toContain(`Ref: loket/${id}`);
    const cafe = lapor.complaints().find((c) => String(c.body.content).endsWith('Ref: loket/LKT-B-002'));
    expect(cafe?.body).toMatchObject({ title: 'Café liar' }); // Windows-1252 decoded
    expect(String(lapor.complaints().find((c) => String(c.body.content).endsWith('Ref: loket/LKT-B-001'))?.body.content)).toContain('“blanko habis”');

    // bad rows: quarantined in the ledger with their reasons (`sp4n-bridge ledger list --state quarantined`)...
    const reasons = Object.fromEntries(b.ledger.listRecords({ state: 'quarantined', sourceId: 'loket' }).map((r) => [r.external_id.replace(/^row:[0-9a-f]{16}:1$/, '<row content>'), r.quarantine_reason]));
    expect(reasons).toEqual({
      '<row content>': expect.stringMatching(/^loket-susulan\.csv row 5: the row has 5 cells, the header has 10 columns/),
      'LKT-B-003': expect.stringMatching(/neither title nor content/),
      'LKT-B-007': expect.stringMatching(/is_secret/),
    });

    // ...and the one the adapter found is in the errors report beside the archived CSV (the
    // mapping's refusals are the ledger's to report: the adapter never sees them)
    const archive = path.join(drop, 'archive');
    const names = fs.readdirSync(archive).sort();
    expect(fs.readdirSync(drop).sort()).toEqual(['archive']);
    expect(names).toHaveLength(5);
    expect(names).toEqual(
      expect.arrayContaining([
        '.processed.json',
        expect.stringMatching(/^\d{8}-\d{6}-loket-maret\.xlsx$/),
        expect.stringMatching(/^\d{8}-\d{6}-duplicate-loket-maret \(salinan\)\.xlsx$/),
        expect.stringMatching(/^\d{8}-\d{6}-loket-susulan\.csv$/),
        expect.stringMatching(/^\d{8}-\d{6}-loket-susulan\.csv\.errors\.csv$/),
      ]),
    );
    const reportName = names.find((n) => n.endsWith('.errors.csv')) as string;
    const report = parse(fs.readFileSync(path.join(archive, reportName)), { bom: true, columns: true, delimiter: ';' }) as Record<string, string>[];
    expect(report).toEqual([
      expect.objectContaining({ row: '5', key: expect.stringMatching(/^row:[0-9a-f]{16}:1$/), reason: expect.stringMatching(/the row has 5 cells, the header has 10 columns/), no_register: 'LKT-B-005', nama_pelapor: 'Dedi' }),
    ]);
    // the archived files are the dropped ones, byte for byte
    expect(fs.readFileSync(path.join(archive, names.find((n) => /\d-loket-maret\.xlsx$/.test(n)) as string)).equals(xlsxCopy)).toBe(true);
  }, 300_000);

  it('without key_column, a corrected copy of a file dropped again (a row added, saved again by Excel) sends only the new row', async () => {
    write(path.join(dir, 'config', 'sources', 'loket.yaml'), LOKET_YAML.replace(/^ {2}key_column: .*\n/m, ''));
    const good = [CSV_ROWS[1], CSV_ROWS[2], CSV_ROWS[4]] as string[];
    fs.writeFileSync(path.join(drop, 'loket-selasa.csv'), `${[HEADER.join(';'), ...good].join('\n')}\n`);
    const b = await bridge();
    const first = await runSyncCycle(b);
    expect(first.sources.find((s) => s.source === 'loket')).toMatchObject({ ok: true, pulled: 3, new: 3 });
    expect(first.delivery).toMatchObject({ delivered: 3 });

    // the desk adds a complaint it forgot and saves the file again (Excel: CRLF), under a new name
    const revised = [HEADER.join(';'), good[0], CSV_ROWS[6], good[1], good[2]].join('\r\n');
    fs.writeFileSync(path.join(drop, 'loket-selasa (revisi).csv'), `${revised}\r\n`);
    const second = await runSyncCycle(b);
    expect(second.sources.find((s) => s.source === 'loket')).toMatchObject({ ok: true, pulled: 4, new: 1, unchanged: 3 });
    expect(second.delivery).toMatchObject({ delivered: 1 });

    const titles = lapor.complaints().map((c) => c.body.title);
    expect(titles).toHaveLength(4);
    expect(new Set(titles).size).toBe(4);
    expect(titles).toContain('Sampah menumpuk');
    expect(fs.readdirSync(drop)).toEqual(['archive']);
  }, 60_000);
});
