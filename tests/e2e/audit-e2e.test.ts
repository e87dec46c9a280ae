/**
 * The auditor's commands against a real ledger after a real sync: verify (with anchor and
 * tampering), export as CSV, JSON lines and XLSX, and personal data only on request, logged.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import Database from 'better-sqlite3';
import ExcelJS from 'exceljs';
import { openBridge } from '../../src/bridge.js';
import { loadSettingsOrThrow } from '../../src/settings/load-settings.js';
import { BebejaSimulator } from '../../src/simulators/bebeja-simulator.js';
import { LaporSimulator } from '../../src/simulators/lapor-simulator.js';
import { sandboxEnv } from '../../src/simulators/sandbox-env.js';
import { runSyncCycle } from '../../src/sync/sync-cycle.js';
import { silentLogger } from '../../src/util/logger.js';
import { runCli } from '../helpers/capture.js';
import { copyShippedConfig, tempDir } from '../helpers/workdir.js';

let dir: string;
let configFile: string;
let ledgerPath: string;
let bebeja: BebejaSimulator;
let lapor: LaporSimulator;
const cli = (...args: string[]) => runCli('--config', configFile, ...args);

beforeAll(async () => {
  dir = tempDir('sp4n-audit-');
  configFile = copyShippedConfig(dir);
  bebeja = new BebejaSimulator({ seed: 'demo' });
  lapor = new LaporSimulator();
  await bebeja.start();
  await lapor.start();
  Object.assign(process.env, sandboxEnv(bebeja, lapor, 'audit-pii-key'));
  const config = loadSettingsOrThrow(configFile);
  ledgerPath = config.ledgerPath;
  const b = await openBridge(config, { logger: silentLogger() });
  try {
    await runSyncCycle(b);
  } finally {
    await b.close();
  }
});

afterAll(async () => {
  await bebeja.stop();
  await lapor.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('ledger verify', () => {
  it('verifies a real ledger and prints an anchor that a later verify checks', async () => {
    const r = await cli('ledger', 'verify', '--anchor');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('✓ the event chain is complete and unchanged');
    const anchor = /anchor: ([0-9a-f]{64})/.exec(r.stdout)?.[1] as string;
    expect(anchor).toBeDefined();
    expect((await cli('ledger', 'verify', '--expect', anchor)).code).toBe(0);
    expect((await cli('ledger', 'verify', '--expect', 'zz')).code).toBe(2);
  });

  it('fails, naming the event, when the log was edited behind its back', async () => {
    const copy = path.join(dir, 'tampered.sqlite');
    const src = new Database(ledgerPath);
    await src.backup(copy);
    src.close();
    const db = new Database(copy);
    db.exec("DROP TRIGGER events_no_update; UPDATE events SET reason = 'edited later' WHERE id = 5");
    db.close();
    const r = await cli('--json', 'ledger', 'verify', '--ledger', copy);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout).chain_break).toMatchObject({ kind: 'edited', event_id: 5 });
  });
});

describe('ledger report and backup', () => {
  it('counts by source and category agree with the ledger, for a month and all time', async () => {
    const r = await cli('--json', 'ledger', 'report');
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as { totals: Record<string, number>; groups: { category: string; received: number }[]; seen_to_delivery: { count: number; median_hours: number } };
    expect(report.totals.received).toBe(bebeja.records().length);
    expect(report.totals.delivered).toBe(lapor.complaints().length);
    expect(report.groups.reduce((a, g) => a + g.received, 0)).toBe(report.totals.received);
    expect(report.seen_to_delivery.count).toBe(report.totals.delivered);
    // the demo seed's complaints were received in 2024; a month far away has none
    const empty = JSON.parse((await cli('--json', 'ledger', 'report', '--period', '2019-01')).stdout) as { totals: { received: number } };
    expect(empty.totals.received).toBe(0);
    expect((await cli('ledger', 'report', '--period', '2024-13')).code).toBe(2);
    const csv = await cli('ledger', 'report', '--format', 'csv');
    expect(csv.stdout.startsWith('\uFEFFsource,category,received')).toBe(true);
  });

  it('purge-personal removes reporter data from settled records and the ledger still verifies', async () => {
    const copy = path.join(dir, 'purge.sqlite');
    expect((await cli('ledger', 'backup', copy)).code).toBe(0);
    const db = new Database(copy);
    db.prepare("UPDATE record_versions SET created_at = '2020-01-01T00:00:00Z'").run();
    db.prepare("UPDATE records SET updated_at = '2020-01-01T00:00:00Z'").run();
    db.close();
    expect((await cli('ledger', 'purge-personal', '--ledger', copy, '--older-than', '30')).code).toBe(2);
    const r = await cli('ledger', 'purge-personal', '--ledger', copy, '--older-than', '30', '--reason', 'retention policy: 30 days');
    expect(r.code).toBe(0);
    const check = new Database(copy, { readonly: true });
    const left = check.prepare("SELECT count(*) AS n FROM record_versions WHERE json_extract(canonical_json, '$.reporter') IS NOT NULL").get() as { n: number };
    check.close();
    expect(left.n).toBe(0);
    expect((await cli('ledger', 'verify', '--ledger', copy)).code).toBe(0);
  });

  it('backup writes a verified copy', async () => {
    const out = path.join(dir, 'backup.sqlite');
    const r = await cli('ledger', 'backup', out);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/chain verified/);
    expect(fs.statSync(out).mode & 0o077).toBe(0);
    expect((await cli('ledger', 'backup', out)).code).toBe(2);
  });
});

describe('ledger export', () => {
  it('CSV: UTF-8 with BOM, one row per record, no personal data', async () => {
    const out = path.join(dir, 'records.csv');
    expect((await cli('ledger', 'export', '--out', out)).code).toBe(0);
    const text = fs.readFileSync(out, 'utf8');
    expect(text.charCodeAt(0)).toBe(0xfeff);
    const lines = text.trim().split('\n');
    expect(lines[0]).toMatch(/^ref,source,external_id,ticket,state,lapor_id/); // (trim() drops the BOM)
    expect(lines).toHaveLength(1 + bebeja.records().length);
    expect(lines[0]).not.toMatch(/reporter/);
    const title = bebeja.records().find((r) => r.judul && /^[\p{L}\p{N} ,.-]+$/u.test(r.judul))?.judul as string;
    expect(title).toBeDefined();
    expect(text).toContain(title.trim()); // Indonesian text intact
    for (const r of bebeja.records()) {
      if (r.pelapor.nama) expect(text).not.toContain(r.pelapor.nama);
      if (r.pelapor.nik) expect(text).not.toContain(r.pelapor.nik);
    }
  });

  it('period bounds compare instants: 20:00 WIB on 31 March belongs to March, not April', async () => {
    const copy = path.join(dir, 'period.sqlite');
    expect((await cli('ledger', 'backup', copy)).code).toBe(0);
    const db = new Database(copy);
    db.prepare("UPDATE records SET received_at = '2024-03-31T20:00:00+07:00' WHERE external_id = '1'").run();
    db.close();
    const march = await cli('ledger', 'export', '--ledger', copy, '--format', 'jsonl', '--from', '2024-03-01', '--to', '2024-04-01');
    const april = await cli('ledger', 'export', '--ledger', copy, '--format', 'jsonl', '--from', '2024-04-01', '--to', '2024-05-01');
    const refs = (out: string) => out.trim().split('\n').filter(Boolean).map((l) => (JSON.parse(l) as { ref: string }).ref);
    expect(refs(march.stdout)).toContain('bebeja/1');
    expect(refs(april.stdout)).not.toContain('bebeja/1');
  });

  it('a title that looks like a formula is exported as text', async () => {
    expect((await import('../../src/cli/commands/ledger-export.js')).csvCell('=HYPERLINK("http://x")')).toBe('\'=HYPERLINK("http://x")');
  });

  it('filters by state and writes JSON lines to stdout', async () => {
    const r = await cli('ledger', 'export', '--format', 'jsonl', '--state', 'quarantined');
    const rows = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { state: string; quarantine_reason: string });
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.every((x) => x.state === 'quarantined' && x.quarantine_reason)).toBe(true);
  });

  it('personal data only with --include-personal and a reason, and that export is itself recorded', async () => {
    expect((await cli('ledger', 'export', '--include-personal')).code).toBe(2);
    const out = path.join(dir, 'personal.csv');
    expect((await cli('ledger', 'export', '--include-personal', '--reason', 'Ombudsman request 12/2026', '--out', out)).code).toBe(0);
    expect(fs.readFileSync(out, 'utf8').split('\n')[0]).toMatch(/reporter_name,reporter_phone,reporter_email/);
    const db = new Database(ledgerPath, { readonly: true });
    const ev = db.prepare("SELECT actor, reason FROM events WHERE type = 'export_with_personal_data'").all();
    db.close();
    expect(ev).toEqual([{ actor: os.userInfo().username, reason: 'Ombudsman request 12/2026' }]);
  });

  it('XLSX: one sheet per table with a frozen header row', async () => {
    const out = path.join(dir, 'ledger.xlsx');
    expect((await cli('ledger', 'export', '--format', 'xlsx', '--out', out)).code).toBe(0);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(out);
    expect(wb.worksheets.map((w) => w.name)).toEqual(['records', 'attempts', 'events', 'statuses', 'write_backs']);
    const records = wb.getWorksheet('records');
    expect(records?.rowCount).toBe(1 + bebeja.records().length);
    expect(records?.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 });
    expect(records?.getRow(1).getCell(1).value).toBe('ref');
    expect((wb.getWorksheet('attempts')?.rowCount ?? 0)).toBeGreaterThan(1);
  });
});
