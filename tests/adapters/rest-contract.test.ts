/** The shared contract suite against the rest adapter, over the Bebeja simulator. */
import { RestAdapter } from '../../src/adapters/rest/rest-adapter.js';
import { restConfigSchema } from '../../src/adapters/rest/rest-config.js';
import { BebejaSimulator } from '../../src/simulators/bebeja-simulator.js';
import { silentLogger } from '../../src/util/logger.js';
import { adapterContractSuite, type AdapterFixture } from './adapter-suite.js';

async function fixture(): Promise<AdapterFixture> {
  const sim = new BebejaSimulator({ seed: 'none' });
  await sim.start();
  const make = (key: string, url = sim.url) => {
    process.env.CONTRACT_BEBEJA_KEY = key;
    const config = restConfigSchema.parse({
      type: 'rest',
      base_url: url,
      records_path: '/api/v1/aduan',
      auth: { type: 'api_key', header: 'X-API-Key', value: '${CONTRACT_BEBEJA_KEY}' },
      pagination: { page_size: 3 },
      incremental: { lookback: '0s', clock_skew: '0s' },
    });
    return new RestAdapter(config, { sourceId: 'contract', logger: silentLogger(), now: () => new Date() });
  };
  const adapter = make(sim.apiKey);
  return {
    adapter,
    batchSize: 3,
    brokenSecret: 'wrong-api-key-123',
    async add(rows) {
      for (const r of rows) {
        const id = sim.add({ id: Number(r.id), judul: r.judul, isi: r.isi });
        sim.edit(id, {}, { updatedAt: r.updated_at });
      }
    },
    async edit(id, patch) {
      sim.edit(Number(id), { isi: patch.isi });
    },
    broken: () => make('wrong-api-key-123'),
    async teardown() {
      await sim.stop();
    },
  };
}

adapterContractSuite('rest (Bebeja simulator)', fixture, { incremental: true });
