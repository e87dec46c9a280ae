/**
 * The source adapter contract (DESIGN §6, STYLE.md).
 *
 * An adapter reads complaints from one local system in batches, starting from a cursor the ledger
 * saved. Intake maps each batch and commits it together with the batch's cursor in ONE
 * transaction; only then does it call `settle()` (archive a file, answer a webhook). Re-reads
 * are harmless: the ledger deduplicates by `(source, externalId)` and content hash.
 *
 * Lifecycle: `open` → any number of `read` walks → `close` (idempotent).
 */
import type { Logger } from 'winston';
import type { ZodType } from 'zod';

/** One record as the source gave it, with the key the ledger tracks it by. */
export interface SourceRecord {
  /** Stable id in the source; the ledger's identity for the record. */
  readonly externalId: string;
  /** The record exactly as the source returned it; the mapping reads from it. */
  readonly raw: unknown;
  /** Set when the adapter already knows the record cannot be used: it is quarantined with this reason. */
  readonly problem?: string;
}

export interface SourceBatch<C> {
  readonly records: readonly SourceRecord[];
  /** Where to resume after this batch once it is durable. */
  readonly cursor: C;
  /** Runs only after the ledger commit of this batch. */
  settle?(): Promise<void>;
}

export interface ReadOptions {
  /** Ignore the saved cursor and read everything (`sync --full`). */
  readonly full?: boolean;
  /** Backfill: read from this time instead of the saved cursor (`sync --since`). */
  readonly since?: Date;
  readonly signal?: AbortSignal;
}

export interface AdapterContext {
  readonly sourceId: string;
  readonly logger: Logger;
  readonly now: () => Date;
}

export interface CheckResult {
  readonly ok: boolean;
  readonly message: string;
}

export interface StatusUpdate {
  readonly status: string;
  readonly note: string;
  readonly trackingId: string;
}

export interface AdapterCapabilities {
  /** Reads from a saved cursor (rest, sql); otherwise every read consumes what is waiting. */
  readonly incremental: boolean;
  readonly writeBack: boolean;
  /** The source pushes (webhook): `read()` drains what is queued and returns; see `onPending`. */
  readonly push?: boolean;
}

export interface SourceAdapter<C = unknown> {
  readonly kind: string;
  readonly capabilities: AdapterCapabilities;
  open(): Promise<void>;
  read(from: C | undefined, options?: ReadOptions): AsyncIterable<SourceBatch<C>>;
  /** Reachable and authenticated? Used by `config check` and `doctor`. */
  check?(signal?: AbortSignal): Promise<CheckResult>;
  writeBack?(externalId: string, update: StatusUpdate): Promise<void>;
  /**
   * Push adapters: `listener` is called whenever records are waiting, so the daemon runs an
   * intake right away instead of waiting for the next tick.
   */
  onPending?(listener: () => void): void;
  close(): Promise<void>;
}

/** How the registry builds an adapter: its config schema lives next to its code. */
export interface AdapterFactory<Config = unknown> {
  readonly kind: string;
  readonly description: string;
  readonly configSchema: ZodType<Config>;
  create(config: Config, ctx: AdapterContext): SourceAdapter;
}
