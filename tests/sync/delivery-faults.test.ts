/**
 * Delivery under faults and the daemon's scheduler, simulator to simulator: in-doubt sends are
 * reconciled by lookup (never duplicated), a crash mid-send is recovered at start-up, the ledger
 * lock keeps a second writer out, and a graceful stop leaves no row in `sending`.
 */
import fs from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { openBridge, type Bridge } from '../../src/bridge.js';
import { LedgerLockedError } from '../../src/ledger/ledger-lock.js';
import { loadSettingsOrThrow } from '../../src/settings/load-settings.js';
import { BebejaSimulator } from '../../src/simulators/bebeja-simulator.js';
import { LaporSimulator } from '../../src/simulators/lapor-simulator.js';
import { sandboxEnv } from '../../src/simulators/sandbox-env.js';
import { Scheduler } from '../../src/sync/scheduler.js';
import { runSyncCycle } from '../../src/sync/sync-cycle.js';
import { silentLogger } from '../../src/util/logger.js';
import { copyShippedConfig, tempDir } from '../helpers/workdir.js';

let dir: string;
let configFile: string;
let bebeja: BebejaSimulator;
let lapor: LaporSimulator;
const open: Bridge[] = [];

async function bridge(): Promise<Bridge> {
  const b = await openBridge(loadSettingsOrThrow(configFile), { logger: silentLogger() });
  open.push(b);
  return b;
}

/** Polls until `cond` holds (no fixed sleeps: the machine may be slow). */
async function waitFor(cond: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 500; i++) {
    if (cond()) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** Refs of complaints LAPOR! holds, to count duplicates. */
function laporRefs(): string[] {
  return lapor.complaints().map((c) => String(c.body.content).split('\n').pop() ?? '');
}

beforeEach(async () => {
  dir = tempDir('sp4n-faults-');
  configFile = copyShippedConfig(dir, { immediateReconcile: true });
  bebeja = new BebejaSimulator({ seed: 5 });
  lapor = new LaporSimulator();
  await bebeja.start();
  await lapor.start();
  Object.assign(process.env, sandboxEnv(bebeja, lapor, 'faults-pii-key'));
});

afterEach(async () => {
  for (const b of open.splice(0)) await b.close().catch(() => undefined);
  await bebeja.stop();
  await lapor.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('in-doubt sends', () => {
  it('a 500 after LAPOR! stored the complaint is reconciled by lookup and adopted, not sent again', async () => {
    lapor.setFaults([{ match: 'create', storeThenFail: true, status: 500 }]);
    const b = await bridge();
    const first = await runSyncCycle(b);
    expect(first.delivery).toMatchObject({ delivered: 4, in_doubt: 1 });
    expect(lapor.complaints()).toHaveLength(5); // stored, although it answered 500

    const second = await runSyncCycle(b);
    expect(second.delivery).toMatchObject({ reconciled: 1, delivered: 0 });
    expect(second.states).toEqual({ delivered: 5 });
    expect(new Set(laporRefs()).size).toBe(5);
    expect(laporRefs()).toHaveLength(5);
  });

  it('a 500 before LAPOR! stored anything is looked up, not found, and sent once more', async () => {
    lapor.setFaults([{ match: 'create', status: 502 }]);
    const b = await bridge();
    expect((await runSyncCycle(b)).delivery).toMatchObject({ delivered: 4, in_doubt: 1 });
    const second = await runSyncCycle(b);
    expect(second.delivery).toMatchObject({ delivered: 1, reconciled: 0 });
    expect(second.states).toEqual({ delivered: 5 });
    expect(laporRefs()).toHaveLength(5);
  });

  it('without a lookup, an in-doubt send waits for an operator (needs_review), never a silent resend', async () => {
    const text = fs.readFileSync(configFile, 'utf8').replace(/ {2}lookup:.*\n {4}path: .*\n {4}param: .*\n/, '  lookup: false\n');
    expect(text).toContain('lookup: false');
    fs.writeFileSync(configFile, text);
    lapor.setFaults([{ match: 'create', dropConnection: true, storeThenFail: true }]);
    const b = await bridge();
    await runSyncCycle(b);
    const second = await runSyncCycle(b);
    expect(second.delivery?.needs_review).toBe(1);
    expect(second.states).toEqual({ delivered: 4, needs_review: 1 });
    expect(laporRefs()).toHaveLength(5);
  });

  it('a crash between the send and its outcome (row left in sending) is recovered as in_doubt at start-up and reconciled', async () => {
    const b = await bridge();
    await runSyncCycle(b, { noDelivery: true });
    // simulate the crash: LAPOR! got the complaint, the ledger only has the intent
    const row = b.ledger.dueRecords(1)[0];
    if (!row) throw new Error('no due record');
    b.ledger.transition(row.id, 'sending', { set: { sending_version: row.version } });
    const complaint = b.ledger.loadComplaint(row.id, row.version);
    await b.sink.deliver(complaint, { idempotencyKey: 'x', onAttempt: () => undefined, onWarning: () => undefined });
    await b.close();
    open.splice(open.indexOf(b), 1);

    const restarted = await bridge();
    expect(restarted.recoveredAtStart).toBe(1);
    const s = await runSyncCycle(restarted);
    expect(s.delivery).toMatchObject({ reconciled: 1, delivered: 4 });
    expect(s.states).toEqual({ delivered: 5 });
    expect(laporRefs()).toHaveLength(5);
  });
});

describe('review findings: no resend loops, no stale sends', () => {
  it('after max_doubt_resends resends that are in doubt again, the record goes to needs_review — never a resend loop', async () => {
    // a search that never finds anything (an index that lags): point the lookup at a list without refs
    fs.writeFileSync(configFile, fs.readFileSync(configFile, 'utf8').replace('path: /complaints/search', 'path: /masters/institutions/external').replace('on_in_doubt:', 'max_doubt_resends: 1\n  on_in_doubt:'));
    lapor.setFaults(Array.from({ length: 20 }, () => ({ match: 'create' as const, storeThenFail: true, status: 500 })));
    const b = await bridge();
    await runSyncCycle(b, { sourceId: 'bebeja' });
    // the circuit opens after 5 in-doubt outcomes: one resend (probe) per pass from then on
    for (let i = 0; i < 15 && (b.ledger.countsByState().in_doubt ?? 0) > 0; i++) await runSyncCycle(b);
    const states = b.ledger.countsByState();
    expect(states).toEqual({ needs_review: 5 });
    // the first send and one resend each (same idempotency key, which this simulator honours),
    // and then a person decides: never a third call, never a loop
    const creates = lapor.requests().filter((r) => r.method === 'POST' && r.path.endsWith('/complaints/complaint'));
    expect(creates).toHaveLength(10);
    expect(new Set(laporRefs()).size).toBe(5);
  });

  it('a send reset twice before LAPOR! stored it converges to exactly one copy (lookup finds nothing, sends again)', async () => {
    fs.writeFileSync(configFile, fs.readFileSync(configFile, 'utf8').replace('concurrency: 4', 'concurrency: 1'));
    lapor.setFaults([
      { match: 'create', dropConnection: true },
      { match: 'create', dropConnection: true },
    ]);
    const b = await bridge();
    for (let i = 0; i < 5 && (b.ledger.countsByState().delivered ?? 0) < 5; i++) await runSyncCycle(b);
    expect(b.ledger.countsByState()).toEqual({ delivered: 5 });
    expect(laporRefs()).toHaveLength(5);
    expect(new Set(laporRefs()).size).toBe(5);
  });

  it('a record changed by intake while another send is in flight is sent in its current version', async () => {
    fs.writeFileSync(configFile, fs.readFileSync(configFile, 'utf8').replace('concurrency: 4', 'concurrency: 1'));
    const b = await bridge();
    await runSyncCycle(b, { noDelivery: true });
    lapor.setFaults([{ match: 'create', delayMs: 400 }]);
    const delivering = runSyncCycle(b, { noIntake: true });
    await waitFor(() => (b.ledger.countsByState().sending ?? 0) > 0, 'the first send');
    const second = b.ledger.dueRecords(10).find((r) => r.state === 'pending');
    bebeja.edit(Number(second?.external_id), { isi: 'Isi terbaru: sudah diperbarui sebelum dikirim.' });
    await runSyncCycle(b, { noDelivery: true, sourceId: 'bebeja', full: true });
    await delivering;
    const sent = lapor.complaints().find((c) => String(c.body.content).endsWith(`Ref: bebeja/${second?.external_id}`));
    expect(String(sent?.body.content)).toMatch(/^Isi terbaru/);
    expect(b.ledger.findByRef(`bebeja/${second?.external_id}`)).toMatchObject({ state: 'delivered', version: 2, sent_version: 2 });
  });

  it('a newer version that arrived while the old one was being rejected gets its own send', async () => {
    fs.writeFileSync(configFile, fs.readFileSync(configFile, 'utf8').replace('concurrency: 4', 'concurrency: 1'));
    const b = await bridge();
    await runSyncCycle(b, { noDelivery: true });
    const first = b.ledger.dueRecords(1)[0];
    lapor.setFaults([{ match: 'create', delayMs: 300, status: 422, body: { message: 'title is offensive' } }]);
    const delivering = runSyncCycle(b, { noIntake: true });
    await waitFor(() => (b.ledger.countsByState().sending ?? 0) > 0, 'the first send');
    bebeja.edit(Number(first?.external_id), { judul: 'Judul yang sudah diperbaiki' });
    await runSyncCycle(b, { noDelivery: true, full: true });
    await delivering;
    await runSyncCycle(b);
    expect(b.ledger.findByRef(`bebeja/${first?.external_id}`)).toMatchObject({ state: 'delivered', version: 2, sent_version: 2 });
    const events = b.ledger.eventsFor(first?.id as number).map((e) => e.type);
    expect(events).toContain('superseded_after_reject');
  });
});

describe('each nasty reply after which the complaint may exist is reconciled, never duplicated', () => {
  it.each([['store-then-hang'], ['store-then-reset'], ['malformed'], ['no-id'], ['store-then-status']] as const)('%s', async (kind) => {
    fs.writeFileSync(configFile, fs.readFileSync(configFile, 'utf8').replace('dialect: lapor-v3\n', 'dialect: lapor-v3\n  timeout: 1s\n'));
    const b = await bridge();
    lapor.setFaultProfile({ seed: 1, rules: [{ match: 'create', kind, rate: 1 }] });
    const first = await runSyncCycle(b);
    expect(first.delivery?.in_doubt).toBe(5);
    lapor.setFaultProfile(undefined);
    const second = await runSyncCycle(b);
    expect(second.delivery?.reconciled).toBe(5);
    expect(second.states).toEqual({ delivered: 5 });
    expect(lapor.complaints()).toHaveLength(5);
    expect(new Set(laporRefs()).size).toBe(5);
  });

  it('a hang that never stored anything is looked up, not found, and sent once more', async () => {
    fs.writeFileSync(configFile, fs.readFileSync(configFile, 'utf8').replace('dialect: lapor-v3\n', 'dialect: lapor-v3\n  timeout: 1s\n'));
    const b = await bridge();
    lapor.setFaultProfile({ seed: 1, rules: [{ match: 'create', kind: 'hang', rate: 1 }] });
    expect((await runSyncCycle(b)).delivery?.in_doubt).toBe(5);
    lapor.setFaultProfile(undefined);
    expect((await runSyncCycle(b)).states).toEqual({ delivered: 5 });
    expect(lapor.complaints()).toHaveLength(5);
  });
});

describe('changes after delivery (on_change)', () => {
  it('followup: an edited complaint is sent as a note on the same LAPOR! complaint, once', async () => {
    fs.writeFileSync(configFile, fs.readFileSync(configFile, 'utf8').replace('on_change: record', 'on_change: followup'));
    const b = await bridge();
    await runSyncCycle(b);
    const row = b.ledger.findByRef('bebeja/1');
    bebeja.edit(1, { isi: 'Tambahan: jembatan sekarang sudah tidak bisa dilewati.' });
    const s = await runSyncCycle(b);
    expect(s.delivery).toMatchObject({ updates_sent: 1, delivered: 0 });
    expect(lapor.complaints()).toHaveLength(5);
    const notes = lapor.complaints().find((c) => c.id === row?.lapor_id)?.followups ?? [];
    expect(notes).toHaveLength(1);
    expect(notes[0]?.content).toMatch(/Tambahan: jembatan sekarang sudah tidak bisa dilewati\.\n\nRef: bebeja\/1$/);
    expect(b.ledger.findByRef('bebeja/1')).toMatchObject({ state: 'delivered', version: 2, sent_version: 2 });
    await runSyncCycle(b);
    expect(lapor.complaints().find((c) => c.id === row?.lapor_id)?.followups).toHaveLength(1);
  });

  it('record (default): the change is only recorded', async () => {
    const b = await bridge();
    await runSyncCycle(b);
    bebeja.edit(1, { isi: 'Tambahan informasi.' });
    const s = await runSyncCycle(b);
    expect(s.delivery).toMatchObject({ updates_recorded: 1, updates_sent: 0 });
    expect(lapor.complaints().every((c) => c.followups.length === 0)).toBe(true);
  });
});

describe('destination health', () => {
  it('401 pauses the destination; nothing is marked failed, and the pause survives a restart', async () => {
    lapor.setFaults([{ match: 'create', status: 401, times: 100 }]);
    const b = await bridge();
    const s = await runSyncCycle(b);
    expect(s.delivery?.paused).toBe(true);
    expect(s.states).toEqual({ pending: 5 });
    await b.close();
    open.splice(open.indexOf(b), 1);
    lapor.setFaults([]);
    const again = await runSyncCycle(await bridge());
    expect(again.delivery?.paused).toBe(true);
    expect(lapor.complaints()).toHaveLength(0);
  });

  it('a 422 rejects one record and the others keep flowing', async () => {
    lapor.setFaults([{ match: 'create', status: 422, body: { message: 'The given data was invalid.' } }]);
    const s = await runSyncCycle(await bridge());
    expect(s.states).toEqual({ delivered: 4, rejected: 1 });
  });

  it('429 puts the record in retry_wait with a next attempt time, others go through', async () => {
    lapor.setFaults([{ match: 'create', status: 429, headers: { 'Retry-After': '3600' } }]);
    const b = await bridge();
    const s = await runSyncCycle(b);
    expect(s.states).toEqual({ delivered: 4, retry_wait: 1 });
    const waiting = b.ledger.recordsInState('retry_wait')[0];
    expect(Date.parse(waiting?.next_attempt_at ?? '')).toBeGreaterThan(Date.now() + 3_500_000);
  });
});

describe('one writer per ledger and graceful stop', () => {
  it('a second bridge on the same ledger is refused while the first holds it', async () => {
    await bridge();
    await expect(openBridge(loadSettingsOrThrow(configFile), { logger: silentLogger() })).rejects.toThrow(LedgerLockedError);
  });

  it('a tick that finds its job still running is skipped and counted', async () => {
    lapor.setFaults([{ match: 'create', delayMs: 200, times: 5 }]);
    const b = await bridge();
    const scheduler = new Scheduler(b, { deliverySchedule: '* * * * *' });
    const a = scheduler.runSource('bebeja');
    const again = scheduler.runSource('bebeja');
    await Promise.all([a, again]);
    expect(scheduler.stats.get('source:bebeja')).toMatchObject({ runs: 1, skipped: 1 });
    await scheduler.stop(1000);
    expect(b.ledger.countsByState()).toEqual({ delivered: 5 });
  });

  it('stop lets sends in flight finish within the grace period and leaves nothing in sending', async () => {
    lapor.setFaults([{ match: 'create', delayMs: 300, times: 5 }]);
    const b = await bridge();
    const scheduler = new Scheduler(b, { deliverySchedule: '* * * * *' });
    const run = scheduler.runSource('bebeja');
    await waitFor(() => (b.ledger.countsByState().sending ?? 0) > 0, 'a send in flight');
    const { drained } = await scheduler.stop(5000);
    await run;
    expect(drained).toBe(true);
    const states = b.ledger.countsByState();
    expect(states.sending).toBeUndefined();
    // what was in flight finished; what was not started stays pending for the next start
    expect((states.delivered ?? 0) + (states.pending ?? 0)).toBe(5);
    expect(lapor.complaints()).toHaveLength(states.delivered ?? 0);
  });

  it('past the grace period, sends in flight are aborted and become in_doubt, never stay sending', async () => {
    lapor.setFaults([{ match: 'create', delayMs: 1000, times: 5 }]);
    const b = await bridge();
    const scheduler = new Scheduler(b, { deliverySchedule: '* * * * *' });
    const run = scheduler.runSource('bebeja');
    await waitFor(() => (b.ledger.countsByState().sending ?? 0) > 0, 'a send in flight');
    const { drained } = await scheduler.stop(50);
    await run;
    expect(drained).toBe(false);
    const states = b.ledger.countsByState();
    expect(states.sending).toBeUndefined();
    expect(states.in_doubt).toBeGreaterThan(0);
  });
});
