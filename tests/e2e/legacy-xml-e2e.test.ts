/**
 * End to end with the legacy XML dialect: the demo Bebeja → a legacy LAPOR! (the simulator with
 * `dialect: 'legacy-xml'`), through the shipped configuration with its `destination:` switched to
 * `dialect: lapor-legacy-xml`, `openBridge` and `runSyncCycle`, real HTTP and a real SQLite ledger.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import Database from 'better-sqlite3';
import { openBridge } from '../../src/bridge.js';
import { loadSettingsOrThrow } from '../../src/settings/load-settings.js';
import { BebejaSimulator, DEMO_SEED_EXPECTATIONS } from '../../src/simulators/bebeja-simulator.js';
import { LaporSimulator } from '../../src/simulators/lapor-simulator.js';
import { sandboxEnv } from '../../src/simulators/sandbox-env.js';
import { runSyncCycle, type SyncSummary } from '../../src/sync/sync-cycle.js';
import { silentLogger } from '../../src/util/logger.js';
import { copyShippedConfig, tempDir } from '../helpers/workdir.js';

const TOKEN = 'legacy-e2e-token-Q7w9Zx3';
let dir: string;
let configFile: string;
let bebeja: BebejaSimulator;
let lapor: LaporSimulator;

/** Replaces the shipped `destination:` block (up to `delivery:`) with a legacy XML one. */
function useLegacyDestination(extra = ''): void {
  const text = fs.readFileSync(configFile, 'utf8');
  const start = text.indexOf('\ndestination:\n');
  const end = text.indexOf('\ndelivery:\n');
  if (start < 0 || end < start) throw new Error('config/bridge.yaml has no destination: block before delivery:');
  const block = ['destination:', '  dialect: lapor-legacy-xml', '  base_url: ${LAPOR_BASE_URL}', '  token: ${LAPOR_TOKEN}', '  ref_template: "Ref: {system}/{external_id}"', extra].filter(Boolean).join('\n');
  fs.writeFileSync(configFile, `${text.slice(0, start + 1)}${block}\n${text.slice(end)}`);
}

/** One bridge process: open, one cycle, close. */
async function run(): Promise<SyncSummary> {
  const bridge = await openBridge(loadSettingsOrThrow(configFile), { logger: silentLogger() });
  try {
    expect(bridge.sink.dialect).toBe('lapor-legacy-xml');
    return await runSyncCycle(bridge);
  } finally {
    await bridge.close();
  }
}

function ledgerSql<T>(sql: string): T[] {
  const db = new Database(loadSettingsOrThrow(configFile).ledgerPath, { readonly: true });
  try {
    return db.prepare(sql).all() as T[];
  } finally {
    db.close();
  }
}

/** The Ref: line of every complaint LAPOR! holds (duplicates show up as repeats). */
const laporRefs = (): string[] => lapor.complaints().map((c) => String(c.body.isi).split('\n').pop() ?? '');

beforeEach(async () => {
  dir = tempDir('sp4n-legacy-e2e-');
  configFile = copyShippedConfig(dir, { immediateReconcile: true });
  bebeja = new BebejaSimulator({ seed: 'demo' });
  lapor = new LaporSimulator({ dialect: 'legacy-xml', bearerToken: TOKEN });
  await bebeja.start();
  await lapor.start();
  Object.assign(process.env, sandboxEnv(bebeja, lapor, 'legacy-e2e-pii-key'));
});

afterEach(async () => {
  await bebeja.stop();
  await lapor.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('demo Bebeja → legacy LAPOR! (lapor-legacy-xml)', () => {
  it('delivers every valid complaint exactly once over two runs', async () => {
    useLegacyDestination();
    const delivered = DEMO_SEED_EXPECTATIONS.delivered.length;
    const first = await run();
    expect(first.delivery).toMatchObject({ delivered, in_doubt: 0 });
    expect(first.states).toEqual({ delivered, quarantined: DEMO_SEED_EXPECTATIONS.quarantined.length });
    const second = await run();
    expect(second.delivery).toMatchObject({ delivered: 0, in_doubt: 0 });
    expect(second.states).toEqual(first.states);

    // exactly once: one LAPOR! complaint per delivered record, no repeats, ids agree with the ledger
    expect(lapor.complaints()).toHaveLength(delivered);
    expect(new Set(laporRefs()).size).toBe(delivered);
    const rows = ledgerSql<{ lapor_id: string; external_id: string }>("SELECT lapor_id, external_id FROM records WHERE state = 'delivered'");
    expect(rows).toHaveLength(delivered);
    for (const row of rows) {
      const c = lapor.complaints().find((x) => x.id === row.lapor_id);
      expect(String(c?.body.isi).split('\n').pop()).toBe(`Ref: bebeja/${row.external_id}`);
    }
    expect(lapor.requests().filter((r) => r.method === 'POST')).toHaveLength(delivered);
  });

  it('sends <pelapor> for named complaints only, never a NIK, and keeps the token out of the ledger', async () => {
    useLegacyDestination();
    await run();
    const byRef = new Map(lapor.complaints().map((c) => [String(c.body.isi).split('\n').pop(), c]));
    const anonymous = DEMO_SEED_EXPECTATIONS.anonymous.filter((id) => DEMO_SEED_EXPECTATIONS.delivered.includes(id));
    expect(anonymous.length).toBeGreaterThan(0);
    for (const id of DEMO_SEED_EXPECTATIONS.delivered) {
      const c = byRef.get(`Ref: bebeja/${id}`);
      expect(c).toBeDefined();
      if (anonymous.includes(id)) {
        expect(c?.body.anonim).toBe('1');
        expect(c?.body).not.toHaveProperty('pelapor');
        expect(c?.raw).not.toContain('<pelapor');
      } else {
        expect(c?.body.anonim).toBe('0');
        expect(c?.body.pelapor).toEqual(expect.objectContaining({ namadepan: expect.any(String), telpon: expect.any(String) }));
      }
      expect(c?.raw).not.toMatch(/\d{16}/); // no NIK
    }
    // the ledger never holds the token: not in attempt replies, not anywhere in the file
    const replies = ledgerSql<{ reply: string | null }>('SELECT reply FROM attempts');
    expect(replies.length).toBeGreaterThan(0);
    expect(replies.every((r) => r.reply === null || !r.reply.includes(TOKEN))).toBe(true);
    expect(replies.some((r) => r.reply?.includes('<transaksiid>TRX'))).toBe(true);
    const ledgerDir = path.dirname(loadSettingsOrThrow(configFile).ledgerPath);
    for (const f of fs.readdirSync(ledgerDir)) expect(fs.readFileSync(path.join(ledgerDir, f)).includes(TOKEN)).toBe(false);
  });

  it('with a search configured, a 500 after LAPOR! stored the complaint is reconciled by lookup, not sent twice', async () => {
    useLegacyDestination('  lookup:\n    path: /api/stream/search\n    param: q');
    lapor.setFaults([{ match: 'create', status: 500, storeThenFail: true }]);
    const delivered = DEMO_SEED_EXPECTATIONS.delivered.length;
    const first = await run();
    expect(first.delivery).toMatchObject({ delivered: delivered - 1, in_doubt: 1 });
    const second = await run();
    expect(second.delivery).toMatchObject({ reconciled: 1, delivered: 0 });
    expect(second.states).toMatchObject({ delivered });
    expect(laporRefs()).toHaveLength(delivered);
    expect(new Set(laporRefs()).size).toBe(delivered);
  });

  it('without a search (the default), an in-doubt send waits in needs_review: never a silent resend', async () => {
    useLegacyDestination();
    lapor.setFaults([{ match: 'create', dropConnection: true, storeThenFail: true }]);
    const delivered = DEMO_SEED_EXPECTATIONS.delivered.length;
    await run();
    const second = await run();
    expect(second.delivery?.needs_review).toBe(1);
    expect(second.states).toMatchObject({ delivered: delivered - 1, needs_review: 1 });
    expect(laporRefs()).toHaveLength(delivered);
    expect(new Set(laporRefs()).size).toBe(delivered);
  });
});
