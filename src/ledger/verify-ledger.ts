/**
 * `ledger verify`: proves the event log is complete and untampered, and that every record's
 * current state is the one its history ends in.
 *
 * Each event stores SHA-256(prev_hash ‖ content) and the previous event's hash, and ids are
 * consecutive. Walking the chain therefore finds the first place where a row was edited (its
 * hash no longer matches its content), deleted (a gap in the ids), or inserted or reordered (a
 * link to a hash that is not the previous row's).
 */
import type Database from 'better-sqlite3';
import type { EventRow } from './ledger.js';
import { eventHash, GENESIS_HASH } from './sqlite-ledger.js';

export type BreakKind = 'edited' | 'deleted' | 'inserted_or_reordered';

export interface ChainBreak {
  readonly kind: BreakKind;
  /** The first event id where the chain no longer holds. */
  readonly event_id: number;
  readonly detail: string;
}

export interface StateMismatch {
  readonly record: string;
  readonly state: string;
  readonly history_says: string | null;
}

export interface VerifyReport {
  readonly ok: boolean;
  readonly events: number;
  readonly head: { id: number; hash: string } | null;
  readonly chain_break: ChainBreak | null;
  readonly state_mismatches: StateMismatch[];
  /** When an anchor was given: whether that head is still in the chain, unchanged. */
  readonly anchor?: { hash: string; found: boolean; event_id: number | null };
}

export function verifyLedger(db: Database.Database, options: { anchor?: string } = {}): VerifyReport {
  let prev: EventRow | undefined;
  let chainBreak: ChainBreak | null = null;
  let count = 0;
  let anchorId: number | null = null;
  const stmt = db.prepare('SELECT * FROM events ORDER BY id');
  for (const row of stmt.iterate() as IterableIterator<EventRow>) {
    count++;
    if (options.anchor && row.hash === options.anchor) anchorId = row.id;
    if (chainBreak) {
      prev = row;
      continue;
    }
    const expectedId = (prev?.id ?? 0) + 1;
    const expectedPrev = prev?.hash ?? GENESIS_HASH;
    const { hash, ...content } = row;
    if (row.id !== expectedId) {
      chainBreak = { kind: 'deleted', event_id: expectedId, detail: `events ${expectedId}${row.id - 1 > expectedId ? `–${row.id - 1}` : ''} are missing (the next one is ${row.id})` };
    } else if (eventHash(content) !== hash) {
      chainBreak = { kind: 'edited', event_id: row.id, detail: `event ${row.id} (${row.type}) no longer matches its hash: its content was changed` };
    } else if (row.prev_hash !== expectedPrev) {
      chainBreak = { kind: 'inserted_or_reordered', event_id: row.id, detail: `event ${row.id} links to ${row.prev_hash.slice(0, 12)}…, but the event before it is ${expectedPrev.slice(0, 12)}…` };
    }
    prev = row;
  }

  // every record's state must be where its history ends
  const mismatches = (
    db
      .prepare(
        `SELECT r.source_id || '/' || r.external_id AS record, r.state,
                (SELECT e.to_state FROM events e WHERE e.record_id = r.id AND e.to_state IS NOT NULL ORDER BY e.id DESC LIMIT 1) AS history_says
         FROM records r`,
      )
      .all() as StateMismatch[]
  ).filter((m) => m.history_says !== m.state);

  return {
    ok: !chainBreak && mismatches.length === 0 && (!options.anchor || anchorId !== null),
    events: count,
    head: prev ? { id: prev.id, hash: prev.hash } : null,
    chain_break: chainBreak,
    state_mismatches: mismatches,
    ...(options.anchor ? { anchor: { hash: options.anchor, found: anchorId !== null, event_id: anchorId } } : {}),
  };
}
