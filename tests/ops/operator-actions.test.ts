/**
 * Operator actions through the real CLI, against the simulators and a real ledger file:
 * each is recorded with who and why, and none can send a complaint twice by accident.
 */
import fs from 'node:fs';
import os from 'node:os';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import Database from 'better-sqlite3';
import { loadSettingsOrThrow } from '../../src/settings/load-settings.js';
import { BebejaSimulator } from '../../src/simulators/bebeja-simulator.js';
import { LaporSimulator } from '../../src/simulators/lapor-simulator.js';
import { sandboxEnv } from '../../src/simulators/sandbox-env.js';
import { runCli } from '../helpers/capture.js';
import { copyShippedConfig, tempDir } from '../helpers/workdir.js';

let dir: string;
let configFile: string;
let ledgerPath: string;
let bebeja: BebejaSimulator;
let lapor: LaporSimulator;

function sql<T>(query: string, ...params: unknown[]): T[] {
  const db = new Database(ledgerPath, { readonly: true });
  try {
    return db.prepare(query).all(...params) as T[];
  } finally {
    db.close();
  }
}

const stateOf = (ext: string) => sql<{ state: string }>("SELECT state FROM records WHERE source_id = 'bebeja' AND external_id = ?", ext)[0]?.state;
const cli = (...args: string[]) => runCli('--config', configFile, ...args);
const sync = async () => {
  const r = await cli('--json', 'sync');
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout) as { states: Record<string, number>; delivery: Record<string, unknown> };
};
const lastEvent = (ext: string) =>
  sql<{ type: string; actor: string; reason: string; data_json: string | null }>(
    "SELECT e.type, e.actor, e.reason, e.data_json FROM events e JOIN records r ON r.id = e.record_id WHERE r.external_id = ? AND e.type LIKE 'operator%' ORDER BY e.id DESC LIMIT 1",
    ext,
  )[0];

beforeEach(async () => {
  dir = tempDir('sp4n-ops-');
  configFile = copyShippedConfig(dir, { immediateReconcile: true });
  bebeja = new BebejaSimulator({ seed: 3 });
  lapor = new LaporSimulator();
  await bebeja.start();
  await lapor.start();
  Object.assign(process.env, sandboxEnv(bebeja, lapor, 'ops-pii-key'));
  ledgerPath = loadSettingsOrThrow(configFile).ledgerPath;
});

afterEach(async () => {
  await bebeja.stop();
  await lapor.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('retry', () => {
  it('makes a waiting record due now with the same idempotency key, and it is delivered once', async () => {
    lapor.setFaults([{ match: 'create', status: 429, headers: { 'Retry-After': '86400' } }]);
    await sync();
    const waiting = sql<{ external_id: string; idempotency_key: string }>("SELECT external_id, idempotency_key FROM records WHERE state = 'retry_wait'")[0];
    expect(waiting).toBeDefined();
    const ext = waiting?.external_id as string;

    const r = await cli('retry', `bebeja/${ext}`, '--reason', 'gateway is back');
    expect(r.code).toBe(0);
    expect(stateOf(ext)).toBe('pending');
    expect(lastEvent(ext)).toMatchObject({ type: 'operator_retry', actor: os.userInfo().username, reason: 'gateway is back' });

    await sync();
    expect(stateOf(ext)).toBe('delivered');
    const keys = lapor.complaints().map((c) => c.idempotencyKey);
    expect(keys).toContain(waiting?.idempotency_key);
    expect(lapor.complaints()).toHaveLength(3);
  });

  it('refuses a delivered record and points to resend --force', async () => {
    await sync();
    const r = await cli('retry', 'bebeja/1');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/bebeja\/1 is delivered; retry applies to retry_wait, dead, rejected \(use resend --force/);
  });

  it('retries every record in a state', async () => {
    lapor.setFaults([{ match: 'create', status: 422, body: { message: 'invalid' }, times: 3 }]);
    await sync();
    expect(sql("SELECT 1 FROM records WHERE state = 'rejected'")).toHaveLength(3);
    const r = await cli('--json', 'retry', '--state', 'rejected', '--reason', 'mapping fixed at LAPOR!');
    expect((JSON.parse(r.stdout) as { results: unknown[] }).results).toHaveLength(3);
    expect((await sync()).states).toEqual({ delivered: 3 });
  });
});

describe('resend --force', () => {
  it('needs --force and --reason; then sends a second copy under a new key and keeps the old id in the history', async () => {
    await sync();
    const before = sql<{ lapor_id: string; idempotency_key: string }>("SELECT lapor_id, idempotency_key FROM records WHERE external_id = '2'")[0];

    const noForce = await cli('resend', 'bebeja/2');
    expect(noForce.code).toBe(2);
    expect(noForce.stderr).toContain('--force --reason');
    const noReason = await cli('resend', 'bebeja/2', '--force');
    expect(noReason.code).toBe(2);
    expect(stateOf('2')).toBe('delivered');

    const ok = await cli('resend', 'bebeja/2', '--force', '--reason', 'LAPOR! lost it in a migration (ticket #88)');
    expect(ok.code).toBe(0);
    expect(lastEvent('2')).toMatchObject({ type: 'operator_resend_forced', reason: 'LAPOR! lost it in a migration (ticket #88)' });
    expect(JSON.parse(lastEvent('2')?.data_json ?? '{}')).toMatchObject({ previous_lapor_id: before?.lapor_id, generation: 1 });

    await sync();
    const after = sql<{ lapor_id: string; idempotency_key: string; state: string }>("SELECT lapor_id, idempotency_key, state FROM records WHERE external_id = '2'")[0];
    expect(after?.state).toBe('delivered');
    expect(after?.lapor_id).not.toBe(before?.lapor_id);
    expect(after?.idempotency_key).not.toBe(before?.idempotency_key);
    expect(lapor.complaints().filter((c) => String(c.body.content).endsWith('Ref: bebeja/2'))).toHaveLength(2);
  });
});

describe('resolve', () => {
  async function needsReview(): Promise<string> {
    fs.writeFileSync(configFile, fs.readFileSync(configFile, 'utf8').replace(/ {2}lookup:.*\n {4}path: .*\n {4}param: .*\n/, '  lookup: false\n'));
    lapor.setFaults([{ match: 'create', status: 504 }]);
    await sync();
    await sync();
    const ext = sql<{ external_id: string }>("SELECT external_id FROM records WHERE state = 'needs_review'")[0]?.external_id;
    expect(ext).toBeDefined();
    return ext as string;
  }

  it('--lapor-id adopts the id an operator found', async () => {
    const ext = await needsReview();
    const r = await cli('resolve', `bebeja/${ext}`, '--lapor-id', 'L-777');
    expect(r.code).toBe(0);
    expect(sql("SELECT state, lapor_id FROM records WHERE external_id = ?", ext)[0]).toEqual({ state: 'delivered', lapor_id: 'L-777' });
  });

  it('--resend sends it once more when the operator found it is not there', async () => {
    const ext = await needsReview();
    expect((await cli('resolve', `bebeja/${ext}`, '--resend', '--reason', 'checked the LAPOR! dashboard')).code).toBe(0);
    await sync();
    expect(stateOf(ext)).toBe('delivered');
    expect(lapor.complaints()).toHaveLength(3);
  });

  it('--drop needs a reason, and one choice only', async () => {
    const ext = await needsReview();
    expect((await cli('resolve', `bebeja/${ext}`, '--drop')).code).toBe(2);
    expect((await cli('resolve', `bebeja/${ext}`, '--drop', '--resend')).code).toBe(2);
    expect((await cli('resolve', `bebeja/${ext}`, '--drop', '--reason', 'duplicate of bebeja/1 filed by the citizen')).code).toBe(0);
    expect(stateOf(ext)).toBe('dropped');
    expect(lastEvent(ext)).toMatchObject({ type: 'operator_dropped', reason: 'duplicate of bebeja/1 filed by the citizen' });
  });
});

describe('pause and resume', () => {
  it('a paused destination receives nothing until resumed', async () => {
    await cli('--json', 'sync'); // creates the source row
    bebeja.add({ judul: 'Lampu jalan mati', isi: 'Lampu jalan di depan pasar mati sejak seminggu.' });
    expect((await cli('pause')).code).toBe(2); // needs a reason
    expect((await cli('pause', '--reason', 'LAPOR! maintenance window')).code).toBe(0);
    const s = await sync();
    expect(s.delivery).toMatchObject({ paused: true, delivered: 0 });
    const status = await cli('ledger', 'status');
    expect(status.stdout).toMatch(/DESTINATION lapor PAUSED since .*: LAPOR! maintenance window/);
    expect((await cli('resume')).code).toBe(0);
    expect((await sync()).states).toEqual({ delivered: 4 });
  });

  it('a paused source is not pulled', async () => {
    await sync();
    expect((await cli('pause', '--source', 'bebeja', '--reason', 'source migrating')).code).toBe(0);
    bebeja.add({ judul: 'Sampah menumpuk', isi: 'Sampah menumpuk di pinggir jalan.' });
    const paused = await cli('--json', 'sync');
    expect(JSON.parse(paused.stdout).sources[0]).toMatchObject({ source: 'bebeja', skipped: expect.stringContaining('source migrating') });
    expect((await cli('resume', '--source', 'bebeja')).code).toBe(0);
    expect((await sync()).states).toEqual({ delivered: 4 });
    expect((await cli('pause', '--source', 'nope', '--reason', 'x')).code).toBe(2);
  });
});
