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
    for (const r of bebeja.records()) {
      if (r.pelapor.nama) expect(text).not.toContain(r.pelapor.nama);
      if (r.pelapor.nik) expect(text).not.toContain(r.pelapor.nik);
    }
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
    expect(wb.worksheets.map((w) => w.name)).toEqual(['records', 'attempts', 'events']);
    const records = wb.getWorksheet('records');
    expect(records?.rowCount).toBe(1 + bebeja.records().length);
    expect(records?.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 });
    expect(records?.getRow(1).getCell(1).value).toBe('ref');
    expect((wb.getWorksheet('attempts')?.rowCount ?? 0)).toBeGreaterThan(1);
  });
});
