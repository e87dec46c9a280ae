/** Bench working folders: a copy of the shipped config with the bench's settings, in os.tmpdir(). */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { REPO_ROOT } from './procs.js';

export function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

export interface BenchConfigOptions {
  concurrency: number;
  /** destination.rate_limit_per_second (0 = none). */
  ratePerSecond?: number;
}

/**
 * Copies `config/` (the real bebeja preset and bridge.yaml) into `dir` and sets the delivery
 * concurrency and, optionally, the destination rate limit. The ledger is `dir/data/ledger.sqlite`.
 */
export function writeBenchConfig(dir: string, o: BenchConfigOptions): { configFile: string; ledgerPath: string } {
  fs.cpSync(path.join(REPO_ROOT, 'config'), path.join(dir, 'config'), { recursive: true });
  const configFile = path.join(dir, 'config', 'bridge.yaml');
  let text = fs.readFileSync(configFile, 'utf8');
  const edit = (from: RegExp, to: string) => {
    if (!from.test(text)) throw new Error(`bench: cannot edit ${from} in config/bridge.yaml`);
    text = text.replace(from, to);
  };
  edit(/concurrency: \d+/, `concurrency: ${o.concurrency}`);
  if (o.ratePerSecond) edit(/dialect: lapor-v3\n/, `dialect: lapor-v3\n  rate_limit_per_second: ${o.ratePerSecond}\n`);
  fs.writeFileSync(configFile, text);
  return { configFile, ledgerPath: path.join(dir, 'data', 'ledger.sqlite') };
}
