/**
 * A real ledger for the dashboard tests: the shipped configuration plus a `dashboard` section
 * (token from a file), one sync cycle against the in-process simulators, and one complaint whose
 * title carries markup (`<script>…`) to prove the pages escape it.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { openBridge } from '../../src/bridge.js';
import { loadSettingsOrThrow } from '../../src/settings/load-settings.js';
import { BebejaSimulator } from '../../src/simulators/bebeja-simulator.js';
import { LaporSimulator } from '../../src/simulators/lapor-simulator.js';
import { sandboxEnv } from '../../src/simulators/sandbox-env.js';
import { runSyncCycle } from '../../src/sync/sync-cycle.js';
import { silentLogger } from '../../src/util/logger.js';
import { copyShippedConfig, tempDir } from '../helpers/workdir.js';

export const SCRIPT_TITLE = '<script>alert("xss")</script> Jembatan & "gorong-gorong" rusak';

export interface DashboardFixture {
  readonly dir: string;
  readonly configFile: string;
  readonly ledgerPath: string;
  readonly token: string;
  readonly tokenFile: string;
  readonly bebeja: BebejaSimulator;
  /** The complaint with markup in its title, delivered: its ref and LAPOR! id. */
  readonly script: { ref: string; laporId: string; ticket: string };
  /** Sandbox variables the sync used (LAPOR! and Bebeja credentials, PII key). */
  readonly env: Record<string, string>;
  close(): Promise<void>;
}

export async function dashboardFixture(prefix = 'sp4n-dash-'): Promise<DashboardFixture> {
  const dir = tempDir(prefix);
  const configFile = copyShippedConfig(dir);
  const token = crypto.randomBytes(24).toString('base64url');
  const tokenFile = path.join(dir, 'dashboard-token');
  fs.writeFileSync(tokenFile, `${token}\n`, { mode: 0o600 });
  fs.appendFileSync(configFile, '\ndashboard:\n  token: ${file:../dashboard-token}\n  lang: id\n');

  const bebeja = new BebejaSimulator({ seed: 'demo' });
  const lapor = new LaporSimulator();
  await bebeja.start();
  await lapor.start();
  // the source sends HTML-escaped text; strip_html turns it into a title with real markup characters
  const id = bebeja.add({ judul: '&lt;script&gt;alert("xss")&lt;/script&gt; Jembatan &amp; "gorong-gorong" rusak', isi: 'Jembatan di Kampung Cilaja rusak dan berbahaya bagi anak sekolah.' });
  const env = sandboxEnv(bebeja, lapor, 'dashboard-pii-key');
  Object.assign(process.env, env);
  const config = loadSettingsOrThrow(configFile);
  const b = await openBridge(config, { logger: silentLogger() });
  try {
    await runSyncCycle(b);
  } finally {
    await b.close();
  }

  const db = new Database(config.ledgerPath, { readonly: true });
  const row = db.prepare("SELECT source_id, external_id, lapor_id, ticket FROM records WHERE external_id = ?").get(String(id)) as { source_id: string; external_id: string; lapor_id: string | null; ticket: string };
  db.close();
  if (!row?.lapor_id) throw new Error(`fixture: the complaint with markup was not delivered (${JSON.stringify(row)})`);
  return {
    dir,
    configFile,
    ledgerPath: config.ledgerPath,
    token,
    tokenFile,
    bebeja,
    script: { ref: `${row.source_id}/${row.external_id}`, laporId: row.lapor_id, ticket: row.ticket },
    env,
    async close() {
      await bebeja.stop();
      await lapor.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
