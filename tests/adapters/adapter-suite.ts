/**
 * The shared adapter contract suite (DESIGN §6, STYLE.md): every source adapter — built in or a
 * plugin — runs these same tests through a small fixture that knows how to put rows into its
 * kind of source. Use it from a `*.test.ts` file:
 *
 *   adapterContractSuite('sql (postgres)', makeFixture, { incremental: true });
 */
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import type { SourceAdapter, SourceBatch, SourceRecord } from '../../src/adapters/adapter.js';

/** A complaint as the suite writes it; fixtures turn it into their source's own shape. */
export interface SuiteRow {
  readonly id: string;
  readonly judul: string;
  readonly isi: string;
  /** ISO 8601 with offset. */
  readonly updated_at: string;
}

export interface AdapterFixture {
  /** An adapter over a fresh, empty source (already opened). */
  readonly adapter: SourceAdapter;
  /** The most records one batch holds, to build groups larger than a batch. */
  readonly batchSize: number;
  add(rows: readonly SuiteRow[]): Promise<void>;
  /** Changes a row; its `updated_at` becomes later than every other row's. */
  edit(id: string, patch: Pick<SuiteRow, 'isi'>): Promise<void>;
  /** An adapter for the same kind of source with a wrong password or URL, for `check()`. */
  broken(): SourceAdapter;
  /** The secret the broken adapter uses, which must not appear in its message. */
  readonly brokenSecret?: string;
  teardown(): Promise<void>;
}

export interface SuiteOptions {
  /** Reads from a saved cursor (rest, sql); otherwise a read consumes what is waiting. */
  readonly incremental: boolean;
}

let seq = 0;
/** Rows with distinct, increasing timestamps (or one shared timestamp). */
export function suiteRows(n: number, options: { sameTime?: string; start?: number } = {}): SuiteRow[] {
  const base = Date.parse('2024-03-01T08:00:00+07:00') + (options.start ?? 0) * 60_000;
  return Array.from({ length: n }, (_, i) => {
    seq++;
    return {
      id: `${seq}`,
      judul: `Pengaduan uji ${seq}`,
      isi: `Isi pengaduan uji nomor ${seq}: jalan berlubang di desa.`,
      updated_at: options.sameTime ?? new Date(base + i * 60_000).toISOString().replace('Z', '+00:00'),
    };
  });
}

/** One complete walk: every batch settled after (pretend) commit; returns records and last cursor. */
export async function walk(adapter: SourceAdapter, from?: unknown, onBatch?: (b: SourceBatch<unknown>, i: number) => Promise<void>): Promise<{ records: SourceRecord[]; cursor: unknown; batches: number }> {
  const records: SourceRecord[] = [];
  let cursor: unknown;
  let i = 0;
  for await (const b of adapter.read(from)) {
    records.push(...b.records);
    cursor = b.cursor;
    await b.settle?.();
    await onBatch?.(b, i);
    i++;
  }
  return { records, cursor, batches: i };
}

const idsOf = (records: readonly SourceRecord[]) => new Set(records.map((r) => r.externalId));

export function adapterContractSuite(name: string, makeFixture: () => Promise<AdapterFixture>, options: SuiteOptions): void {
  describe(`adapter contract: ${name}`, () => {
    let f: AdapterFixture;
    beforeEach(async () => {
      f = await makeFixture();
    });
    afterEach(async () => {
      await f.adapter.close();
      await f.teardown();
    });

    it('an empty source yields no records', async () => {
      const { records } = await walk(f.adapter);
      expect(records).toEqual([]);
    });

    it('reads every record, under stable keys', async () => {
      const rows = suiteRows(7);
      await f.add(rows);
      const first = await walk(f.adapter);
      expect(idsOf(first.records)).toEqual(new Set(rows.map((r) => r.id)));
      if (options.incremental) {
        const again = await walk(f.adapter);
        expect(idsOf(again.records)).toEqual(idsOf(first.records));
      }
    });

    it('resumes from where it stopped: new records are read, consumed ones are not read again', async () => {
      const old = suiteRows(5);
      await f.add(old);
      const first = await walk(f.adapter);
      const fresh = suiteRows(3, { start: 1000 });
      await f.add(fresh);
      const second = await walk(f.adapter, first.cursor);
      const got = idsOf(second.records);
      for (const r of fresh) expect(got.has(r.id)).toBe(true);
      // a cursor-based source may re-read inside its lookback window (the ledger skips those)
      if (!options.incremental) for (const r of old) expect(got.has(r.id)).toBe(false);
      const known = new Set([...old, ...fresh].map((r) => r.id));
      for (const id of got) expect(known.has(id)).toBe(true);
    });

    it('reads a group of equal timestamps larger than a batch completely', async () => {
      const rows = suiteRows(f.batchSize * 2 + 3, { sameTime: '2024-04-01T10:00:00+07:00' });
      await f.add(rows);
      const { records } = await walk(f.adapter);
      expect(idsOf(records)).toEqual(new Set(rows.map((r) => r.id)));
    });

    it('a record edited between batches ends up read in its new version', async () => {
      const rows = suiteRows(f.batchSize * 2 + 1);
      await f.add(rows);
      let edited: string | undefined;
      const first = await walk(f.adapter, undefined, async (b, i) => {
        if (i === 0 && b.records[0]) {
          edited = b.records[0].externalId;
          await f.edit(edited, { isi: 'Isi diperbarui di tengah pembacaan.' });
        }
      });
      expect(edited).toBeDefined();
      const all = [...first.records, ...(await walk(f.adapter, first.cursor)).records];
      expect(idsOf(all)).toEqual(new Set(rows.map((r) => r.id)));
      const versions = all.filter((r) => r.externalId === edited).map((r) => JSON.stringify(r.raw));
      expect(versions.some((v) => v.includes('Isi diperbarui di tengah pembacaan.'))).toBe(true);
    });

    it('close is idempotent', async () => {
      await f.adapter.close();
      await expect(f.adapter.close()).resolves.toBeUndefined();
    });

    it('check() says clearly when the password or URL is wrong, without the secret', async () => {
      expect((await f.adapter.check?.())?.ok ?? true).toBe(true);
      const broken = f.broken();
      try {
        const r = await broken.check?.();
        expect(r).toBeDefined();
        expect(r?.ok).toBe(false);
        expect(r?.message.length).toBeGreaterThan(10);
        if (f.brokenSecret) expect(r?.message).not.toContain(f.brokenSecret);
      } finally {
        await broken.close();
      }
    });
  });
}
