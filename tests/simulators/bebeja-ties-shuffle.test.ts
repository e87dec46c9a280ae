/** The Bebeja simulator's `ties` (an equal-timestamp group larger than a page) and `shuffle` (data moving while a client pages). */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { BebejaSimulator, type BebejaRecord } from '../../src/simulators/bebeja-simulator.js';

const KEY = { 'X-API-Key': 'bebeja-demo-key' };

interface ListReply {
  data: BebejaRecord[];
  meta: { current_page: number; last_page: number; total: number; per_page: number };
}

async function list(sim: BebejaSimulator, params: Record<string, string | number>, headers: Record<string, string> = KEY): Promise<{ status: number; body: ListReply }> {
  const u = new URL('/api/v1/aduan', sim.url);
  for (const [k, v] of Object.entries(params)) u.searchParams.set(k, String(v));
  const res = await fetch(u, { headers });
  return { status: res.status, body: (await res.json()) as ListReply };
}

function isSorted(rows: BebejaRecord[]): boolean {
  return rows.every((r, i) => {
    const prev = rows[i - 1];
    if (!prev) return true;
    const a = Date.parse(prev.updated_at);
    const b = Date.parse(r.updated_at);
    return a < b || (a === b && prev.id < r.id);
  });
}

describe('BebejaSimulator ties', () => {
  const sim = new BebejaSimulator({ seed: 1000, ties: 250 });

  beforeAll(async () => {
    await sim.start();
  });
  afterAll(async () => {
    await sim.stop();
  });

  it('gives exactly `ties` consecutive records one updated_at, keeping the order', () => {
    const rows = sim.records();
    expect(rows).toHaveLength(1000);
    expect(isSorted(rows)).toBe(true);
    const tie = sim.tieGroup();
    expect(tie?.ids).toHaveLength(250);
    const group = rows.filter((r) => r.updated_at === tie?.updated_at);
    expect(group.map((r) => r.id)).toEqual(tie?.ids);
    expect((tie?.ids[0] as number) > 1 && (tie?.ids.at(-1) as number) < 1000).toBe(true);
    expect(new BebejaSimulator({ seed: 1000, ties: 250 }).records()).toEqual(new BebejaSimulator({ seed: 1000, ties: 250 }).records());
  });

  it('pages through the group, larger than a page, by (updated_at, id)', async () => {
    const tie = sim.tieGroup();
    const seen: BebejaRecord[] = [];
    const first = await list(sim, { updated_since: tie?.updated_at as string, per_page: 100 });
    expect(first.status).toBe(200);
    seen.push(...first.body.data);
    for (let page = 2; page <= 3; page++) seen.push(...(await list(sim, { updated_since: tie?.updated_at as string, per_page: 100, page })).body.data);
    expect(seen.slice(0, 250).map((r) => r.id)).toEqual(tie?.ids);
    expect(seen.slice(0, 250).every((r) => r.updated_at === tie?.updated_at)).toBe(true);
    expect(Date.parse((seen[250] as BebejaRecord).updated_at)).toBeGreaterThan(Date.parse(tie?.updated_at as string));
  });

  it('refuses ties without a numeric seed or beyond it', () => {
    expect(() => new BebejaSimulator({ ties: 5 })).toThrow(/numeric seed/);
    expect(() => new BebejaSimulator({ seed: 10, ties: 11 })).toThrow(/ties/);
    expect(() => new BebejaSimulator({ seed: 10, ties: 2.5 })).toThrow(/ties/);
    expect(new BebejaSimulator({ seed: 10 }).tieGroup()).toBeUndefined();
    expect(new BebejaSimulator({ seed: 10, ties: 10 }).tieGroup()?.ids).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  });
});

describe('BebejaSimulator shuffle', () => {
  const sim = new BebejaSimulator({ seed: 300, shuffle: { rate: 1, seed: 7 } });
  const pristine = new BebejaSimulator({ seed: 300 });

  beforeAll(async () => {
    await sim.start();
  });
  afterAll(async () => {
    await sim.stop();
  });

  it('edits one random record before each page, moving it to the end', async () => {
    expect((await list(sim, {}, {})).status).toBe(401);
    expect(sim.shuffledIds()).toEqual([]);
    const pages: BebejaRecord[][] = [];
    for (let page = 1; page <= 6; page++) {
      pages.push((await list(sim, { page, per_page: 50 })).body.data);
      const shuffled = sim.shuffledIds();
      expect(shuffled).toHaveLength(page);
      const rows = sim.records();
      const moved = shuffled.at(-1) as number;
      expect(rows.at(-1)?.id).toBe(moved);
      expect(isSorted(rows)).toBe(true);
      const before = pristine.get(moved) as BebejaRecord;
      const after = sim.get(moved) as BebejaRecord;
      expect(after.status !== before.status || after.isi !== before.isi).toBe(true);
      expect(Date.parse(after.updated_at)).toBeGreaterThan(Date.parse((rows.at(-2) as BebejaRecord).updated_at));
    }
    // the data moved under an offset-paging client; a page served after an edit already shows it
    const lastPage = pages.at(-1) as BebejaRecord[];
    expect(lastPage.map((r) => r.id).slice(-6)).toEqual(sim.shuffledIds().slice(-6));
  });

  it('is reproducible for a seed, and rate 0 never edits', async () => {
    const again = new BebejaSimulator({ seed: 300, shuffle: { rate: 0.5, seed: 11 } });
    const twin = new BebejaSimulator({ seed: 300, shuffle: { rate: 0.5, seed: 11 } });
    const still = new BebejaSimulator({ seed: 300, shuffle: { rate: 0 } });
    for (const s of [again, twin, still]) await s.start();
    try {
      for (let i = 0; i < 20; i++) for (const s of [again, twin, still]) await list(s, { per_page: 5 });
      expect(again.shuffledIds().length).toBeGreaterThan(0);
      expect(again.shuffledIds().length).toBeLessThan(20);
      expect(twin.shuffledIds()).toEqual(again.shuffledIds());
      expect(still.shuffledIds()).toEqual([]);
    } finally {
      for (const s of [again, twin, still]) await s.stop();
    }
    expect(() => new BebejaSimulator({ shuffle: { rate: 1.5 } })).toThrow(/shuffle.rate/);
  });
});
