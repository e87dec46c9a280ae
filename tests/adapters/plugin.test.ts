/**
 * Adapter plugins: the example plugin in examples/ passes the shared contract suite, loads
 * from a source file by path, and a broken plugin is a clear config problem.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import type { SourceAdapter } from '../../src/adapters/adapter.js';
import { loadPlugin, preloadPlugins } from '../../src/adapters/plugins.js';
import { openBridge } from '../../src/bridge.js';
import { loadSettings, loadSettingsOrThrow } from '../../src/settings/load-settings.js';
import { LaporSimulator } from '../../src/simulators/lapor-simulator.js';
import { runSyncCycle } from '../../src/sync/sync-cycle.js';
import { silentLogger } from '../../src/util/logger.js';
import { copyShippedConfig, REPO_ROOT, tempDir, write } from '../helpers/workdir.js';
import { adapterContractSuite, type AdapterFixture } from './adapter-suite.js';

const EXAMPLE = path.join(REPO_ROOT, 'examples', 'jsonl-adapter', 'jsonl-adapter.mjs');

async function fixture(): Promise<AdapterFixture> {
  const factory = await loadPlugin(EXAMPLE, REPO_ROOT);
  const dir = tempDir('sp4n-jsonl-');
  const file = path.join(dir, 'aduan.jsonl');
  const make = (f: string): SourceAdapter => factory.create(factory.configSchema.parse({ type: 'jsonl', file: f, batch_size: 3 }) as never, { sourceId: 'jsonl', logger: silentLogger(), now: () => new Date() });
  const rows = new Map<string, Record<string, unknown>>();
  return {
    adapter: make(file),
    batchSize: 3,
    async add(list) {
      for (const r of list) rows.set(r.id, { ...r });
      fs.appendFileSync(file, list.map((r) => `${JSON.stringify(r)}\n`).join(''));
    },
    async edit(id, patch) {
      const row = { ...rows.get(id), ...patch, updated_at: new Date().toISOString() };
      fs.appendFileSync(file, `${JSON.stringify(row)}\n`);
    },
    broken: () => make(path.join(dir, 'missing-folder', 'aduan.jsonl')),
    async teardown() {
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

adapterContractSuite('example plugin (examples/jsonl-adapter)', fixture, { incremental: true });

describe('plugins in source files', () => {
  it('a source names a plugin by path; it loads and its config is validated by its own schema', async () => {
    const dir = tempDir('sp4n-plugin-cfg-');
    try {
      Object.assign(process.env, { SP4N_PII_KEY: 'k', LAPOR_BASE_URL: 'http://127.0.0.1:9/lapor', LAPOR_TOKEN: 't1234', LAPOR_APP_TOKEN: 't5678' });
      const file = copyShippedConfig(dir);
      fs.rmSync(path.join(dir, 'config', 'sources', 'bebeja.yaml'));
      const rel = path.relative(path.join(dir, 'config', 'sources'), EXAMPLE);
      const source = write(path.join(dir, 'config', 'sources', 'spool.yaml'), `id: spool\nadapter:\n  type: ${rel}\n  file: ${dir}/aduan.jsonl\n  colour: red\nmapping:\n  fields:\n    source.received_at: { path: updated_at, transforms: [parse_datetime] }\n    title: { path: judul }\n    content: { path: isi }\n    channel: { value: other }\n`);
      await preloadPlugins(file);
      const bad = loadSettings(file);
      expect(bad.ok).toBe(false);
      expect(!bad.ok && bad.problems).toEqual([expect.objectContaining({ file: source, path: 'adapter.colour', message: 'unknown key' })]);
      fs.writeFileSync(source, fs.readFileSync(source, 'utf8').replace('  colour: red\n', ''));
      const good = loadSettings(file);
      expect(good.ok && good.value.sources.map((s) => `${s.id}:${s.adapterKind}`)).toEqual(['spool:jsonl']);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('end to end: records from the plugin reach LAPOR! exactly once over two runs', async () => {
    const dir = tempDir('sp4n-plugin-e2e-');
    const lapor = new LaporSimulator();
    await lapor.start();
    try {
      Object.assign(process.env, { SP4N_PII_KEY: 'k', LAPOR_BASE_URL: lapor.url, LAPOR_TOKEN: lapor.bearerToken, LAPOR_APP_TOKEN: lapor.appToken });
      const file = copyShippedConfig(dir, { immediateReconcile: true });
      fs.rmSync(path.join(dir, 'config', 'sources', 'bebeja.yaml'));
      const spool = path.join(dir, 'aduan.jsonl');
      const rel = path.relative(path.join(dir, 'config', 'sources'), EXAMPLE);
      write(path.join(dir, 'config', 'sources', 'spool.yaml'), `id: spool\nadapter:\n  type: ${rel}\n  file: ${spool}\nmapping:\n  fields:\n    source.received_at: { path: updated_at, transforms: [parse_datetime] }\n    title: { path: judul }\n    content: { path: isi }\n    channel: { value: other }\n`);
      fs.writeFileSync(spool, [1, 2, 3].map((i) => JSON.stringify({ id: i, judul: `Aduan ${i}`, isi: `Isi aduan ${i}`, updated_at: '2024-06-01 09:00:00' })).join('\n') + '\n');
      await preloadPlugins(file);
      const b = await openBridge(loadSettingsOrThrow(file), { logger: silentLogger() });
      try {
        await runSyncCycle(b);
        await runSyncCycle(b);
        expect(b.ledger.countsByState()).toEqual({ delivered: 3 });
        expect(lapor.complaints().map((c) => String(c.body.content).split('\n').pop()).sort()).toEqual(['Ref: spool/1', 'Ref: spool/2', 'Ref: spool/3']);
      } finally {
        await b.close();
      }
    } finally {
      await lapor.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a plugin that cannot be loaded is a config problem naming the module', async () => {
    const dir = tempDir('sp4n-plugin-bad-');
    try {
      const file = copyShippedConfig(dir);
      write(path.join(dir, 'config', 'sources', 'x.yaml'), 'id: x\nadapter:\n  type: ./no-such-plugin.mjs\nmapping:\n  fields: {}\n');
      await preloadPlugins(file);
      const r = loadSettings(file);
      expect(!r.ok && r.problems.find((p) => p.path === 'adapter.type')?.message).toMatch(/cannot load adapter plugin "\.\/no-such-plugin\.mjs"/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
