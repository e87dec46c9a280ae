/**
 * Follow-through over eight simulated weeks (issue #7), with one injected clock shared by the
 * Bebeja simulator, the LAPOR! simulator (which moves complaints through their statuses on its
 * own: verified, disposed, followed up, closed — or left untouched) and the bridge. Real HTTP on
 * 127.0.0.1, a real ledger file, the shipped configuration.
 *
 * The period runs from Monday 17 March 2025 across Nyepi, Idul Fitri 2025 and its cuti bersama.
 */
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import Database from 'better-sqlite3';
import { openBridge, type Bridge } from '../../src/bridge.js';
import { followWithBridge } from '../../src/follow/follow-run.js';
import { loadSettingsOrThrow } from '../../src/settings/load-settings.js';
import { BebejaSimulator } from '../../src/simulators/bebeja-simulator.js';
import { LaporSimulator } from '../../src/simulators/lapor-simulator.js';
import { sandboxEnv } from '../../src/simulators/sandbox-env.js';
import { runSyncCycle } from '../../src/sync/sync-cycle.js';
import { silentLogger } from '../../src/util/logger.js';
import { runCli } from '../helpers/capture.js';
import { copyShippedConfig, tempDir } from '../helpers/workdir.js';

const HOUR = 3_600_000;
const START = Date.parse('2025-03-17T08:00:00+07:00');
const WEEKS = 8;
const STEP = 3 * HOUR;
let clock = START;
const now = () => new Date(clock);

let dir: string;
let ledgerPath: string;
let configFile: string;
let bebeja: BebejaSimulator;
let lapor: LaporSimulator;
let bridge: Bridge;
let statusReads = 0;
let steps = 0;

function sql<T>(query: string, ...params: unknown[]): T[] {
  const db = new Database(ledgerPath, { readonly: true });
  try {
    return db.prepare(query).all(...params) as T[];
  } finally {
    db.close();
  }
}

const TOPICS = [
  ['Jalan berlubang di depan sekolah', 'Jalan di depan SD negeri berlubang besar dan membahayakan anak-anak yang berangkat sekolah setiap pagi.'],
  ['Lampu penerangan jalan mati', 'Lampu penerangan jalan di ruas menuju pasar sudah mati dua minggu sehingga rawan kecelakaan pada malam hari.'],
  ['Sampah menumpuk di pinggir sungai', 'Sampah rumah tangga menumpuk di bantaran sungai dan menimbulkan bau serta genangan saat hujan.'],
  ['Air PDAM tidak mengalir', 'Air dari PDAM tidak mengalir ke rumah warga selama lima hari berturut-turut tanpa pemberitahuan.'],
] as const;

beforeAll(async () => {
  dir = tempDir('sp4n-follow-weeks-');
  configFile = copyShippedConfig(dir);
  bebeja = new BebejaSimulator({ seed: 'none', now });
  lapor = new LaporSimulator({ now, lifecycle: { seed: 11, unknownStatusRate: 0.3 } });
  await bebeja.start();
  await lapor.start();
  Object.assign(process.env, sandboxEnv(bebeja, lapor, 'weeks-pii-key'));
  ledgerPath = loadSettingsOrThrow(configFile).ledgerPath;
  bridge = await openBridge(loadSettingsOrThrow(configFile), { logger: silentLogger(), now });

  // citizens file complaints at 09:00 WIB on the first ten days; the bridge runs every 3 hours
  let filed = 0;
  for (let day = 0; clock < START + WEEKS * 7 * 24 * HOUR; clock += STEP, steps++) {
    const d = Math.floor((clock - START) / (24 * HOUR));
    if (d < 10 && d >= day && new Date(clock).getUTCHours() >= 2) {
      for (let i = 0; i < 3; i++, filed++) {
        const [judul, isi] = TOPICS[filed % TOPICS.length] as readonly [string, string];
        bebeja.add({ judul, isi, kecamatan: 'Labuan', desa: 'Caringin', kategori: 'Infrastruktur', anonim: '1' });
      }
      day = d + 1;
    }
    await runSyncCycle(bridge);
    await followWithBridge(bridge, { readerOptions: { retryMinMs: 0 } });
  }
  statusReads = lapor.requests().filter((r) => r.method === 'GET' && /\/complaints\/\d+\/complaint$/.test(r.path)).length;
}, 300_000);

afterAll(async () => {
  await bridge?.close();
  await bebeja?.stop();
  await lapor?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

interface FollowRow {
  lapor_id: string;
  stage: string;
  final: number;
  sla_stage: string;
  sla_overdue: number;
  status_name: string;
}

describe('eight simulated weeks of follow-through', () => {
  it('delivered every complaint once, and the source\'s own echoes changed nothing', () => {
    expect(lapor.complaints()).toHaveLength(30);
    expect(sql<{ state: string; n: number }>('SELECT state, count(*) AS n FROM records GROUP BY state')).toEqual([{ state: 'delivered', n: 30 }]);
  });

  it('stored every LAPOR! status change and follow-up once, in LAPOR!\'s order', () => {
    for (const c of lapor.complaints()) {
      const rows = sql<{ kind: string; status_name: string | null; followup_id: string | null; occurred_at: string }>('SELECT kind, status_name, followup_id, occurred_at FROM statuses WHERE lapor_id = ? ORDER BY id', String(c.id));
      expect(rows.filter((r) => r.kind === 'status').map((r) => r.status_name)).toEqual(c.data_logs.map((l) => l.status_name));
      expect(rows.filter((r) => r.kind === 'followup').map((r) => r.followup_id)).toEqual(c.followups.map((f) => String(f.id)));
    }
  });

  it('the source received each status change and follow-up exactly once, in order, with the LAPOR! id', () => {
    const writeBacks = bebeja.writeBacks();
    for (const c of lapor.complaints()) {
      const externalId = (sql<{ external_id: string }>('SELECT external_id FROM records WHERE lapor_id = ?', String(c.id))[0] as { external_id: string }).external_id;
      const mine = writeBacks.filter((w) => String(w.id) === externalId);
      expect(mine).toHaveLength(c.data_logs.length + c.followups.length);
      expect(new Set(mine.map((w) => w.tracking_id))).toEqual(new Set([String(c.id)]));
      const statusNotes = mine.filter((w) => w.keterangan?.startsWith('Status pengaduan'));
      expect(statusNotes.map((w) => w.status)).toEqual(c.data_logs.map((l) => l.status_name));
      for (const f of c.followups) expect(mine.filter((w) => w.keterangan?.includes(f.content))).toHaveLength(1);
    }
    expect(sql<{ state: string; n: number }>('SELECT state, count(*) AS n FROM write_backs GROUP BY state')).toEqual([{ state: 'sent', n: writeBacks.length }]);
  });

  it('every outcome ends where it should: closed and rejected finished, the untouched ones overdue at their stage', () => {
    const outcomes = new Map(lapor.complaints().map((c) => [String(c.id), lapor.lifecyclePlan(String(c.id))?.outcome]));
    expect(new Set(outcomes.values())).toEqual(new Set(['completed', 'rejected', 'unverified', 'no_followup', 'stalled']));
    const expected: Record<string, Partial<FollowRow>> = {
      completed: { stage: 'closed', final: 1, sla_stage: 'done', sla_overdue: 0, status_name: 'Selesai' },
      rejected: { stage: 'rejected', final: 1, sla_stage: 'done', sla_overdue: 0, status_name: 'Ditolak' },
      unverified: { stage: 'received', final: 0, sla_stage: 'verification', sla_overdue: 1 },
      no_followup: { final: 0, sla_stage: 'first_followup', sla_overdue: 1 },
      stalled: { stage: 'in_progress', final: 0, sla_stage: 'closure', sla_overdue: 1 },
    };
    for (const f of sql<FollowRow>('SELECT * FROM follow')) expect(f).toMatchObject(expected[outcomes.get(f.lapor_id) as string] as object);
  });

  it('checked adaptively: far fewer reads than checking every complaint at every run, none after closing', () => {
    expect(statusReads).toBeGreaterThan(30);
    expect(statusReads).toBeLessThan((30 * steps) / 4);
    for (const c of lapor.complaints()) {
      const closedAt = sql<{ last_checked_at: string | null; final: number }>('SELECT last_checked_at, final FROM follow WHERE lapor_id = ?', String(c.id))[0];
      if (!closedAt?.final) continue;
      const after = lapor.requests().filter((r) => r.path.endsWith(`/complaints/${c.id}/complaint`) && Date.parse(r.at) > Date.parse(closedAt.last_checked_at as string));
      expect(after).toHaveLength(0);
    }
  });

  it('`ledger report --sla` lists exactly the overdue complaints, and the ledger verifies', async () => {
    const overdue = sql<{ lapor_id: string }>('SELECT lapor_id FROM follow WHERE sla_overdue = 1').map((r) => r.lapor_id).sort();
    const untouched = lapor.complaints().filter((c) => ['unverified', 'no_followup', 'stalled'].includes(lapor.lifecyclePlan(String(c.id))?.outcome as string)).map((c) => String(c.id)).sort();
    expect(overdue).toEqual(untouched);
    const report = await runCli('ledger', 'report', '--sla', '--as-of', new Date(clock).toISOString(), '--config', configFile, '--json');
    expect(report.code).toBe(0);
    const listed = (JSON.parse(report.stdout) as { complaints: { lapor_id: string; sla_state: string }[] }).complaints;
    expect(listed.filter((c) => c.sla_state === 'overdue').map((c) => c.lapor_id).sort()).toEqual(untouched);
    const verify = await runCli('ledger', 'verify', '--config', configFile, '--json');
    expect(verify.code).toBe(0);
  });
});
