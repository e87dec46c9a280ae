/**
 * End to end, simulator → simulator, through the shipped configuration and the real CLI parts:
 * real HTTP servers on 127.0.0.1, a real SQLite ledger file.
 */
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import Database from 'better-sqlite3';
import { openBridge, type Bridge } from '../../src/bridge.js';
import { loadSettingsOrThrow } from '../../src/settings/load-settings.js';
import { BebejaSimulator, DEMO_SEED_EXPECTATIONS } from '../../src/simulators/bebeja-simulator.js';
import { LaporSimulator } from '../../src/simulators/lapor-simulator.js';
import { sandboxEnv } from '../../src/simulators/sandbox-env.js';
import { runSyncCycle, type SyncSummary } from '../../src/sync/sync-cycle.js';
import { silentLogger } from '../../src/util/logger.js';
import { runCli } from '../helpers/capture.js';
import { copyShippedConfig, tempDir } from '../helpers/workdir.js';

let dir: string;
let configFile: string;
let bebeja: BebejaSimulator;
let lapor: LaporSimulator;

async function withBridge<T>(fn: (b: Bridge) => Promise<T>): Promise<T> {
  const bridge = await openBridge(loadSettingsOrThrow(configFile), { logger: silentLogger() });
  try {
    return await fn(bridge);
  } finally {
    await bridge.close();
  }
}

const sync = () => withBridge((b) => runSyncCycle(b));

function states(): Record<string, number> {
  return withLedgerSql<{ state: string; n: number }>('SELECT state, count(*) AS n FROM records GROUP BY state').reduce<Record<string, number>>((acc, r) => ({ ...acc, [r.state]: r.n }), {});
}

let ledgerPath: string;
function withLedgerSql<T>(sql: string, ...params: unknown[]): T[] {
  // a second, independent connection: what an auditor with sqlite3 would see
  const db = new Database(ledgerPath, { readonly: true });
  try {
    return db.prepare(sql).all(...params) as T[];
  } finally {
    db.close();
  }
}
let first: SyncSummary;

beforeAll(async () => {
  dir = tempDir('sp4n-e2e-');
  configFile = copyShippedConfig(dir);
  bebeja = new BebejaSimulator({ seed: 'demo' });
  lapor = new LaporSimulator();
  await bebeja.start();
  await lapor.start();
  Object.assign(process.env, sandboxEnv(bebeja, lapor, 'e2e-pii-key'));
  ledgerPath = loadSettingsOrThrow(configFile).ledgerPath;
  first = await sync();
});

afterAll(async () => {
  await bebeja?.stop();
  await lapor?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('first sync', () => {
  it('delivers every valid seeded complaint and quarantines the invalid ones, and the ledger agrees with LAPOR!', () => {
    const seeded = bebeja.records().length;
    const quarantined = DEMO_SEED_EXPECTATIONS.quarantined.map(String).sort();
    expect(first.sources[0]).toMatchObject({ source: 'bebeja', ok: true, pulled: seeded, new: seeded - quarantined.length, quarantined: quarantined.length });
    expect(first.sources[0]?.quarantine_reasons?.map((q) => q.external_id).sort()).toEqual(quarantined);
    expect(first.delivery?.delivered).toBe(seeded - quarantined.length);
    expect(states()).toEqual({ delivered: seeded - quarantined.length, quarantined: quarantined.length });
    expect(lapor.complaints()).toHaveLength(seeded - quarantined.length);
    // every LAPOR! complaint carries its source reference, and its id is in the ledger
    const ids = withLedgerSql<{ lapor_id: string; external_id: string }>("SELECT lapor_id, external_id FROM records WHERE state = 'delivered'");
    for (const c of lapor.complaints()) {
      const row = ids.find((r) => r.lapor_id === String(c.id));
      expect(row).toBeDefined();
      expect(String(c.body.content).split('\n').pop()).toBe(`Ref: bebeja/${row?.external_id}`);
      expect(String(c.body.tags_raw)).toContain('#bebeja');
    }
  });

  it('quarantines a record with neither title nor content, with the reason', () => {
    const rows = withLedgerSql<{ external_id: string; quarantine_reason: string }>("SELECT external_id, quarantine_reason FROM records WHERE state = 'quarantined'");
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.some((r) => /content: the record has neither title nor content/.test(r.quarantine_reason))).toBe(true);
  });

  it('delivers a record with an unparseable date or a 20-digit NIK, with warnings in the ledger', () => {
    const warnings = withLedgerSql<{ warnings_json: string }>('SELECT warnings_json FROM record_versions').flatMap((r) => JSON.parse(r.warnings_json) as { field: string; message: string }[]);
    expect(warnings).toEqual(expect.arrayContaining([expect.objectContaining({ field: 'source.received_at' }), expect.objectContaining({ field: 'reporter.nik', message: expect.stringContaining('16 digits') })]));
    const total = withLedgerSql<{ n: number }>('SELECT sum(warning_count) AS n FROM records')[0]?.n ?? 0;
    expect(total).toBeGreaterThanOrEqual(warnings.length);
  });

  it('never sends or stores the identity of an anonymous reporter, and never stores a NIK in clear', () => {
    const anonymous = bebeja.records().filter((r) => r.anonim === '1');
    expect(anonymous.length).toBeGreaterThan(0);
    for (const r of anonymous) {
      const sent = lapor.complaints().find((c) => String(c.body.content).endsWith(`Ref: bebeja/${r.id}`));
      expect(sent?.body.is_anonymous).toBe(true);
      const stored = withLedgerSql<{ canonical_json: string }>('SELECT v.canonical_json FROM record_versions v JOIN records r ON r.id = v.record_id WHERE r.external_id = ?', String(r.id));
      for (const s of stored) expect(JSON.parse(s.canonical_json).reporter).toBeUndefined();
    }
    const bytes = fs.readFileSync(ledgerPath).toString('latin1') + (fs.existsSync(`${ledgerPath}-wal`) ? fs.readFileSync(`${ledgerPath}-wal`).toString('latin1') : '');
    for (const r of bebeja.records()) {
      if (r.pelapor?.nik) expect(bytes).not.toContain(String(r.pelapor.nik));
    }
    const everything = JSON.stringify(lapor.complaints());
    for (const r of anonymous) if (r.pelapor?.nama) expect(everything).not.toContain(r.pelapor.nama);
  });
});

describe('second sync and changes', () => {
  it('sends nothing when nothing changed', async () => {
    const before = lapor.complaints().length;
    const second = await sync();
    expect(second.sources[0]).toMatchObject({ ok: true, new: 0, changed: 0 });
    expect(second.sources[0]?.unchanged).toBe(second.sources[0]?.pulled);
    expect(second.delivery?.delivered).toBe(0);
    expect(lapor.complaints()).toHaveLength(before);
  });

  it('a status echoed back by write-back changes nothing that is sent: no API call', async () => {
    const target = bebeja.records().find((r) => r.anonim === '0' && r.isi);
    bebeja.edit(target?.id as number, { status: 'diproses' });
    const before = lapor.complaints().length;
    const s = await sync();
    expect(s.sources[0]).toMatchObject({ new: 0, changed: 0 });
    expect(lapor.complaints()).toHaveLength(before);
  });

  it('an edited complaint is treated as changed — exactly that one — and is not sent as a new complaint', async () => {
    const delivered = withLedgerSql<{ external_id: string; lapor_id: string }>("SELECT external_id, lapor_id FROM records WHERE state = 'delivered' ORDER BY id LIMIT 1")[0];
    expect(delivered).toBeDefined();
    const id = Number(delivered?.external_id);
    const before = lapor.complaints().length;
    bebeja.edit(id, { isi: 'Isi pengaduan diperbarui oleh pelapor: jalan makin parah setelah hujan.' });
    const s = await sync();
    expect(s.sources[0]).toMatchObject({ ok: true, new: 0, changed: 1 });
    expect(s.delivery?.delivered).toBe(0);
    expect(lapor.complaints()).toHaveLength(before);
    const row = withLedgerSql<{ version: number; lapor_id: string; sent_version: number }>("SELECT version, lapor_id, sent_version FROM records WHERE source_id = 'bebeja' AND external_id = ?", String(id))[0];
    expect(row).toEqual({ version: 2, lapor_id: delivered?.lapor_id, sent_version: 1 });
    const events = withLedgerSql<{ type: string }>("SELECT e.type FROM events e JOIN records r ON r.id = e.record_id WHERE r.external_id = ? ORDER BY e.id", String(id)).map((e) => e.type);
    expect(events).toEqual(expect.arrayContaining(['received', 'send_intent', 'delivered', 'changed_after_delivery', 'update_recorded']));
  });

  it('sync --dry-run maps and compares but writes nothing to the ledger and sends nothing', async () => {
    bebeja.edit(2, { isi: 'Perubahan yang hanya dipratinjau.' });
    const count = () => withLedgerSql<{ e: number; r: number; v: number }>('SELECT (SELECT count(*) FROM events) AS e, (SELECT count(*) FROM runs) AS r, (SELECT count(*) FROM record_versions) AS v')[0];
    const before = count();
    const sent = lapor.complaints().length;
    const r = await runCli('--config', configFile, '--json', 'sync', '--dry-run');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).sources[0]).toMatchObject({ ok: true, changed: 1 });
    expect(count()).toEqual(before);
    expect(lapor.complaints()).toHaveLength(sent);
  });

  it('ledger status, list and show agree with the ledger', async () => {
    const status = await runCli('--config', configFile, '--json', 'ledger', 'status');
    expect(status.code).toBe(0);
    expect(JSON.parse(status.stdout).records).toEqual(states());
    const list = await runCli('--config', configFile, '--json', 'ledger', 'list', '--state', 'quarantined');
    expect((JSON.parse(list.stdout) as unknown[]).length).toBe(DEMO_SEED_EXPECTATIONS.quarantined.length);
    const show = await runCli('--config', configFile, 'ledger', 'show', 'bebeja/1');
    expect(show.code).toBe(0);
    expect(show.stdout).toContain('bebeja/1');
    expect(show.stdout).toMatch(/timeline:/);
    const missing = await runCli('--config', configFile, 'ledger', 'show', 'bebeja/does-not-exist');
    expect(missing.code).toBe(1);
  });
});
