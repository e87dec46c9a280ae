/**
 * `demo`: the whole bridge on a sandbox. Starts the Bebeja and LAPOR! simulators in-process,
 * copies the shipped configuration (the real `bebeja` preset) to a working folder, points it at
 * the simulators, runs a full sync cycle, then a second one to show that nothing is sent twice.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { openBridge } from '../../bridge.js';
import { loadSettingsOrThrow } from '../../settings/load-settings.js';
import { BebejaSimulator } from '../../simulators/bebeja-simulator.js';
import { LaporSimulator } from '../../simulators/lapor-simulator.js';
import { sandboxEnv } from '../../simulators/sandbox-env.js';
import { runSyncCycle, type SyncSummary } from '../../sync/sync-cycle.js';
import { followWithBridge, type FollowSummary } from '../../follow/follow-run.js';

/** How far the demo's clock jumps before following up: long enough for LAPOR! to act on most complaints. */
const DEMO_FAST_FORWARD_MS = 12 * 86_400_000;
import { createLogger } from '../../util/logger.js';
import type { GlobalOptions } from '../context.js';
import { formatTable, print, printJson } from '../output.js';

/** The shipped `config/` folder, found from this file both in `src/` (tsx) and `dist/`. */
export function shippedConfigDir(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    const candidate = path.join(dir, 'config', 'bridge.yaml');
    if (fs.existsSync(candidate)) return path.dirname(candidate);
    dir = path.dirname(dir);
  }
  throw new Error('cannot find the shipped config/ folder');
}

export interface DemoResult {
  readonly workdir: string;
  readonly config: string;
  readonly ledger: string;
  readonly seeded: number;
  readonly first_run: SyncSummary;
  readonly second_run: SyncSummary;
  /** Follow-through twelve simulated days later: statuses read back, written back to Bebeja, SLA. */
  readonly follow: FollowSummary;
  readonly lapor_received: number;
  readonly consistent: boolean;
  readonly problems: string[];
}

export async function runDemo(options: { dir?: string; logLevel?: string } = {}): Promise<DemoResult> {
  const workdir = options.dir ? path.resolve(options.dir) : fs.mkdtempSync(path.join(os.tmpdir(), 'sp4n-demo-'));
  const configDir = path.join(workdir, 'config');
  fs.rmSync(configDir, { recursive: true, force: true });
  fs.cpSync(shippedConfigDir(), configDir, { recursive: true });
  fs.rmSync(path.join(workdir, 'data'), { recursive: true, force: true });

  // one clock for the simulators and the bridge; the follow-through step fast-forwards it
  let offsetMs = 0;
  const now = () => new Date(Date.now() + offsetMs);
  const bebeja = new BebejaSimulator({ seed: 'demo', now });
  const lapor = new LaporSimulator({ now, lifecycle: { seed: 7 } });
  await bebeja.start();
  await lapor.start();
  try {
    // the demo's own sandbox credentials; a real deployment sets these in its environment
    Object.assign(process.env, sandboxEnv(bebeja, lapor, process.env.SP4N_PII_KEY ?? crypto.randomBytes(24).toString('hex')));
    const config = loadSettingsOrThrow(path.join(configDir, 'bridge.yaml'));
    const logger = createLogger({ level: options.logLevel ?? 'error' });
    const bridge = await openBridge(config, { logger, now });
    let first: SyncSummary;
    let second: SyncSummary;
    let follow: FollowSummary;
    try {
      first = await runSyncCycle(bridge);
      second = await runSyncCycle(bridge);
      offsetMs = DEMO_FAST_FORWARD_MS;
      follow = await followWithBridge(bridge);
    } finally {
      await bridge.close();
    }
    const received = lapor.complaints().length;
    const problems: string[] = [];
    const delivered = first.states.delivered ?? 0;
    const seeded = bebeja.records().length;
    if (received !== delivered) problems.push(`LAPOR! simulator received ${received} complaints but the ledger says ${delivered} delivered`);
    if ((first.states.quarantined ?? 0) + delivered !== seeded) problems.push(`${seeded} seeded, but only ${delivered + (first.states.quarantined ?? 0)} are delivered or quarantined`);
    const secondSent = second.delivery?.delivered ?? 0;
    if (secondSent !== 0) problems.push(`the second run sent ${secondSent} complaints again`);
    if (follow.checked !== delivered) problems.push(`follow-through checked ${follow.checked} of ${delivered} delivered complaints`);
    if (bebeja.writeBacks().length !== follow.write_backs.sent) problems.push(`Bebeja received ${bebeja.writeBacks().length} write-backs but the ledger says ${follow.write_backs.sent} were sent`);
    return { workdir, config: config.file, ledger: config.ledgerPath, seeded, first_run: first, second_run: second, follow, lapor_received: received, consistent: problems.length === 0, problems };
  } finally {
    await bebeja.stop();
    await lapor.stop();
  }
}

export async function demoCommand(g: GlobalOptions, o: { dir?: string }): Promise<number> {
  const r = await runDemo({ dir: o.dir, logLevel: g.logLevel });
  if (g.json) {
    printJson(r);
    return r.consistent ? 0 : 1;
  }
  const s = r.first_run.sources[0];
  print('SP4N Bridge demo — simulated Bebeja (Kabupaten Pandeglang) → simulated LAPOR!');
  print('');
  print(`First run: pulled ${s?.pulled ?? 0} complaints from Bebeja`);
  print(
    formatTable([
      { outcome: 'delivered to LAPOR!', count: r.first_run.delivery?.delivered ?? 0 },
      { outcome: 'quarantined (not sendable)', count: s?.quarantined ?? 0 },
      { outcome: 'warnings recorded', count: s?.warnings ?? 0 },
      { outcome: 'to retry / in doubt / rejected', count: (r.first_run.delivery?.retry_wait ?? 0) + (r.first_run.delivery?.in_doubt ?? 0) + (r.first_run.delivery?.rejected ?? 0) },
    ]),
  );
  for (const q of s?.quarantine_reasons ?? []) print(`  quarantined bebeja/${q.external_id}: ${q.reason}`);
  const s2 = r.second_run.sources[0];
  print('');
  print(`Second run: pulled ${s2?.pulled ?? 0}, unchanged ${s2?.unchanged ?? 0}, sent ${r.second_run.delivery?.delivered ?? 0} — nothing is sent twice.`);
  print(`LAPOR! simulator received ${r.lapor_received} complaints.`);
  print('');
  const f = r.follow;
  print(`Twelve simulated days later, following up at LAPOR!: ${f.checked} checked, ${f.status_changes} status changes and ${f.followups} follow-ups stored, ${f.finished} finished`);
  print(`  written back to Bebeja: ${f.write_backs.sent}; SLA: ${f.sla.overdue} overdue, ${f.sla.at_risk} at risk of ${f.sla.followed} still open`);
  print('');
  print(`Ledger: ${r.ledger}`);
  print(`  ${Object.entries(r.first_run.states).map(([k, v]) => `${k}=${v}`).join('  ')}`);
  print('');
  print('Look inside:');
  print(`  npx sp4n-bridge --config ${r.config} ledger status`);
  print(`  npx sp4n-bridge --config ${r.config} ledger list --state quarantined`);
  print(`  npx sp4n-bridge --config ${r.config} ledger show bebeja/1`);
  print(`  npx sp4n-bridge --config ${r.config} ledger report --sla`);
  print(`  sqlite3 ${r.ledger} 'select state, count(*) from records group by 1'`);
  if (!r.consistent) {
    print('');
    for (const p of r.problems) print(`PROBLEM: ${p}`);
    return 1;
  }
  return 0;
}
