/**
 * `ledger verify`: the chain walk finds the first edited, deleted, inserted or reordered event,
 * records whose state disagrees with their history, and a missing anchored head.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import type { IntakeItem } from '../../src/ledger/ledger.js';
import { eventHash, SqliteLedger } from '../../src/ledger/sqlite-ledger.js';
import { verifyLedger } from '../../src/ledger/verify-ledger.js';
import { tempDir } from '../helpers/workdir.js';

let dir: string;
let ledger: SqliteLedger;

function mapped(id: string, content = `Isi ${id}`): IntakeItem {
  return {
    kind: 'mapped',
    externalId: id,
    complaint: { source: { system: 'bebeja', external_id: id, received_at: '2024-01-01T08:00:00+07:00' }, channel: 'app', classification: 'pengaduan', title: `Judul ${id}`, content, attachments: [], is_anonymous: false, is_secret: false },
    contentHash: `hash-${id}-${content}`,
    warnings: [],
    mappingVersion: 'm1',
  };
}

/** What an attacker with write access to the file would do: remove the append-only guard. */
function tamper(sql: string, ...params: unknown[]): void {
  ledger.db.exec('DROP TRIGGER IF EXISTS events_no_update; DROP TRIGGER IF EXISTS events_no_delete;');
  ledger.db.prepare(sql).run(...params);
}

beforeEach(() => {
  dir = tempDir('sp4n-verify-');
  ledger = SqliteLedger.open(path.join(dir, 'ledger.sqlite'));
  ledger.ensureSource('bebeja', 'rest');
  const run = ledger.startRun('intake', 'bebeja');
  ledger.commitBatch('bebeja', run, ['1', '2', '3'].map((id) => mapped(id)), { updated_at: '2024-01-01T00:00:00Z', id: '3' });
  const r1 = ledger.findByRef('bebeja/1');
  ledger.transition(r1?.id as number, 'sending', { set: { sending_version: 1 } });
  ledger.transition(r1?.id as number, 'delivered', { set: { lapor_id: 'L1', sent_version: 1 } });
  ledger.finishRun(run, 'ok', { pulled: 3 });
});

afterEach(() => {
  ledger.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const eventCount = () => (ledger.db.prepare('SELECT count(*) AS n FROM events').get() as { n: number }).n;

describe('ledger verify', () => {
  it('an untouched ledger verifies, with its head hash', () => {
    const r = verifyLedger(ledger.db);
    expect(r).toMatchObject({ ok: true, events: eventCount(), chain_break: null, state_mismatches: [] });
    expect(r.head?.hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('finds an edited event', () => {
    tamper("UPDATE events SET reason = 'nothing happened' WHERE id = 4");
    expect(verifyLedger(ledger.db).chain_break).toMatchObject({ kind: 'edited', event_id: 4 });
  });

  it('finds an edited event even when its hash was recomputed: the next link breaks', () => {
    const row = ledger.db.prepare('SELECT * FROM events WHERE id = 4').get() as Record<string, unknown>;
    const forged = { ...row, reason: 'forged' } as Parameters<typeof eventHash>[0] & { hash: string };
    const { hash: _h, ...content } = forged;
    tamper('UPDATE events SET reason = ?, hash = ? WHERE id = 4', 'forged', eventHash(content));
    expect(verifyLedger(ledger.db).chain_break).toMatchObject({ kind: 'inserted_or_reordered', event_id: 5 });
  });

  it('finds a deleted event', () => {
    tamper('DELETE FROM events WHERE id = 3');
    expect(verifyLedger(ledger.db).chain_break).toMatchObject({ kind: 'deleted', event_id: 3 });
  });

  it('finds an inserted or reordered event', () => {
    tamper('UPDATE events SET prev_hash = (SELECT hash FROM events WHERE id = 1) WHERE id = 4');
    const r = verifyLedger(ledger.db);
    expect(r.chain_break?.event_id).toBe(4);
    expect(r.ok).toBe(false);
  });

  it('finds two swapped events (content exchanged between ids)', () => {
    const a = ledger.db.prepare('SELECT * FROM events WHERE id = 3').get() as Record<string, unknown>;
    const b = ledger.db.prepare('SELECT * FROM events WHERE id = 4').get() as Record<string, unknown>;
    const cols = ['at', 'record_id', 'source_id', 'run_id', 'type', 'from_state', 'to_state', 'actor', 'reason', 'data_json', 'prev_hash', 'hash'];
    const set = cols.map((c) => `${c} = @${c}`).join(', ');
    tamper(`UPDATE events SET ${set} WHERE id = 3`, b);
    ledger.db.prepare(`UPDATE events SET ${set} WHERE id = 4`).run(a);
    expect(verifyLedger(ledger.db).chain_break).toMatchObject({ event_id: 3 });
  });

  it('finds a forged row inserted in the middle, even with a correctly computed hash', () => {
    // make room at id 4 by deleting it, then insert a forged event chained to event 3
    const prev = ledger.db.prepare('SELECT hash FROM events WHERE id = 3').get() as { hash: string };
    tamper('DELETE FROM events WHERE id = 4');
    const forged = { id: 4, at: new Date().toISOString(), record_id: null, source_id: 'bebeja', run_id: null, type: 'operator_retry', from_state: null, to_state: null, actor: 'intruder', reason: 'looks legit', data_json: null, prev_hash: prev.hash };
    ledger.db.prepare('INSERT INTO events (id, at, record_id, source_id, run_id, type, from_state, to_state, actor, reason, data_json, prev_hash, hash) VALUES (@id, @at, @record_id, @source_id, @run_id, @type, @from_state, @to_state, @actor, @reason, @data_json, @prev_hash, @hash)').run({ ...forged, hash: eventHash(forged) });
    expect(verifyLedger(ledger.db).chain_break).toMatchObject({ kind: 'inserted_or_reordered', event_id: 5 });
  });

  it('finds a record whose state was changed without an event', () => {
    ledger.db.prepare("UPDATE records SET state = 'delivered' WHERE external_id = '2'").run();
    const r = verifyLedger(ledger.db);
    expect(r.ok).toBe(false);
    expect(r.state_mismatches).toEqual([{ record: 'bebeja/2', state: 'delivered', history_says: 'pending' }]);
  });

  it('an anchor recorded earlier proves the tail was not cut off', () => {
    const anchor = verifyLedger(ledger.db).head?.hash as string;
    expect(verifyLedger(ledger.db, { anchor })).toMatchObject({ ok: true, anchor: { found: true } });
    ledger.startRun('intake', 'bebeja'); // more events after the anchor: still fine
    expect(verifyLedger(ledger.db, { anchor }).ok).toBe(true);
    tamper('DELETE FROM events WHERE id >= (SELECT id FROM events WHERE hash = ?)', anchor);
    const r = verifyLedger(ledger.db, { anchor });
    expect(r.chain_break).toBeNull(); // cutting the tail leaves a consistent chain...
    expect(r).toMatchObject({ ok: false, anchor: { found: false } }); // ...which the anchor exposes
  });
});
