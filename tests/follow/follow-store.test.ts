/**
 * Follow-through edge cases on a real ledger file, with LAPOR! replies shaped as other
 * deployments may shape them (a reader returning chosen snapshots) and source adapters whose
 * write-back answers as chosen: each change stored and written back once, whatever the order of
 * LAPOR!'s log; one failing source never holds up another; a refusal is not a failure.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import type { SourceAdapter, StatusUpdate } from '../../src/adapters/adapter.js';
import { AdapterError } from '../../src/adapters/errors.js';
import { runFollow, type FollowSummary } from '../../src/follow/follow-run.js';
import { StatusReadError, type LaporStatusSnapshot, type StatusReader } from '../../src/follow/lapor-status-client.js';
import type { IntakeItem } from '../../src/ledger/ledger.js';
import { SqliteLedger } from '../../src/ledger/sqlite-ledger.js';
import type { CanonicalComplaint } from '../../src/mapping/canonical.js';
import { bridgeSettingsSchema } from '../../src/settings/settings-schema.js';
import { loadSlaSetup, type SlaSetup } from '../../src/sla/sla-setup.js';
import { DEFAULT_RETRY_POLICY } from '../../src/sync/retry-policy.js';
import { silentLogger } from '../../src/util/logger.js';
import { sha256, stableStringify } from '../../src/util/stable-json.js';

const HOUR = 3_600_000;
let clock: number;
const now = () => new Date(clock);
let dir: string;
let ledger: SqliteLedger;
let sla: SlaSetup;

process.env.FOLLOW_STORE_TEST_TOKEN = 'not-used';
const settings = bridgeSettingsSchema.parse({
  destination: { dialect: 'lapor-v3', base_url: 'http://127.0.0.1:9/lapor', auth: { bearer_token: '${FOLLOW_STORE_TEST_TOKEN}', app_token: '${FOLLOW_STORE_TEST_TOKEN}' } },
});

/** LAPOR! as a table of snapshots the test edits; throws what it is told to. */
class TableReader implements StatusReader {
  readonly snapshots = new Map<string, LaporStatusSnapshot>();
  failWith: StatusReadError | undefined;
  reads = 0;
  async read(laporId: string): Promise<LaporStatusSnapshot> {
    this.reads++;
    if (this.failWith) throw this.failWith;
    const s = this.snapshots.get(laporId);
    if (!s) throw new StatusReadError('not_found', `no ${laporId}`);
    return s;
  }
  async close(): Promise<void> {}
}

/** A source whose write-back records what it got, or answers with `fail`. */
class WriteBackSource {
  readonly got: { id: string; update: StatusUpdate }[] = [];
  fail: Error | undefined;
  adapter(): SourceAdapter {
    return {
      kind: 'test',
      capabilities: { incremental: false, writeBack: true },
      open: async () => undefined,
      close: async () => undefined,
      read: async function* () {},
      writeBack: async (id, update) => {
        if (this.fail) throw this.fail;
        this.got.push({ id, update });
      },
    };
  }
}

function snapshot(laporId: string, status: string, logs: [string, string][], extra: Partial<LaporStatusSnapshot> = {}): LaporStatusSnapshot {
  return { laporId, statusName: status, statusCode: null, dispositionId: null, dispositionName: null, dataLogs: logs.map(([statusName, at]) => ({ statusName, at })), followups: [], raw: {}, ...extra };
}

function deliver(source: string, externalId: string, laporId: string): number {
  const c: CanonicalComplaint = {
    source: { system: source, external_id: externalId, received_at: now().toISOString() },
    channel: 'app',
    classification: 'pengaduan',
    title: `Pengaduan ${externalId}`,
    content: `Isi pengaduan ${externalId}`,
    attachments: [],
    is_anonymous: true,
    is_secret: false,
  };
  const item: IntakeItem = { kind: 'mapped', externalId, complaint: c, contentHash: sha256(stableStringify(c)), warnings: [], mappingVersion: 'm1' };
  ledger.ensureSource(source, 'test');
  const run = ledger.startRun('intake', source);
  ledger.commitBatch(source, run, [item], null);
  ledger.finishRun(run, 'ok', {});
  const id = (ledger.findByRef(`${source}/${externalId}`) as { id: number }).id;
  ledger.transition(id, 'sending', { set: { sending_version: 1, idempotency_key: `k-${externalId}` } });
  ledger.transition(id, 'delivered', { set: { lapor_id: laporId, sent_version: 1, delivered_at: now().toISOString() } });
  return id;
}

function follow(reader: StatusReader, sources: Record<string, WriteBackSource> = {}, o: { all?: boolean } = {}): Promise<FollowSummary> {
  const adapters = new Map(Object.entries(sources).map(([id, s]) => [id, s.adapter()]));
  return runFollow({ ledger, settings, adapters, sla, logger: silentLogger(), policy: DEFAULT_RETRY_POLICY, now, reader, all: o.all });
}

const rows = (laporId: string) => ledger.db.prepare('SELECT kind, status_name, disposition_id, occurred_at, own FROM statuses WHERE lapor_id = ? ORDER BY id').all(laporId) as { kind: string; status_name: string | null; disposition_id: string | null; occurred_at: string | null; own: number }[];

beforeEach(async () => {
  clock = Date.parse('2025-06-02T09:00:00+07:00');
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sp4n-follow-store-'));
  ledger = SqliteLedger.open(path.join(dir, 'ledger.sqlite'), { now });
  sla = await loadSlaSetup(dir, settings.sla);
});

afterEach(() => {
  ledger.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('the status history', () => {
  it('is kept whatever order LAPOR! lists its log in, each entry once', async () => {
    deliver('a', '1', '501');
    const reader = new TableReader();
    const log: [string, string][] = [
      ['Belum Terverifikasi', '02-06-2025 09:05:00'],
      ['Terverifikasi', '02-06-2025 13:00:00'],
    ];
    const iso = (l: [string, string][]) => l.map(([n, t]) => [n, `${t.slice(6, 10)}-${t.slice(3, 5)}-${t.slice(0, 2)}T${t.slice(11)}+07:00`] as [string, string]);
    reader.snapshots.set('501', snapshot('501', 'Terverifikasi', iso(log).reverse())); // newest first
    await follow(reader);
    clock += 2 * HOUR;
    reader.snapshots.set('501', snapshot('501', 'Dalam Proses', iso([...log, ['Dalam Proses', '02-06-2025 15:00:00']]).reverse()));
    await follow(reader, {}, { all: true });
    clock += 2 * HOUR;
    await follow(reader, {}, { all: true }); // nothing new
    expect(rows('501').map((r) => r.status_name)).toEqual(['Belum Terverifikasi', 'Terverifikasi', 'Dalam Proses']);
    expect(ledger.db.prepare('SELECT verified_at, stage FROM follow').get()).toEqual({ verified_at: '2025-06-02T13:00:00+07:00', stage: 'in_progress' });
  });

  it('a disposition LAPOR! logs as its own status is one change carrying the agency, also at the first check', async () => {
    deliver('a', '1', '501');
    const reader = new TableReader();
    reader.snapshots.set(
      '501',
      snapshot('501', 'Didisposisikan', [['Belum Terverifikasi', '2025-06-02T09:05:00+07:00'], ['Terverifikasi', '2025-06-02T10:00:00+07:00'], ['Didisposisikan', '2025-06-02T11:00:00+07:00']], { dispositionId: '3601010', dispositionName: 'Dinas PUPR' }),
    );
    await follow(reader);
    expect(rows('501').map((r) => [r.status_name, r.disposition_id])).toEqual([
      ['Belum Terverifikasi', null],
      ['Terverifikasi', null],
      ['Didisposisikan', '3601010'],
    ]);
    expect(ledger.db.prepare('SELECT disposed_at, disposition_name FROM follow').get()).toEqual({ disposed_at: '2025-06-02T11:00:00+07:00', disposition_name: 'Dinas PUPR' });
  });

  it('a status seen before its log entry is not stored twice when the log catches up', async () => {
    deliver('a', '1', '501');
    const reader = new TableReader();
    reader.snapshots.set('501', snapshot('501', 'Terverifikasi', [['Belum Terverifikasi', '2025-06-02T09:05:00+07:00']]));
    await follow(reader);
    clock += 2 * HOUR;
    reader.snapshots.set('501', snapshot('501', 'Terverifikasi', [['Belum Terverifikasi', '2025-06-02T09:05:00+07:00'], ['Terverifikasi', '2025-06-02T10:00:00+07:00']]));
    await follow(reader, {}, { all: true });
    expect(rows('501').map((r) => r.status_name)).toEqual(['Belum Terverifikasi', 'Terverifikasi']);
  });

  it("the bridge's own follow-up (delivery.on_change: followup) is recognised by its Ref: line and is not the agency's answer", async () => {
    deliver('a', '1', '501');
    const reader = new TableReader();
    const own = { id: 'f-1', content: 'Pembaruan dari a (perubahan pada pengaduan asal):\n\nPengaduan 1\n\nRef: a/1', at: '2025-06-02T12:00:00+07:00', institutionName: 'Integrasi', raw: {} };
    const agency = { id: 'f-2', content: 'Sudah kami tinjau.', at: '2025-06-03T08:00:00+07:00', institutionName: 'Dinas PUPR', raw: {} };
    reader.snapshots.set('501', snapshot('501', 'Terverifikasi', [['Terverifikasi', '2025-06-02T10:00:00+07:00']], { followups: [own] }));
    const source = new WriteBackSource();
    await follow(reader, { a: source });
    expect(ledger.db.prepare('SELECT first_followup_at FROM follow').get()).toEqual({ first_followup_at: null });
    reader.snapshots.set('501', snapshot('501', 'Terverifikasi', [['Terverifikasi', '2025-06-02T10:00:00+07:00']], { followups: [own, agency] }));
    clock += 2 * HOUR;
    await follow(reader, { a: source }, { all: true });
    expect(rows('501').filter((r) => r.kind === 'followup').map((r) => r.own)).toEqual([1, 0]);
    expect(ledger.db.prepare('SELECT first_followup_at, last_followup_at FROM follow').get()).toEqual({ first_followup_at: agency.at, last_followup_at: agency.at });
    expect(source.got.map((g) => g.update.note)).toEqual([expect.stringContaining('Terverifikasi'), expect.stringContaining('Sudah kami tinjau')]);
  });

  it('a complaint sent again under a new LAPOR! id is followed afresh', async () => {
    const id = deliver('a', '1', '501');
    const reader = new TableReader();
    reader.snapshots.set('501', snapshot('501', 'Selesai', [['Selesai', '2025-06-02T10:00:00+07:00']]));
    await follow(reader);
    clock += 4 * HOUR;
    await follow(reader);
    expect(ledger.db.prepare('SELECT final FROM follow').get()).toEqual({ final: 1 });
    // an operator's resend --force: the same record, a new complaint at LAPOR!
    ledger.transition(id, 'pending', { force: true, actor: 'auditor', reason: 'LAPOR! lost it' });
    ledger.transition(id, 'sending', { set: { sending_version: 1, idempotency_key: 'k-1-g1' } });
    ledger.transition(id, 'delivered', { set: { lapor_id: '777', sent_version: 1, delivered_at: now().toISOString() } });
    reader.snapshots.set('777', snapshot('777', 'Belum Terverifikasi', [['Belum Terverifikasi', '2025-06-02T14:00:00+07:00']]));
    expect((await follow(reader)).checked).toBe(1);
    expect(ledger.db.prepare('SELECT lapor_id, stage, final, closed_at FROM follow').get()).toEqual({ lapor_id: '777', stage: 'received', final: 0, closed_at: null });
    expect(rows('777').map((r) => r.status_name)).toEqual(['Belum Terverifikasi']);
  });
});

describe('checks that go wrong', () => {
  it('a request to slow down stops the run without counting against any complaint', async () => {
    deliver('a', '1', '501');
    deliver('a', '2', '502');
    const reader = new TableReader();
    reader.failWith = new StatusReadError('throttled', 'HTTP 429', 429);
    const s = await follow(reader);
    expect(s.throttled).toContain('429');
    expect(reader.reads).toBeLessThanOrEqual(2);
    expect(ledger.db.prepare('SELECT count(*) AS n FROM follow WHERE check_failures > 0 OR next_check_at IS NOT NULL').get()).toEqual({ n: 0 });
  });
});

describe('the write-back queue', () => {
  it('a source that is down or gone never holds up another source', async () => {
    const reader = new TableReader();
    for (let i = 1; i <= 120; i++) {
      deliver('gone', String(i), String(1000 + i));
      reader.snapshots.set(String(1000 + i), snapshot(String(1000 + i), 'Belum Terverifikasi', [['Belum Terverifikasi', '2025-06-02T09:05:00+07:00']]));
    }
    deliver('live', '1', '501');
    reader.snapshots.set('501', snapshot('501', 'Belum Terverifikasi', [['Belum Terverifikasi', '2025-06-02T09:05:00+07:00']]));
    const gone = new WriteBackSource();
    const live = new WriteBackSource();
    gone.fail = new AdapterError('SOURCE_UNREACHABLE', 'gone', 'connect ECONNREFUSED', true);
    const s = await follow(reader, { gone, live });
    // one try at the failing source, then its 120 write-backs wait; the other source is served
    expect(s.write_backs).toMatchObject({ sent: 1, retry: 1, waiting: 120 });
    expect(live.got).toHaveLength(1);
    // the failing source is then removed from the configuration: its queue waits, the other goes on
    clock += 2 * HOUR;
    for (let i = 1; i <= 120; i++) reader.snapshots.set(String(1000 + i), snapshot(String(1000 + i), 'Terverifikasi', [['Belum Terverifikasi', '2025-06-02T09:05:00+07:00'], ['Terverifikasi', '2025-06-02T10:00:00+07:00']]));
    reader.snapshots.set('501', snapshot('501', 'Terverifikasi', [['Belum Terverifikasi', '2025-06-02T09:05:00+07:00'], ['Terverifikasi', '2025-06-02T10:00:00+07:00']]));
    await follow(reader, { live }, { all: true });
    expect(live.got.map((g) => g.update.status)).toEqual(['Belum Terverifikasi', 'Terverifikasi']);
    // and the changes made while it was gone are queued for it, nothing lost
    expect(ledger.db.prepare("SELECT count(*) AS n FROM write_backs WHERE source_id = 'gone' AND state IN ('pending', 'retry_wait')").get()).toEqual({ n: 240 });
    gone.fail = undefined;
    clock += 2 * HOUR;
    await follow(reader, { gone, live });
    expect(gone.got).toHaveLength(240);
    expect(gone.got.filter((g) => g.id === '7').map((g) => g.update.status)).toEqual(['Belum Terverifikasi', 'Terverifikasi']);
  });

  it('refused credentials keep the write-backs waiting, in order; an operator can retry failed ones', async () => {
    deliver('a', '1', '501');
    const reader = new TableReader();
    reader.snapshots.set('501', snapshot('501', 'Terverifikasi', [['Belum Terverifikasi', '2025-06-02T09:05:00+07:00'], ['Terverifikasi', '2025-06-02T10:00:00+07:00']]));
    const source = new WriteBackSource();
    source.fail = new AdapterError('SOURCE_AUTH', 'a', 'POST /x: HTTP 401', false);
    const s = await follow(reader, { a: source });
    expect(s.write_backs).toMatchObject({ sent: 0, failed: 0, waiting: 2, waiting_auth: 1 });
    source.fail = undefined;
    clock += HOUR;
    await follow(reader, { a: source });
    expect(source.got.map((g) => g.update.status)).toEqual(['Belum Terverifikasi', 'Terverifikasi']);

    // a permanent refusal of one write-back fails it; the operator sends it again, logged with why
    reader.snapshots.set('501', snapshot('501', 'Dalam Proses', [['Belum Terverifikasi', '2025-06-02T09:05:00+07:00'], ['Terverifikasi', '2025-06-02T10:00:00+07:00'], ['Dalam Proses', '2025-06-02T11:00:00+07:00']]));
    source.fail = new AdapterError('SOURCE_BAD_RESPONSE', 'a', 'POST /x: HTTP 422', false);
    clock += 4 * HOUR;
    expect((await follow(reader, { a: source }, { all: true })).write_backs.failed).toBe(1);
    source.fail = undefined;
    const { FollowStore } = await import('../../src/follow/follow-store.js');
    expect(new FollowStore(ledger).requeueFailedWriteBacks('operator', 'the source fixed its validation')).toBe(1);
    await follow(reader, { a: source });
    expect(source.got.map((g) => g.update.status)).toEqual(['Belum Terverifikasi', 'Terverifikasi', 'Dalam Proses']);
    expect(ledger.db.prepare("SELECT actor, reason FROM events WHERE type = 'write_back_requeued'").all()).toEqual([{ actor: 'operator', reason: 'the source fixed its validation' }]);
  });
});
