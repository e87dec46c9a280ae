/**
 * A record quarantined for an unknown category is delivered once a row is added to the lookup
 * CSV — with no change at the source, and no duplicate: the new mapping version triggers a full
 * re-scan that re-evaluates quarantined records.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, expect, it } from '@jest/globals';
import Database from 'better-sqlite3';
import { openBridge } from '../../src/bridge.js';
import { loadSettingsOrThrow } from '../../src/settings/load-settings.js';
import { BebejaSimulator } from '../../src/simulators/bebeja-simulator.js';
import { LaporSimulator } from '../../src/simulators/lapor-simulator.js';
import { sandboxEnv } from '../../src/simulators/sandbox-env.js';
import { runSyncCycle } from '../../src/sync/sync-cycle.js';
import { silentLogger } from '../../src/util/logger.js';
import { copyShippedConfig, tempDir } from '../helpers/workdir.js';

let dir: string;
let bebeja: BebejaSimulator;
let lapor: LaporSimulator;

beforeEach(async () => {
  dir = tempDir('sp4n-mapver-');
  bebeja = new BebejaSimulator({ seed: 3 });
  lapor = new LaporSimulator();
  await bebeja.start();
  await lapor.start();
  Object.assign(process.env, sandboxEnv(bebeja, lapor, 'mapver-pii-key'));
});

afterEach(async () => {
  await bebeja.stop();
  await lapor.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

async function sync(file: string) {
  const b = await openBridge(loadSettingsOrThrow(file), { logger: silentLogger() });
  try {
    return await runSyncCycle(b);
  } finally {
    await b.close();
  }
}

it('unknown category (strict) → quarantined; a row added to the lookup → delivered, once', async () => {
  const file = copyShippedConfig(dir);
  const source = path.join(dir, 'config', 'sources', 'bebeja.yaml');
  const text = fs.readFileSync(source, 'utf8');
  const strict = text.replace(/(category\.lapor_category_id:\n\s+path: kategori\n\s+transforms: \[[^\n]*\]\n)/, '$1      on_error: quarantine\n');
  expect(strict).not.toBe(text);
  fs.writeFileSync(source, strict);
  const id = bebeja.add({ judul: 'Sengketa batas tanah', isi: 'Batas tanah warga digeser tanpa musyawarah.', kategori: 'Pertanahan' });

  const first = await sync(file);
  expect(first.sources[0]?.quarantine_reasons).toEqual([{ external_id: String(id), reason: expect.stringMatching(/category\.lapor_category_id: lookup: "Pertanahan" is not in bebeja-kategori\.csv/) }]);
  expect(first.states).toEqual({ delivered: 3, quarantined: 1 });
  expect((await sync(file)).states).toEqual({ delivered: 3, quarantined: 1 }); // nothing changes by itself

  fs.appendFileSync(path.join(dir, 'config', 'lookups', 'bebeja-kategori.csv'), 'Pertanahan,95\n');
  const fixed = await sync(file);
  expect(fixed.states).toEqual({ delivered: 4 });
  const sent = lapor.complaints().filter((c) => String(c.body.content).endsWith(`Ref: bebeja/${id}`));
  expect(sent).toHaveLength(1);
  expect(sent[0]?.body.category_id).toBe(95);
  expect(lapor.complaints()).toHaveLength(4);
  expect((await sync(file)).states).toEqual({ delivered: 4 });
  expect(lapor.complaints()).toHaveLength(4);
});

it('a new mapping that changes how delivered complaints look is not an update: no follow-up is sent', async () => {
  const file = copyShippedConfig(dir);
  fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace('on_change: record', 'on_change: followup'));
  await sync(file);
  expect(lapor.complaints()).toHaveLength(3);

  const source = path.join(dir, 'config', 'sources', 'bebeja.yaml');
  const text = fs.readFileSync(source, 'utf8');
  const shouting = text.replace(/title: \{ path: judul, transforms: \[([^\]]*)\] \}/, 'title: { path: judul, transforms: [$1, upper] }');
  expect(shouting).not.toBe(text);
  fs.writeFileSync(source, shouting);
  const remapped = await sync(file);
  expect(remapped.states).toEqual({ delivered: 3 });
  expect(remapped.delivery).toMatchObject({ updates_sent: 0, updates_recorded: 0 });
  expect(lapor.complaints().every((c) => c.followups.length === 0)).toBe(true);
  const db = new Database(loadSettingsOrThrow(file).ledgerPath, { readonly: true });
  const types = (db.prepare("SELECT type FROM events WHERE type IN ('remapped_after_delivery', 'changed_after_delivery')").all() as { type: string }[]).map((e) => e.type);
  db.close();
  expect(types).toEqual(['remapped_after_delivery', 'remapped_after_delivery', 'remapped_after_delivery']);

  // a real change at the source still is an update
  bebeja.edit(1, { isi: 'Tambahan dari pelapor: kondisinya makin parah.' });
  const changed = await sync(file);
  expect(changed.delivery).toMatchObject({ updates_sent: 1 });
  expect(lapor.complaints()).toHaveLength(3);
});
