/**
 * The SQLite ledger against a real database file: migrations, intake (new / unchanged / changed /
 * quarantined), the cursor moving in the same transaction, dry runs, state changes, crash
 * recovery, personal data at rest, the hash-chained append-only event log, and lookups by ref.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import type { EventRow, IntakeItem, RecordRow, Warning } from '../../src/ledger/ledger.js';
import { LATEST_VERSION } from '../../src/ledger/migrations/index.js';
import { IllegalTransitionError } from '../../src/ledger/record-state.js';
import { eventHash, GENESIS_HASH, LedgerError, SqliteLedger, type StoredComplaint } from '../../src/ledger/sqlite-ledger.js';
import type { CanonicalComplaint } from '../../src/mapping/canonical.js';
import { hmacSha256, sha256, stableStringify } from '../../src/util/stable-json.js';

const SOURCE = 'bebeja';
const PII_KEY = 'kunci-uji-pii';
const NIK = '3601234567890001';
const CLOCK = new Date('2024-03-05T01:00:00.000Z');

interface ComplaintOptions {
  readonly content?: string;
  readonly ticket?: string;
  readonly nik?: string;
}

/** A small valid canonical complaint for ledger tests. */
function complaint(externalId: string, o: ComplaintOptions = {}): CanonicalComplaint {
  return {
    source: { system: SOURCE, external_id: externalId, received_at: '2024-03-01T08:30:00+07:00', ticket: o.ticket ?? `BBJ-${externalId}` },
    channel: 'app',
    classification: 'pengaduan',
    title: 'Jalan rusak',
    content: o.content ?? `Jalan berlubang di Labuan (${externalId})`,
    attachments: [],
    is_anonymous: false,
    is_secret: false,
    ...(o.nik ? { reporter: { name: 'Siti Aminah Penanda', nik: o.nik, phone: '+6281234567890' } } : {}),
  };
}

function mapped(externalId: string, o: ComplaintOptions = {}, warnings: Warning[] = []): Extract<IntakeItem, { kind: 'mapped' }> {
  const c = complaint(externalId, o);
  return { kind: 'mapped', externalId, complaint: c, contentHash: sha256(stableStringify(c)), warnings, mappingVersion: 'map-v1' };
}

function failed(externalId: string, reason: string, failureHash = sha256(reason)): Extract<IntakeItem, { kind: 'quarantined' }> {
  return { kind: 'quarantined', externalId, reason, failureHash, mappingVersion: 'map-v1' };
}

describe('SqliteLedger', () => {
  let dir: string;
  let file: string;
  let ledger: SqliteLedger;
  let runId: number;

  function open(options: { piiKey?: string } = { piiKey: PII_KEY }): SqliteLedger {
    return SqliteLedger.open(file, { ...options, now: () => CLOCK });
  }

  function record(externalId: string): RecordRow {
    const row = ledger.findByRef(`${SOURCE}/${externalId}`);
    if (!row) throw new Error(`no record ${SOURCE}/${externalId}`);
    return row;
  }

  const count = (table: string) => (ledger.db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
  const allEvents = () => ledger.db.prepare('SELECT * FROM events ORDER BY id').all() as EventRow[];

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sp4n-ledger-'));
    file = path.join(dir, 'ledger.db');
    ledger = open();
    ledger.ensureSource(SOURCE, 'rest');
    runId = ledger.startRun('intake', SOURCE);
  });

  afterEach(() => {
    ledger.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  // ---------------------------------------------------------------- opening and migrations

  describe('open', () => {
    it('uses WAL, foreign keys, and the latest schema version', () => {
      expect(ledger.db.pragma('journal_mode', { simple: true })).toBe('wal');
      expect(ledger.db.pragma('foreign_keys', { simple: true })).toBe(1);
      expect(LATEST_VERSION).toBeGreaterThanOrEqual(1);
      expect(ledger.db.pragma('user_version', { simple: true })).toBe(LATEST_VERSION);
      expect(ledger.schemaVersion()).toBe(LATEST_VERSION);
      const tables = (ledger.db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[]).map((t) => t.name);
      expect(tables).toEqual(expect.arrayContaining(['sources', 'cursors', 'records', 'record_versions', 'attempts', 'runs', 'events']));
    });

    it('creates the ledger file readable by its owner only', () => {
      expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    });

    it('reopening is idempotent and keeps the data', () => {
      ledger.commitBatch(SOURCE, runId, [mapped('1')], { updated_at: '2024-03-01T08:30:00+07:00', id: '1' });
      const eventsBefore = allEvents();
      ledger.close();
      ledger = open();
      ledger.close();
      ledger = open();
      expect(ledger.schemaVersion()).toBe(LATEST_VERSION);
      expect(ledger.db.pragma('journal_mode', { simple: true })).toBe('wal');
      expect(record('1').state).toBe('pending');
      expect(ledger.getCursor(SOURCE)).toEqual({ updated_at: '2024-03-01T08:30:00+07:00', id: '1' });
      expect(allEvents()).toEqual(eventsBefore);
    });

    it('refuses a ledger written by a newer bridge', () => {
      ledger.db.pragma(`user_version = ${LATEST_VERSION + 1}`);
      ledger.close();
      let caught: unknown;
      try {
        ledger = open();
      } catch (err) {
        caught = err;
      }
      expect(caught).toBeInstanceOf(LedgerError);
      expect((caught as LedgerError).code).toBe('LEDGER_TOO_NEW');
      // reopen something closable for afterEach
      ledger = SqliteLedger.open(path.join(dir, 'other.db'));
    });
  });

  // ---------------------------------------------------------------- intake

  describe('commitBatch', () => {
    it('a new record becomes pending, version 1, with a received event', () => {
      const item = mapped('1');
      const { counts, outcomes } = ledger.commitBatch(SOURCE, runId, [item], undefined);
      expect(outcomes).toEqual(['new']);
      expect(counts).toEqual({ new: 1, changed: 0, unchanged: 0, quarantined: 0, warnings: 0 });
      const row = record('1');
      expect(row).toMatchObject({ state: 'pending', version: 1, content_hash: item.contentHash, ticket: 'BBJ-1', received_at: '2024-03-01T08:30:00+07:00', lapor_id: null });
      const events = ledger.eventsFor(row.id);
      expect(events).toHaveLength(1);
      expect(events[0]).toMatchObject({ type: 'received', from_state: 'new', to_state: 'pending', source_id: SOURCE, run_id: runId, actor: 'system' });
      expect(JSON.parse(events[0]?.data_json ?? '{}')).toMatchObject({ version: 1, content_hash: item.contentHash, mapping_version: 'map-v1' });
      expect(ledger.versionsFor(row.id).map((v) => v.version)).toEqual([1]);
    });

    it('the same content hash again is unchanged: no new version, no event', () => {
      ledger.commitBatch(SOURCE, runId, [mapped('1')], undefined);
      const eventsBefore = count('events');
      const { counts, outcomes } = ledger.commitBatch(SOURCE, runId, [mapped('1')], undefined);
      expect(outcomes).toEqual(['unchanged']);
      expect(counts.unchanged).toBe(1);
      expect(record('1').version).toBe(1);
      expect(count('events')).toBe(eventsBefore);
      expect(count('record_versions')).toBe(1);
    });

    it('a different hash while pending is changed: version 2, still pending', () => {
      ledger.commitBatch(SOURCE, runId, [mapped('1')], undefined);
      const v2 = mapped('1', { content: 'Isi yang diperbarui' });
      const { outcomes } = ledger.commitBatch(SOURCE, runId, [v2], undefined);
      expect(outcomes).toEqual(['changed']);
      const row = record('1');
      expect(row).toMatchObject({ state: 'pending', version: 2, content_hash: v2.contentHash });
      expect(ledger.versionsFor(row.id).map((v) => v.version)).toEqual([1, 2]);
      expect(ledger.loadComplaint(row.id, 2).content).toBe('Isi yang diperbarui');
      expect(ledger.eventsFor(row.id).map((e) => [e.type, e.from_state, e.to_state])).toEqual([
        ['received', 'new', 'pending'],
        ['changed', 'pending', 'pending'],
      ]);
    });

    it('a change after delivery becomes update_pending and keeps the LAPOR! id', () => {
      ledger.commitBatch(SOURCE, runId, [mapped('1')], undefined);
      const id = record('1').id;
      ledger.transition(id, 'sending', { set: { sending_version: 1, idempotency_key: 'bebeja-1-v1' } });
      ledger.transition(id, 'delivered', { set: { lapor_id: 'LAPOR-9001', sent_version: 1, delivered_at: CLOCK.toISOString() } });

      const v2 = mapped('1', { content: 'Ada tambahan informasi' });
      expect(ledger.commitBatch(SOURCE, runId, [v2], undefined).outcomes).toEqual(['changed']);
      expect(record('1')).toMatchObject({ state: 'update_pending', version: 2, lapor_id: 'LAPOR-9001', sent_version: 1 });
      expect(ledger.eventsFor(id).at(-1)).toMatchObject({ type: 'changed_after_delivery', from_state: 'delivered', to_state: 'update_pending' });

      // and the same version again does nothing
      expect(ledger.commitBatch(SOURCE, runId, [v2], undefined).outcomes).toEqual(['unchanged']);
      expect(record('1').version).toBe(2);
    });

    it('a change while sending stores the version but leaves the state to the in-flight send', () => {
      ledger.commitBatch(SOURCE, runId, [mapped('1')], undefined);
      const id = record('1').id;
      ledger.transition(id, 'sending');
      ledger.commitBatch(SOURCE, runId, [mapped('1', { content: 'berubah' })], undefined);
      expect(record('1')).toMatchObject({ state: 'sending', version: 2 });
      expect(ledger.eventsFor(id).at(-1)?.type).toBe('changed_in_flight');
    });

    it('counts warnings of new and changed records, not of unchanged ones', () => {
      const w: Warning[] = [
        { field: 'reporter.nik', message: 'must be 16 digits; value dropped' },
        { field: 'location.lat', message: 'to_number: "x" is not a number; value dropped' },
      ];
      expect(ledger.commitBatch(SOURCE, runId, [mapped('1', {}, w)], undefined).counts.warnings).toBe(2);
      expect(ledger.commitBatch(SOURCE, runId, [mapped('1', {}, w)], undefined).counts.warnings).toBe(0);
      expect(record('1').warning_count).toBe(2);
      expect(JSON.parse(ledger.getVersion(record('1').id, 1).warnings_json)).toEqual(w);
      expect(ledger.warningTotal()).toBe(2);
    });

    it('quarantine: recorded with its reason; the same failure again is unchanged; a later good version goes pending', () => {
      const bad = failed('5', 'content: the record has neither title nor content');
      expect(ledger.commitBatch(SOURCE, runId, [bad], undefined).outcomes).toEqual(['quarantined']);
      let row = record('5');
      expect(row).toMatchObject({ state: 'quarantined', version: 0, quarantine_reason: 'content: the record has neither title nor content', content_hash: null });
      const eventsAfterFirst = count('events');

      expect(ledger.commitBatch(SOURCE, runId, [bad], undefined).outcomes).toEqual(['unchanged']);
      expect(count('events')).toBe(eventsAfterFirst);

      const worse = failed('5', 'is_anonymous: to_bool: cannot read "maybe" as yes/no');
      expect(ledger.commitBatch(SOURCE, runId, [worse], undefined).outcomes).toEqual(['quarantined']);
      expect(record('5').quarantine_reason).toMatch(/^is_anonymous/);

      const good = mapped('5');
      expect(ledger.commitBatch(SOURCE, runId, [good], undefined).outcomes).toEqual(['new']);
      row = record('5');
      expect(row).toMatchObject({ state: 'pending', version: 1, content_hash: good.contentHash, quarantine_reason: null });
      expect(ledger.eventsFor(row.id).map((e) => [e.type, e.from_state, e.to_state])).toEqual([
        ['quarantined', 'new', 'quarantined'],
        ['quarantined', 'quarantined', 'quarantined'],
        ['changed', 'quarantined', 'pending'],
      ]);
    });

    it('a pending record whose new version fails mapping is quarantined rather than sent stale', () => {
      ledger.commitBatch(SOURCE, runId, [mapped('1')], undefined);
      ledger.commitBatch(SOURCE, runId, [failed('1', 'is_anonymous: required')], undefined);
      expect(record('1')).toMatchObject({ state: 'quarantined', quarantine_reason: 'is_anonymous: required' });
      expect(ledger.dueRecords(10)).toEqual([]);
    });

    it('a delivered record whose new version fails mapping stays delivered; the failure is recorded', () => {
      ledger.commitBatch(SOURCE, runId, [mapped('1')], undefined);
      const id = record('1').id;
      ledger.transition(id, 'sending');
      ledger.transition(id, 'delivered', { set: { lapor_id: 'LAPOR-1' } });
      expect(ledger.commitBatch(SOURCE, runId, [failed('1', 'content: empty')], undefined).outcomes).toEqual(['quarantined']);
      expect(record('1')).toMatchObject({ state: 'delivered', lapor_id: 'LAPOR-1', quarantine_reason: 'content: empty' });
      expect(ledger.eventsFor(id).at(-1)).toMatchObject({ type: 'update_quarantined', from_state: 'delivered', to_state: 'delivered' });
    });

    it('a batch mixes outcomes and counts each', () => {
      ledger.commitBatch(SOURCE, runId, [mapped('1'), mapped('2')], undefined);
      const { counts, outcomes } = ledger.commitBatch(SOURCE, runId, [mapped('1'), mapped('2', { content: 'baru' }), mapped('3'), failed('4', 'x')], undefined);
      expect(outcomes).toEqual(['unchanged', 'changed', 'new', 'quarantined']);
      expect(counts).toEqual({ new: 1, changed: 1, unchanged: 1, quarantined: 1, warnings: 0 });
      expect(ledger.countsByState(SOURCE)).toEqual({ pending: 3, quarantined: 1 });
    });
  });

  describe('the cursor moves only with its records', () => {
    const cursor1 = { updated_at: '2024-03-01T08:30:00+07:00', id: '1' };
    const cursor2 = { updated_at: '2024-03-02T09:00:00+07:00', id: '3' };

    it('is stored by the same commit', () => {
      expect(ledger.getCursor(SOURCE)).toBeUndefined();
      ledger.commitBatch(SOURCE, runId, [mapped('1')], cursor1);
      expect(ledger.getCursor(SOURCE)).toEqual(cursor1);
      ledger.commitBatch(SOURCE, runId, [], cursor2);
      expect(ledger.getCursor(SOURCE)).toEqual(cursor2);
    });

    it('a batch whose item fails leaves neither records, events nor the cursor changed', () => {
      ledger.commitBatch(SOURCE, runId, [mapped('1')], cursor1);
      const recordsBefore = ledger.listRecords({ limit: 100 });
      const eventsBefore = allEvents();
      const versionsBefore = count('record_versions');

      const broken = { ...mapped('3'), complaint: {} as unknown as CanonicalComplaint };
      expect(() => ledger.commitBatch(SOURCE, runId, [mapped('2'), mapped('1', { content: 'ubah' }), broken], cursor2)).toThrow();

      expect(ledger.getCursor(SOURCE)).toEqual(cursor1);
      expect(ledger.listRecords({ limit: 100 })).toEqual(recordsBefore);
      expect(ledger.findByRef(`${SOURCE}/2`)).toBeUndefined();
      expect(record('1').version).toBe(1);
      expect(allEvents()).toEqual(eventsBefore);
      expect(count('record_versions')).toBe(versionsBefore);
    });

    it('an unknown source cannot hold records or a cursor (foreign keys)', () => {
      expect(() => ledger.commitBatch('tidak-terdaftar', runId, [mapped('1')], cursor1)).toThrow();
      expect(ledger.getCursor('tidak-terdaftar')).toBeUndefined();
    });
  });

  describe('previewBatch', () => {
    it('returns the counts a commit would have, and writes nothing', () => {
      ledger.commitBatch(SOURCE, runId, [mapped('1')], { id: '1' });
      const recordsBefore = ledger.listRecords({ limit: 100 });
      const eventsBefore = allEvents();

      const { counts, outcomes } = ledger.previewBatch(SOURCE, runId, [mapped('1', { content: 'ubah' }), mapped('2'), failed('3', 'x'), mapped('1', { content: 'ubah' })]);
      expect(outcomes).toEqual(['changed', 'new', 'quarantined', 'unchanged']);
      expect(counts).toEqual({ new: 1, changed: 1, unchanged: 1, quarantined: 1, warnings: 0 });

      expect(ledger.listRecords({ limit: 100 })).toEqual(recordsBefore);
      expect(allEvents()).toEqual(eventsBefore);
      expect(count('record_versions')).toBe(1);
      expect(ledger.getCursor(SOURCE)).toEqual({ id: '1' });
      expect(ledger.db.inTransaction).toBe(false);
    });
  });

  // ---------------------------------------------------------------- state changes

  describe('transition', () => {
    it('applies columns and appends an event, in one go', () => {
      ledger.commitBatch(SOURCE, runId, [mapped('1')], undefined);
      const id = record('1').id;
      ledger.transition(id, 'sending', { set: { sending_version: 1, idempotency_key: 'k-1' } });
      const row = ledger.transition(id, 'delivered', { set: { lapor_id: 'LAPOR-77', sent_version: 1 }, actor: 'operator-uji', reason: 'uji', runId });
      expect(row).toMatchObject({ state: 'delivered', lapor_id: 'LAPOR-77', sent_version: 1, sending_version: 1, idempotency_key: 'k-1' });
      expect(ledger.eventsFor(id).at(-1)).toMatchObject({ type: 'state_delivered', from_state: 'sending', to_state: 'delivered', actor: 'operator-uji', reason: 'uji', run_id: runId });
    });

    it('an illegal change throws and changes nothing', () => {
      ledger.commitBatch(SOURCE, runId, [mapped('1')], undefined);
      const id = record('1').id;
      ledger.transition(id, 'sending');
      ledger.transition(id, 'delivered', { set: { lapor_id: 'LAPOR-1' } });
      const before = ledger.getRecord(id);
      const eventsBefore = allEvents();

      for (const to of ['sending', 'pending', 'in_doubt'] as const) {
        expect(() => ledger.transition(id, to, { set: { lapor_id: null, idempotency_key: 'k-2' } })).toThrow(IllegalTransitionError);
      }
      expect(ledger.getRecord(id)).toEqual(before);
      expect(allEvents()).toEqual(eventsBefore);
    });

    it('an unknown record is an error', () => {
      expect(() => ledger.transition(999, 'sending')).toThrow(LedgerError);
    });
  });

  describe('recoverInterruptedSends', () => {
    it('turns every sending row into in_doubt, and nothing else', () => {
      ledger.commitBatch(SOURCE, runId, [mapped('1'), mapped('2'), mapped('3')], undefined);
      ledger.transition(record('1').id, 'sending');
      ledger.transition(record('3').id, 'sending');

      expect(ledger.recoverInterruptedSends(runId)).toBe(2);
      expect(record('1').state).toBe('in_doubt');
      expect(record('2').state).toBe('pending');
      expect(record('3').state).toBe('in_doubt');
      expect(ledger.eventsFor(record('1').id).at(-1)).toMatchObject({ type: 'interrupted_send', from_state: 'sending', to_state: 'in_doubt' });

      expect(ledger.recoverInterruptedSends(runId)).toBe(0);
      expect(ledger.recordsInState('sending')).toEqual([]);
    });

    it('survives a restart: a row left in sending is found after reopening', () => {
      ledger.commitBatch(SOURCE, runId, [mapped('1')], undefined);
      ledger.transition(record('1').id, 'sending');
      ledger.close();
      ledger = open();
      expect(ledger.recoverInterruptedSends()).toBe(1);
      expect(record('1').state).toBe('in_doubt');
    });
  });

  // ---------------------------------------------------------------- personal data at rest

  describe('NIK at rest (UU PDP)', () => {
    function databaseBytes(): Buffer {
      ledger.db.pragma('wal_checkpoint(TRUNCATE)');
      const parts = [fs.readFileSync(file)];
      if (fs.existsSync(`${file}-wal`)) parts.push(fs.readFileSync(`${file}-wal`));
      return Buffer.concat(parts);
    }

    it('with a PII key, the NIK is stored only as an hmac-sha256 hash', () => {
      ledger.commitBatch(SOURCE, runId, [mapped('1', { nik: NIK })], undefined);
      const stored: StoredComplaint = ledger.loadComplaint(record('1').id, 1);
      expect(stored.reporter).toEqual({ name: 'Siti Aminah Penanda', phone: '+6281234567890', nik_hash: `hmac-sha256:${hmacSha256(PII_KEY, NIK)}` });
      expect(stored.reporter && 'nik' in stored.reporter).toBe(false);

      const bytes = databaseBytes();
      expect(bytes.includes('Siti Aminah Penanda')).toBe(true); // the scan sees stored text
      expect(bytes.includes(NIK)).toBe(false);
    });

    it('without a PII key, the NIK is not stored at all', () => {
      ledger.close();
      ledger = open({});
      ledger.commitBatch(SOURCE, runId, [mapped('1', { nik: NIK })], undefined);
      const stored = ledger.loadComplaint(record('1').id, 1);
      expect(stored.reporter).toEqual({ name: 'Siti Aminah Penanda', phone: '+6281234567890' });

      const bytes = databaseBytes();
      expect(bytes.includes('Siti Aminah Penanda')).toBe(true);
      expect(bytes.includes(NIK)).toBe(false);
      expect(bytes.includes('hmac-sha256:')).toBe(false);
    });

    it('a changed version is hashed the same way', () => {
      ledger.commitBatch(SOURCE, runId, [mapped('1', { nik: NIK })], undefined);
      ledger.commitBatch(SOURCE, runId, [mapped('1', { nik: NIK, content: 'versi dua' })], undefined);
      for (const v of ledger.versionsFor(record('1').id)) expect(v.canonical_json).not.toContain(NIK);
      expect(databaseBytes().includes(NIK)).toBe(false);
    });
  });

  // ---------------------------------------------------------------- the event log

  describe('events', () => {
    function busyLedger(): void {
      ledger.commitBatch(SOURCE, runId, [mapped('1'), mapped('2'), failed('3', 'x')], { id: '3' });
      ledger.transition(record('1').id, 'sending');
      ledger.transition(record('1').id, 'delivered', { set: { lapor_id: 'L-1' }, reason: 'created' });
      ledger.commitBatch(SOURCE, runId, [mapped('1', { content: 'ubah' })], undefined);
      ledger.setDestinationPaused('lapor', true, '401 from LAPOR!');
      ledger.finishRun(runId, 'ok', { new: 2 });
    }

    it('are hash-chained from a genesis of 64 zeros, each hash recomputable', () => {
      busyLedger();
      const events = allEvents();
      expect(events.length).toBeGreaterThanOrEqual(8);
      expect(GENESIS_HASH).toBe('0'.repeat(64));
      expect(events[0]?.prev_hash).toBe('0'.repeat(64));
      events.forEach((e, i) => {
        expect(e.id).toBe(i + 1);
        if (i > 0) expect(e.prev_hash).toBe(events[i - 1]?.hash);
        const { hash, ...content } = e;
        expect(hash).toMatch(/^[0-9a-f]{64}$/);
        expect(eventHash(content)).toBe(hash);
      });
      expect(new Set(events.map((e) => e.hash)).size).toBe(events.length);
    });

    it('the hash covers the content: an edited event would no longer verify', () => {
      busyLedger();
      const e = allEvents()[2] as EventRow;
      const { hash, ...content } = e;
      expect(eventHash({ ...content, reason: 'edited' })).not.toBe(hash);
      expect(eventHash({ ...content, to_state: 'dropped' })).not.toBe(hash);
      expect(eventHash({ ...content, prev_hash: '1'.repeat(64) })).not.toBe(hash);
    });

    it('UPDATE and DELETE on events are refused by triggers', () => {
      busyLedger();
      const before = allEvents();
      expect(() => ledger.db.prepare("UPDATE events SET reason = 'edited' WHERE id = 2").run()).toThrow(/append-only/);
      expect(() => ledger.db.prepare('DELETE FROM events WHERE id = ?').run(before.length)).toThrow(/append-only/);
      expect(() => ledger.db.prepare('DELETE FROM events').run()).toThrow(/append-only/);
      expect(allEvents()).toEqual(before);
    });
  });

  // ---------------------------------------------------------------- lookups

  describe('findByRef', () => {
    beforeEach(() => {
      ledger.commitBatch(SOURCE, runId, [mapped('3', { ticket: 'BBJ/2024/003' }), mapped('30', { ticket: 'BBJ-2024-030' })], undefined);
      ledger.transition(record('30').id, 'sending');
      ledger.transition(record('30').id, 'delivered', { set: { lapor_id: '5123456' } });
    });

    it.each<[string, string | undefined]>([
      ['bebeja/3', '3'],
      ['bebeja/30', '30'],
      ['5123456', '30'], // LAPOR! id
      ['BBJ-2024-030', '30'], // ticket
      ['BBJ/2024/003', '3'], // a ticket with slashes is still found
      ['bebeja/300', undefined],
      ['lain/3', undefined],
      ['tidak-ada', undefined],
    ])('%s → %p', (ref, externalId) => {
      expect(ledger.findByRef(ref)?.external_id).toBe(externalId);
    });

    it('a bare number that is no LAPOR! id or ticket is the ledger id', () => {
      const id = record('3').id;
      expect(ledger.findByRef(String(id))?.external_id).toBe('3');
    });
  });
});
