/**
 * Follow-through against the real simulators on 127.0.0.1 and a real ledger file: statuses and
 * follow-ups read from LAPOR! (moved by hand here), stored once, written back to Bebeja once,
 * checked on an adaptive schedule, and the SLA kept on each followed complaint.
 */
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import Database from 'better-sqlite3';
import { openBridge, type Bridge } from '../../src/bridge.js';
import { followWithBridge, type FollowSummary } from '../../src/follow/follow-run.js';
import { loadSettingsOrThrow } from '../../src/settings/load-settings.js';
import { BebejaSimulator } from '../../src/simulators/bebeja-simulator.js';
import { LaporSimulator } from '../../src/simulators/lapor-simulator.js';
import { sandboxEnv } from '../../src/simulators/sandbox-env.js';
import { runSyncCycle } from '../../src/sync/sync-cycle.js';
import { silentLogger } from '../../src/util/logger.js';
import { runCli } from '../helpers/capture.js';
import { copyShippedConfig, tempDir } from '../helpers/workdir.js';

const HOUR = 3_600_000;
// Monday 2 June 2025, 09:00 WIB
let clock = new Date('2025-06-02T02:00:00Z').getTime();
const now = () => new Date(clock);

let dir: string;
let configFile: string;
let ledgerPath: string;
let bebeja: BebejaSimulator;
let lapor: LaporSimulator;

async function withBridge<T>(fn: (b: Bridge) => Promise<T>): Promise<T> {
  const bridge = await openBridge(loadSettingsOrThrow(configFile), { logger: silentLogger(), now });
  try {
    return await fn(bridge);
  } finally {
    await bridge.close();
  }
}
const follow = (o: { all?: boolean } = {}): Promise<FollowSummary> => withBridge((b) => followWithBridge(b, { ...o, readerOptions: { retryMinMs: 0 } }));

function sql<T>(query: string, ...params: unknown[]): T[] {
  const db = new Database(ledgerPath, { readonly: true });
  try {
    return db.prepare(query).all(...params) as T[];
  } finally {
    db.close();
  }
}

function externalIdOf(laporId: string): string {
  return (sql<{ external_id: string }>('SELECT external_id FROM records WHERE lapor_id = ?', laporId)[0] as { external_id: string }).external_id;
}

let delivered: string[];

beforeAll(async () => {
  dir = tempDir('sp4n-follow-');
  configFile = copyShippedConfig(dir);
  bebeja = new BebejaSimulator({ seed: 'demo', now });
  lapor = new LaporSimulator({ now });
  await bebeja.start();
  await lapor.start();
  Object.assign(process.env, sandboxEnv(bebeja, lapor, 'follow-pii-key'));
  ledgerPath = loadSettingsOrThrow(configFile).ledgerPath;
  await withBridge((b) => runSyncCycle(b));
  delivered = lapor.complaints().map((c) => String(c.id));
});

afterAll(async () => {
  await bebeja?.stop();
  await lapor?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('status sync and write-back', () => {
  it('the first run records each complaint\'s status once and tells the source it reached LAPOR!', async () => {
    expect(delivered.length).toBeGreaterThan(3);
    const s = await follow();
    expect(s).toMatchObject({ checked: delivered.length, changed: delivered.length, status_changes: delivered.length, followups: 0, failures: 0 });
    expect(s.write_backs).toMatchObject({ sent: delivered.length, failed: 0, waiting: 0 });
    const rows = sql<{ n: number; stage: string; status_name: string }>("SELECT count(*) AS n, stage, status_name FROM statuses WHERE kind = 'status' GROUP BY stage, status_name");
    expect(rows).toEqual([{ n: delivered.length, stage: 'received', status_name: 'Belum Terverifikasi' }]);
    const wb = bebeja.writeBacks();
    expect(wb).toHaveLength(delivered.length);
    for (const id of delivered) {
      expect(wb.filter((w) => String(w.id) === externalIdOf(id))).toEqual([expect.objectContaining({ status: 'Belum Terverifikasi', tracking_id: id })]);
    }
    // verification clock: 3 working days from delivery (Monday) → Thursday 23:59:59.999 WIB
    const f = sql<{ sla_stage: string; sla_deadline: string; next_check_at: string }>('SELECT sla_stage, sla_deadline, next_check_at FROM follow');
    expect(new Set(f.map((x) => x.sla_stage))).toEqual(new Set(['verification']));
    expect(new Set(f.map((x) => x.sla_deadline))).toEqual(new Set(['2025-06-05T23:59:59.999+07:00']));
    // not verified yet: checked again after follow.check_new_every (1h)
    expect(new Set(f.map((x) => x.next_check_at))).toEqual(new Set([new Date(clock + HOUR).toISOString()]));
  });

  it('checks nothing before it is due, and a forced check of unchanged complaints stores and sends nothing', async () => {
    expect(await follow()).toMatchObject({ checked: 0, changed: 0 });
    const before = bebeja.writeBacks().length;
    expect(await follow({ all: true })).toMatchObject({ checked: delivered.length, changed: 0, status_changes: 0 });
    expect(bebeja.writeBacks()).toHaveLength(before);
    expect(sql<{ n: number }>('SELECT count(*) AS n FROM statuses')[0]?.n).toBe(delivered.length);
  });

  it('verification, disposition and a follow-up are each stored and written back once, in order', async () => {
    const [a] = delivered as [string];
    clock += 20 * HOUR; // Tuesday 05:00 WIB
    lapor.setStatus(a, 'Terverifikasi');
    clock += 2 * HOUR;
    lapor.setStatus(a, 'Terverifikasi', { id: 3601010 });
    clock += 24 * HOUR; // Wednesday
    lapor.addFollowup(a, { content: 'Tim sudah meninjau lokasi dan perbaikan dijadwalkan minggu depan.' });
    lapor.setStatus(a, 'Dalam Proses');
    clock += HOUR;
    const before = bebeja.writeBacks().length;
    const s = await follow();
    expect(s.checked).toBe(delivered.length); // everyone was due (1h for unverified ones)
    expect(s).toMatchObject({ changed: 1, status_changes: 3, followups: 1 });
    const mine = bebeja.writeBacks().slice(before);
    expect(mine.map((w) => [w.id, w.status])).toEqual([
      [Number(externalIdOf(a)), 'Terverifikasi'],
      [Number(externalIdOf(a)), 'Terverifikasi'],
      [Number(externalIdOf(a)), 'Dalam Proses'],
      [Number(externalIdOf(a)), 'Dalam Proses'],
    ]);
    expect(mine[1]?.keterangan).toContain('didisposisikan ke Dinas Pekerjaan Umum');
    expect(mine.some((w) => w.keterangan?.includes('perbaikan dijadwalkan'))).toBe(true);
    const f = sql<Record<string, unknown>>('SELECT * FROM follow WHERE lapor_id = ?', a)[0];
    expect(f).toMatchObject({ stage: 'in_progress', status_name: 'Dalam Proses', disposition_id: '3601010', disposition_name: 'Dinas Pekerjaan Umum dan Penataan Ruang Kabupaten Pandeglang', followup_count: 1, verified_at: '2025-06-03T05:00:00+07:00', disposed_at: '2025-06-03T07:00:00+07:00', first_followup_at: '2025-06-04T07:00:00+07:00', last_followup_at: '2025-06-04T07:00:00+07:00', sla_stage: 'closure' });
    // the echo of our own write-back is read back at intake and changes nothing
    const sync = await withBridge((b) => runSyncCycle(b));
    expect(sync.sources[0]).toMatchObject({ ok: true, new: 0, changed: 0 });
    expect(sync.delivery?.delivered).toBe(0);
  });

  it("keeps the agency's text for the audit with contact numbers masked, sends it whole to the citizen's app, and the note can be purged later", async () => {
    const c = delivered[3] as string;
    lapor.addFollowup(c, { content: 'Silakan hubungi petugas kami di 081298765432 untuk jadwal survei.' });
    clock += 2 * HOUR;
    await follow({ all: true });
    expect(sql<{ content: string }>("SELECT content FROM statuses WHERE lapor_id = ? AND kind = 'followup'", c)[0]?.content).not.toContain('081298765432');
    expect(bebeja.writeBacks().filter((w) => w.keterangan?.includes('081298765432'))).toHaveLength(1);
    const copy = `${dir}/purge.sqlite`;
    expect((await runCli('ledger', 'backup', copy, '--config', configFile)).code).toBe(0);
    const db = new Database(copy);
    db.prepare("UPDATE write_backs SET sent_at = '2020-01-01T00:00:00Z'").run();
    db.close();
    expect((await runCli('ledger', 'purge-personal', '--ledger', copy, '--older-than', '30', '--reason', 'retention: 30 days')).code).toBe(0);
    const check = new Database(copy, { readonly: true });
    expect(check.prepare("SELECT count(*) AS n FROM write_backs WHERE note LIKE '%081298765432%'").get()).toEqual({ n: 0 });
    check.close();
    expect((await runCli('ledger', 'verify', '--ledger', copy)).code).toBe(0);
  });

  it('an unknown status name is kept raw, reported, and does not move the stage', async () => {
    const b = delivered[1] as string;
    lapor.setStatus(b, 'Menunggu Tanggapan Pelapor');
    clock += 2 * HOUR;
    const s = await follow();
    expect(s.unknown_statuses).toEqual({ 'Menunggu Tanggapan Pelapor': 1 });
    expect(sql<Record<string, unknown>>("SELECT stage, status_name FROM statuses WHERE lapor_id = ? ORDER BY id DESC LIMIT 1", b)[0]).toEqual({ stage: 'unknown', status_name: 'Menunggu Tanggapan Pelapor' });
    expect(sql<Record<string, unknown>>('SELECT stage, status_name FROM follow WHERE lapor_id = ?', b)[0]).toEqual({ stage: 'received', status_name: 'Menunggu Tanggapan Pelapor' });
    const ev = sql<{ reason: string }>("SELECT reason FROM events WHERE type = 'status_changed' AND reason IS NOT NULL");
    expect(ev.map((e) => e.reason)).toEqual(['unknown LAPOR! status "Menunggu Tanggapan Pelapor" (kept raw)']);
  });

  it('a closed complaint is checked once more for a closing note, then finished and never checked again', async () => {
    const [a] = delivered as [string];
    lapor.setStatus(a, 'Selesai');
    clock += 4 * HOUR;
    await follow();
    // the agency's closing note comes a minute after the status: the next check still catches it
    lapor.addFollowup(a, { content: 'Perbaikan jalan telah selesai dikerjakan. Terima kasih atas laporannya.' });
    let f = sql<Record<string, unknown>>('SELECT final, next_check_at, closed_at, sla_stage, sla_overdue FROM follow WHERE lapor_id = ?', a)[0];
    expect(f).toMatchObject({ final: 0, next_check_at: new Date(clock + 3 * HOUR).toISOString(), sla_stage: 'done', sla_overdue: 0 });
    clock += 3 * HOUR;
    expect(await follow()).toMatchObject({ followups: 1, finished: 0 });
    expect(bebeja.writeBacks().filter((w) => w.keterangan?.includes('telah selesai dikerjakan'))).toHaveLength(1);
    clock += 3 * HOUR;
    expect(await follow()).toMatchObject({ finished: 1 });
    f = sql<Record<string, unknown>>('SELECT final, next_check_at, closed_at, sla_stage, sla_overdue FROM follow WHERE lapor_id = ?', a)[0];
    expect(f).toMatchObject({ final: 1, next_check_at: null, sla_stage: 'done', sla_overdue: 0 });
    const reads = () => lapor.requests().filter((r) => r.path.endsWith(`/complaints/${a}/complaint`)).length;
    const n = reads();
    await follow({ all: true });
    expect(reads()).toBe(n);
  });

  it('complaints nobody verified become overdue after 3 working days, and the ledger still verifies', async () => {
    clock = new Date('2025-06-09T03:00:00Z').getTime(); // the next Monday
    const s = await follow();
    const stuck = delivered.length - 2; // a is closed, b has an unknown status but was never verified either
    expect(s.sla.overdue).toBe(stuck + 1);
    const over = sql<{ lapor_id: string; sla_overdue_reason: string }>('SELECT lapor_id, sla_overdue_reason FROM follow WHERE sla_overdue = 1 ORDER BY lapor_id');
    expect(over.map((o) => o.lapor_id)).toEqual(delivered.filter((id) => id !== delivered[0]).sort());
    expect(new Set(over.map((o) => o.sla_overdue_reason))).toEqual(new Set(['stage_deadline']));
    const verify = await runCli('ledger', 'verify', '--config', configFile, '--json');
    expect(verify.code).toBe(0);
    const status = await runCli('ledger', 'status', '--config', configFile, '--json');
    const followed = (JSON.parse(status.stdout) as { follow: { stages: Record<string, number>; sla_overdue: number; write_backs: Record<string, number> } }).follow;
    expect(followed.stages).toMatchObject({ received: delivered.length - 1, closed: 1 });
    expect(followed.sla_overdue).toBe(s.sla.overdue);
    expect(followed.write_backs.sent).toBe(bebeja.writeBacks().length);
  });

  it('a status read that fails is retried at a later check, and a refused credential stops the run with exit 1', async () => {
    lapor.setFaults([{ match: 'any', status: 503, times: 10_000 }]);
    clock += 2 * HOUR;
    const s = await follow({ all: true });
    lapor.setFaults([]);
    expect(s.failures).toBe(s.checked);
    expect(s.checked).toBe(delivered.length - 1);
    const failed = sql<{ check_failures: number; last_error: string; next_check_at: string }>('SELECT check_failures, last_error, next_check_at FROM follow WHERE check_failures > 0');
    expect(failed).toHaveLength(s.failures);
    expect(failed[0]?.last_error).toContain('HTTP 503');
    // backing off from follow.check_new_every (1h): nothing is due an hour later... but two hours later all are
    clock += HOUR - 1000;
    expect((await follow()).checked).toBe(0);
    clock += 2000;
    expect(await follow()).toMatchObject({ checked: delivered.length - 1, failures: 0 });
    expect(sql<{ n: number }>('SELECT count(*) AS n FROM follow WHERE check_failures > 0')[0]?.n).toBe(0);

    lapor.setFaults([{ match: 'any', status: 401, times: 100 }]);
    const cli = await runCli('follow', '--all', '--config', configFile, '--json');
    lapor.setFaults([]);
    expect(cli.code).toBe(1);
    const out = JSON.parse(cli.stdout) as FollowSummary;
    expect(out.auth_error).toContain('401');
    // stopped at the first refusals (one per worker); nothing was retried
    expect(out.checked).toBeLessThanOrEqual(4);
    expect(out.failures).toBe(out.checked);
  });
});
