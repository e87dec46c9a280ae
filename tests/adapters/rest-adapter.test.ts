/**
 * The rest adapter against the Bebeja simulator on 127.0.0.1 (the preset's real target shape).
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { AdapterError } from '../../src/adapters/errors.js';
import { adapterKinds, adapterRegistry } from '../../src/adapters/registry.js';
import { RestAdapter, type RestCursor } from '../../src/adapters/rest/rest-adapter.js';
import { restConfigSchema } from '../../src/adapters/rest/rest-config.js';
import { BebejaSimulator, DEMO_SEED_EXPECTATIONS } from '../../src/simulators/bebeja-simulator.js';
import { silentLogger } from '../../src/util/logger.js';
import { REPO_ROOT } from '../helpers/workdir.js';

let sim: BebejaSimulator;
const adapters: RestAdapter[] = [];

function adapter(over: Record<string, unknown> = {}, now = () => new Date()): RestAdapter {
  process.env.TEST_BEBEJA_KEY = sim.apiKey;
  const config = restConfigSchema.parse({
    type: 'rest',
    base_url: sim.url,
    records_path: '/api/v1/aduan',
    auth: { type: 'api_key', header: 'X-API-Key', value: '${TEST_BEBEJA_KEY}' },
    pagination: { page_size: 2 },
    ...over,
  });
  const a = new RestAdapter(config, { sourceId: 'bebeja', logger: silentLogger(), now });
  adapters.push(a);
  return a;
}

async function readAll(a: RestAdapter, from?: RestCursor, options = {}) {
  const ids: string[] = [];
  let cursor: RestCursor | undefined;
  let batches = 0;
  for await (const b of a.read(from, options)) {
    ids.push(...b.records.map((r) => r.externalId));
    cursor = b.cursor;
    batches++;
  }
  return { ids, cursor, batches };
}

beforeAll(async () => {
  sim = new BebejaSimulator({ seed: 'demo' });
  await sim.start();
});
beforeEach(() => sim.setFault(undefined));
afterEach(async () => {
  for (const a of adapters.splice(0)) await a.close();
});
afterAll(async () => {
  await sim.stop();
});

describe('rest adapter', () => {
  it('is registered, and every adapter folder is registered', () => {
    const folders = fs.readdirSync(path.join(REPO_ROOT, 'src', 'adapters'), { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name);
    expect(folders.sort()).toEqual(adapterKinds().sort());
    expect(adapterRegistry.rest?.kind).toBe('rest');
  });

  it('reads every record once or more, even when a group of equal timestamps is larger than a page', async () => {
    expect(DEMO_SEED_EXPECTATIONS.tiedUpdatedAt.length).toBeGreaterThan(2); // larger than page_size 2
    const { ids, cursor } = await readAll(adapter());
    const all = sim.records().map((r) => String(r.id));
    expect(new Set(ids)).toEqual(new Set(all));
    const last = sim.records().at(-1);
    expect(cursor).toEqual({ updated_at: new Date(String(last?.updated_at)).toISOString(), id: String(last?.id) });
  });

  it('resumes from a saved cursor and reads only what is new (plus the lookback window)', async () => {
    const a = adapter({ incremental: { lookback: '0s' } });
    const first = await readAll(a);
    const again = await readAll(a, first.cursor);
    // inclusive lower bound: at most the records at the cursor's own timestamp come back
    const tail = sim.records().filter((r) => new Date(r.updated_at).getTime() === Date.parse(first.cursor?.updated_at ?? '')).map((r) => String(r.id));
    expect(new Set(again.ids)).toEqual(new Set(tail));
    const edited = sim.records()[0]?.id as number;
    sim.edit(edited, { judul: 'Judul diperbarui' });
    const third = await readAll(a, again.cursor);
    expect(third.ids).toContain(String(edited));
  });

  it('a record edited mid-walk moves to the end and is still read', async () => {
    const a = adapter();
    const seen: string[] = [];
    let editedId: number | undefined;
    for await (const b of a.read(undefined)) {
      seen.push(...b.records.map((r) => r.externalId));
      if (editedId === undefined) {
        editedId = Number(b.records[0]?.externalId);
        sim.edit(editedId, { isi: 'diubah di tengah jalan' });
      }
    }
    expect(seen.filter((id) => id === String(editedId)).length).toBe(2);
  });

  it('never moves the cursor past the sync start minus the clock skew', async () => {
    const id = sim.add({ judul: 'Baru', isi: 'Pengaduan baru' });
    const { cursor } = await readAll(adapter({ incremental: { clock_skew: '1h' } }));
    expect(Date.parse(cursor?.updated_at ?? '')).toBeLessThanOrEqual(Date.now() - 3_600_000);
    expect(sim.records().find((r) => r.id === id)).toBeDefined();
  });

  it('retries a transient 503 from the source', async () => {
    let calls = 0;
    sim.setFault(() => (++calls === 1 ? { status: 503 } : undefined));
    const { ids } = await readAll(adapter({ pagination: { page_size: 100 } }));
    expect(calls).toBeGreaterThan(1);
    expect(new Set(ids).size).toBe(sim.records().length);
  });

  it('fails clearly on a wrong API key, without leaking it', async () => {
    process.env.TEST_BEBEJA_WRONG = 'wrong-key-12345';
    const a = adapter({ auth: { type: 'api_key', header: 'X-API-Key', value: '${TEST_BEBEJA_WRONG}' } });
    await expect(readAll(a)).rejects.toThrow(AdapterError);
    await expect(readAll(a)).rejects.toThrow(/\[bebeja\] GET \/api\/v1\/aduan: HTTP 401, check the source's credentials/);
    const check = await a.check();
    expect(check.ok).toBe(false);
    expect(check.message).toMatch(/401/);
    expect(check.message).not.toContain('wrong-key-12345');
  });

  it('reports an unreachable source by name', async () => {
    process.env.TEST_BEBEJA_KEY = 'x';
    const config = restConfigSchema.parse({ type: 'rest', base_url: 'http://127.0.0.1:9', records_path: '/api/v1/aduan', auth: { type: 'api_key', value: '${TEST_BEBEJA_KEY}' } });
    const a = new RestAdapter(config, { sourceId: 'bebeja', logger: silentLogger(), now: () => new Date() });
    adapters.push(a);
    const check = await a.check();
    expect(check).toEqual({ ok: false, message: expect.stringMatching(/^\[bebeja\] GET \/api\/v1\/aduan: ECONNREFUSED/) });
  });

  it('rejects a response whose records field is not a list', async () => {
    sim.setFault(() => ({ status: 200, body: { data: { oops: true } } }));
    await expect(readAll(adapter())).rejects.toThrow(/"data" is not a list/);
  });

  it('a backfill starting after the saved cursor does not move the cursor past what it skipped', async () => {
    const a = adapter();
    const saved: RestCursor = { updated_at: new Date(Date.parse(sim.records()[0]?.updated_at ?? '')).toISOString(), id: '' };
    const later = new Date(Date.parse(sim.records().at(-3)?.updated_at ?? ''));
    const { cursor, ids } = await readAll(a, saved, { since: later });
    expect(ids.length).toBeGreaterThan(0);
    expect(cursor).toEqual(saved);
  });

  it('a record without an id is passed on as a problem under a stable made-up key, and the walk goes on', async () => {
    sim.setFault(({ query }) => (query.page === '1' && !query.updated_since ? { status: 200, body: { data: [{ judul: 'tanpa id', updated_at: '2024-01-01T00:00:00+07:00' }, ...sim.records().slice(0, 1)], meta: { current_page: 1, last_page: 1 } } } : undefined));
    const records = [];
    for await (const b of adapter({ pagination: { page_size: 100 } }).read(undefined)) records.push(...b.records);
    const bad = records.find((r) => r.externalId.startsWith('noid:'));
    expect(bad?.problem).toMatch(/has no "id"/);
    expect(records.some((r) => r.externalId === String(sim.records()[0]?.id))).toBe(true);
  });

  it('writes back status to Bebeja', async () => {
    const a = adapter({ write_back: { path: '/api/v1/aduan/{id}/tindak-lanjut' } });
    await a.writeBack('1', { status: 'diproses', note: 'Diteruskan ke Dinas PUPR', trackingId: 'L-1' });
    expect(sim.writeBacks().at(-1)).toMatchObject({ id: 1, status: 'diproses', keterangan: 'Diteruskan ke Dinas PUPR', tracking_id: 'L-1' });
  });
});
