/**
 * `npm run crash-test -- --kills 200 --records 5000 [--lookup off] [--seed N]`: the large crash
 * test (see bench/crash/crash-harness.ts); prints the tally and exits 1 if anything is wrong.
 */
import { parseArgs } from 'node:util';
import { runCrashTest } from './crash/crash-harness.js';

const { values } = parseArgs({
  options: {
    kills: { type: 'string', default: '200' },
    records: { type: 'string', default: '5000' },
    lookup: { type: 'string', default: 'on' },
    seed: { type: 'string', default: '42' },
    faults: { type: 'string' },
    quiet: { type: 'boolean', default: false },
  },
});
const kills = Number(values.kills);
const records = Number(values.records);
if (!Number.isInteger(kills) || kills < 0 || !Number.isInteger(records) || records < 1 || !['on', 'off'].includes(values.lookup)) {
  console.error('usage: npm run crash-test -- [--kills N] [--records N] [--lookup on|off] [--seed N] [--faults SPEC]');
  process.exit(2);
}
const started = Date.now();
const tally = await runCrashTest({
  kills,
  records,
  lookup: values.lookup === 'on',
  seed: Number(values.seed),
  faults: values.faults,
  log: values.quiet ? undefined : (line) => console.error(line),
});
console.log(JSON.stringify({ ...tally, seconds: Math.round((Date.now() - started) / 1000) }, null, 2));
process.exit(tally.ok ? 0 : 1);
