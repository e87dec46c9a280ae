/**
 * End to end through the webhook: a local app POSTs signed complaints to the bridge, which
 * commits them to a real SQLite ledger, answers 202, and delivers them to the LAPOR! simulator.
 *
 * (a) in process: exactly once over two runs, and a resent request creates no duplicate.
 * (b) the must-show, with a real child process killed (SIGKILL) at random moments — some exactly
 *     between a batch's ledger commit and its 202: a request answered 202 is always in the
 *     ledger; one not answered is retried by the sender without creating a duplicate.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import Database from 'better-sqlite3';
import { signWebhook } from '../../src/adapters/webhook/webhook-auth.js';
import type { WebhookAdapter } from '../../src/adapters/webhook/webhook-adapter.js';
import { openBridge, type Bridge } from '../../src/bridge.js';
import { loadSettingsOrThrow } from '../../src/settings/load-settings.js';
import { LaporSimulator } from '../../src/simulators/lapor-simulator.js';
import { runSyncCycle } from '../../src/sync/sync-cycle.js';
import { silentLogger } from '../../src/util/logger.js';
import { REPO_ROOT, copyShippedConfig, tempDir, write } from '../helpers/workdir.js';

const SECRET = 'e2e-webhook-secret-3b9d';
const FIXTURE = path.join(REPO_ROOT, 'tests', 'e2e', 'fixtures', 'webhook-bridge.ts');

/** A work folder with the shipped config, the Bebeja source replaced by a webhook source. */
function webhookWorkdir(dir: string, maxRecordsPerRequest: number, maxWait = '30s'): string {
  const file = copyShippedConfig(dir, { immediateReconcile: true });
  fs.rmSync(path.join(dir, 'config', 'sources', 'bebeja.yaml'));
  write(
    path.join(dir, 'config', 'sources', 'lokal.yaml'),
    `id: lokal
description: Aplikasi pengaduan lokal (webhook)
adapter:
  type: webhook
  host: 127.0.0.1
  port: 0
  path: /complaints
  auth:
    type: hmac
    secret: \${LOKAL_WEBHOOK_SECRET}
  max_records_per_request: ${maxRecordsPerRequest}
  max_wait: ${maxWait}
mapping:
  timezone: Asia/Jakarta
  fields:
    source.ticket: { path: tiket, transforms: [to_string, trim] }
    source.received_at: { path: dibuat, transforms: [parse_datetime], required: true }
    channel: { value: web }
    classification: { value: pengaduan }
    title: { path: judul, transforms: [strip_html, collapse_whitespace] }
    content: { path: isi, transforms: [strip_html, collapse_whitespace] }
    is_anonymous: { path: anonim, transforms: [to_bool], required: true, on_error: quarantine }
    is_secret: { path: rahasia, transforms: [to_bool], default: false, on_error: quarantine }
`,
  );
  return file;
}

async function startLapor(): Promise<{ lapor: LaporSimulator; env: Record<string, string> }> {
  const lapor = new LaporSimulator();
  await lapor.start();
  const env = { LAPOR_BASE_URL: lapor.url, LAPOR_TOKEN: lapor.bearerToken, LAPOR_APP_TOKEN: lapor.appToken, SP4N_PII_KEY: 'e2e-pii-key', LOKAL_WEBHOOK_SECRET: SECRET };
  Object.assign(process.env, env);
  return { lapor, env };
}

// ------------------------------------------------------------------------------------ the sender

interface Complaint {
  readonly id: string;
  readonly tiket: string;
  readonly judul: string;
  readonly isi: string;
  readonly dibuat: string;
  readonly anonim: string;
  readonly rahasia: boolean;
}

interface SenderRequest {
  readonly n: number;
  readonly records: readonly Complaint[];
  answered: boolean;
  lastTimestamp: number;
}

function complaint(i: number): Complaint {
  return {
    id: `W-${i}`,
    tiket: `LOK-2024-${String(i).padStart(4, '0')}`,
    judul: `Lampu jalan padam nomor ${i}`,
    isi: `Lampu penerangan jalan di RT ${i % 9} padam sejak seminggu; mohon diperbaiki (laporan ${i}).`,
    dibuat: `2024-05-01 ${String(8 + (i % 10)).padStart(2, '0')}:${String(i % 60).padStart(2, '0')}:00`,
    anonim: i % 4 === 0 ? '1' : '0',
    rahasia: false,
  };
}

function requests(count: number, perRequest: number, first = 1): SenderRequest[] {
  return Array.from({ length: count }, (_, r) => ({
    n: r,
    records: Array.from({ length: perRequest }, (_, k) => complaint(first + r * perRequest + k)),
    answered: false,
    lastTimestamp: 0,
  }));
}

/** One attempt, signed when sent (a retry gets a new timestamp, so it is never taken for a replay). */
async function send(url: string, req: SenderRequest): Promise<{ status: number; body: unknown }> {
  const body = JSON.stringify({ records: req.records });
  req.lastTimestamp = Math.max(Math.floor(Date.now() / 1000), req.lastTimestamp + 1);
  const ts = String(req.lastTimestamp);
  const res = await fetch(url, { method: 'POST', body, headers: { 'Content-Type': 'application/json', 'X-Timestamp': ts, 'X-Signature': signWebhook(SECRET, ts, body) } });
  const answer = { status: res.status, body: (await res.json()) as unknown };
  if (res.status === 202) req.answered = true;
  return answer;
}

// ------------------------------------------------------------------------------------ checks

function ledgerRows<T>(ledgerPath: string, sql: string, ...params: unknown[]): T[] {
  const db = new Database(ledgerPath, { readonly: true });
  try {
    return db.prepare(sql).all(...params) as T[];
  } finally {
    db.close();
  }
}

const ledgerIds = (ledgerPath: string) => new Set(ledgerRows<{ external_id: string }>(ledgerPath, "SELECT external_id FROM records WHERE source_id = 'lokal'").map((r) => r.external_id));

function states(ledgerPath: string): Record<string, number> {
  return Object.fromEntries(ledgerRows<{ state: string; n: number }>(ledgerPath, 'SELECT state, count(*) AS n FROM records GROUP BY state').map((r) => [r.state, r.n]));
}

/** External id → how many LAPOR! complaints carry its reference. */
function laporRefs(lapor: LaporSimulator): Map<string, number> {
  const refs = new Map<string, number>();
  for (const c of lapor.complaints()) {
    const m = /Ref: lokal\/(\S+)$/.exec(String(c.body.content));
    if (m) refs.set(m[1] as string, (refs.get(m[1] as string) ?? 0) + 1);
  }
  return refs;
}

// ------------------------------------------------------------------------------------ (a) in process

/** Opens the bridge and runs a sync cycle whenever the webhook has requests waiting (what the daemon does). */
async function withWebhookBridge(configFile: string, fn: (url: string, idle: () => Promise<void>) => Promise<void>): Promise<void> {
  const bridge: Bridge = await openBridge(loadSettingsOrThrow(configFile), { logger: silentLogger() });
  const adapter = bridge.sources[0]?.adapter as WebhookAdapter;
  let running: Promise<void> | undefined;
  let again = false;
  const errors: string[] = [];
  const pump = () => {
    if (running) {
      again = true;
      return;
    }
    running = (async () => {
      do {
        again = false;
        const s = await runSyncCycle(bridge).catch((err: Error) => void errors.push(err.message));
        for (const src of s?.sources ?? []) if (!src.ok) errors.push(src.error ?? 'source failed');
      } while (again);
    })().finally(() => (running = undefined));
  };
  adapter.onPending(pump);
  const idle = async () => {
    while (running) await running;
  };
  try {
    await fn(adapter.url, idle);
    await idle();
    expect(errors).toEqual([]);
  } finally {
    await bridge.close();
  }
}

describe('webhook end to end (in process)', () => {
  let dir: string;
  let configFile: string;
  let ledgerPath: string;
  let lapor: LaporSimulator;

  beforeAll(async () => {
    dir = tempDir('sp4n-webhook-e2e-');
    configFile = webhookWorkdir(dir, 10);
    ({ lapor } = await startLapor());
    ledgerPath = loadSettingsOrThrow(configFile).ledgerPath;
  });
  afterAll(async () => {
    await lapor?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('records POSTed reach LAPOR! exactly once over two runs; a resent request creates no duplicate', async () => {
    const batch = requests(4, 3);
    await withWebhookBridge(configFile, async (url) => {
      const answers = await Promise.all(batch.map((r) => send(url, r)));
      expect(answers).toEqual(batch.map(() => ({ status: 202, body: { accepted: 3 } })));
      // 202 means committed: every record is in the ledger by now
      for (const r of batch) for (const c of r.records) expect(ledgerIds(ledgerPath).has(c.id)).toBe(true);
    });
    const all = batch.flatMap((r) => r.records.map((c) => c.id));
    expect(states(ledgerPath)).toEqual({ delivered: 12 });
    expect(laporRefs(lapor)).toEqual(new Map(all.map((id) => [id, 1])));

    // second run: the sender never saw the 202 of its first request and sends it again, plus a new one
    const fresh = requests(1, 2, 100);
    await withWebhookBridge(configFile, async (url) => {
      expect(await send(url, batch[0] as SenderRequest)).toEqual({ status: 202, body: { accepted: 3 } });
      expect(await send(url, fresh[0] as SenderRequest)).toEqual({ status: 202, body: { accepted: 2 } });
    });
    expect(states(ledgerPath)).toEqual({ delivered: 14 });
    expect(laporRefs(lapor)).toEqual(new Map([...all, 'W-100', 'W-101'].map((id) => [id, 1])));
    const received = ledgerRows<{ external_id: string; n: number }>(ledgerPath, "SELECT r.external_id, count(*) AS n FROM events e JOIN records r ON r.id = e.record_id WHERE e.type = 'received' GROUP BY r.external_id");
    expect(received.every((r) => r.n === 1)).toBe(true);
    const runs = ledgerRows<{ n: number }>(ledgerPath, "SELECT count(*) AS n FROM records WHERE version > 1 AND source_id = 'lokal'");
    expect(runs[0]?.n).toBe(0); // the resent records were seen unchanged
  });

  it('a record the mapping refuses is quarantined and still answered 202; a body without ids is refused 422 and leaves no trace', async () => {
    await withWebhookBridge(configFile, async (url) => {
      const bad: SenderRequest = { n: 0, records: [{ ...complaint(200), judul: '', isi: '' }, complaint(201)], answered: false, lastTimestamp: 0 };
      expect(await send(url, bad)).toEqual({ status: 202, body: { accepted: 2 } });
      const noId = JSON.stringify([{ judul: 'tanpa id' }]);
      const ts = String(Math.floor(Date.now() / 1000));
      const res = await fetch(url, { method: 'POST', body: noId, headers: { 'Content-Type': 'application/json', 'X-Timestamp': ts, 'X-Signature': signWebhook(SECRET, ts, noId) } });
      expect(res.status).toBe(422);
      expect(await res.json()).toMatchObject({ errors: [{ index: 0, field: 'id' }] });
    });
    const q = ledgerRows<{ external_id: string; state: string; quarantine_reason: string }>(ledgerPath, "SELECT external_id, state, quarantine_reason FROM records WHERE external_id IN ('W-200', 'W-201') ORDER BY external_id");
    expect(q).toEqual([
      { external_id: 'W-200', state: 'quarantined', quarantine_reason: expect.stringMatching(/neither title nor content/) },
      { external_id: 'W-201', state: 'delivered', quarantine_reason: null },
    ]);
  });
});

describe('webhook end to end: a dry run and a paused source never hold a sender forever', () => {
  let dir: string;
  let lapor: LaporSimulator | undefined;
  afterAll(async () => {
    await lapor?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('sync --dry-run previews a waiting request once and returns; a paused source answers 503 after max_wait', async () => {
    dir = tempDir('sp4n-webhook-wait-');
    const configFile = webhookWorkdir(dir, 10, '1500ms');
    ({ lapor } = await startLapor());
    const ledgerPath = loadSettingsOrThrow(configFile).ledgerPath;
    const bridge = await openBridge(loadSettingsOrThrow(configFile), { logger: silentLogger() });
    const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
    try {
      const adapter = bridge.sources[0]?.adapter as WebhookAdapter;
      const [first, second] = requests(2, 2, 300) as [SenderRequest, SenderRequest];
      const answer = send(adapter.url, first);
      while (adapter.waiting === 0) await sleep(5);
      // a dry run reads the request once (it used to take it again and again, forever)
      const dry = await runSyncCycle(bridge, { dryRun: true });
      expect(dry.sources[0]).toMatchObject({ ok: true, pulled: 2, batches: 1, new: 2 });
      expect(adapter.waiting).toBe(1);
      expect(ledgerIds(ledgerPath).size).toBe(0);
      const real = await runSyncCycle(bridge);
      expect(real.sources[0]).toMatchObject({ ok: true, pulled: 2, new: 2 });
      expect(await answer).toEqual({ status: 202, body: { accepted: 2 } });

      // a paused source is not read at all: the sender is told to come back, not kept hanging
      bridge.ledger.setSourcePaused('lokal', true, 'maintenance');
      const sent = Date.now();
      const waiting = send(adapter.url, second);
      while (adapter.waiting === 0) await sleep(5);
      expect((await runSyncCycle(bridge)).sources[0]).toMatchObject({ ok: true, skipped: expect.stringMatching(/paused/) });
      expect(await waiting).toMatchObject({ status: 503, body: { error: 'unavailable', message: expect.stringMatching(/max_wait/) } });
      expect(Date.now() - sent).toBeGreaterThanOrEqual(1400);
      expect(adapter.waiting).toBe(0);
      expect(ledgerIds(ledgerPath).has('W-302')).toBe(false);
      // resumed, the sender's retry is taken
      bridge.ledger.setSourcePaused('lokal', false, 'done');
      const retry = send(adapter.url, second);
      while (adapter.waiting === 0) await sleep(5);
      await runSyncCycle(bridge);
      expect(await retry).toEqual({ status: 202, body: { accepted: 2 } });
    } finally {
      await bridge.close();
    }
  });
});

// ------------------------------------------------------------------------------------ (b) kill test

/** Deterministic dice: the kill schedule is the same on every run. */
function dice(seed: number): () => number {
  let a = seed | 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface BridgeProcess {
  readonly child: ChildProcess;
  readonly url: string;
  readonly exited: Promise<NodeJS.Signals | number | null>;
  stderr(): string;
}

async function startBridgeProcess(configFile: string, env: Record<string, string>): Promise<BridgeProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', FIXTURE, configFile], { cwd: REPO_ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<NodeJS.Signals | number | null>((resolve) => child.once('exit', (code, signal) => resolve(signal ?? code)));
  const lines = readline.createInterface({ input: child.stdout as NodeJS.ReadableStream });
  const first = await Promise.race([new Promise<string>((resolve) => lines.once('line', resolve)), exited.then((how) => Promise.reject(new Error(`the bridge process ended (${String(how)}) before listening: ${stderr}`)))]);
  return { child, url: (JSON.parse(first) as { url: string }).url, exited, stderr: () => stderr };
}

describe('webhook kill test (a real bridge process, SIGKILL at random moments)', () => {
  let dir: string;
  let configFile: string;
  let ledgerPath: string;
  let lapor: LaporSimulator;
  let env: Record<string, string>;

  beforeAll(async () => {
    dir = tempDir('sp4n-webhook-kill-');
    configFile = webhookWorkdir(dir, 9); // three requests of three records per batch at most
    ({ lapor, env } = await startLapor());
    ledgerPath = loadSettingsOrThrow(configFile).ledgerPath;
  });
  afterAll(async () => {
    await lapor?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('a request answered 202 is always in the ledger; one not answered is retried without a duplicate', async () => {
    const roll = dice(20240501);
    const all = requests(70, 3);
    let released = 0;
    const kills: string[] = [];
    let committedUnanswered = 0;
    const modes = ['after-commit-before-202', 'after-202', 'timer'] as const;

    const KILL_ROUNDS = 6;
    for (let round = 0; ; round++) {
      const killing = round < KILL_ROUNDS;
      released = Math.min(all.length, released + (killing ? 10 : all.length));
      const outstanding = all.slice(0, released).filter((r) => !r.answered);
      if (!killing && outstanding.length === 0) break;
      expect(round).toBeLessThan(KILL_ROUNDS + 5);

      const mode = modes[round % modes.length] as (typeof modes)[number];
      const selfKillAt = 1 + Math.floor(roll() * 2);
      const bridge = await startBridgeProcess(configFile, { ...env, ...(killing && mode === 'after-commit-before-202' ? { KILL_AT_SETTLE: String(selfKillAt) } : {}) });
      const killAfter202 = 1 + Math.floor(roll() * Math.max(1, outstanding.length / 2));
      let answeredThisRound = 0;
      const kill = () => {
        if (bridge.child.exitCode === null && bridge.child.signalCode === null) bridge.child.kill('SIGKILL');
      };
      const timer = killing && mode === 'timer' ? setTimeout(kill, 10 + Math.floor(roll() * 250)) : undefined;

      // the sender: a few requests at a time; it notes which got 202
      const queue = [...outstanding];
      const worker = async () => {
        for (let r = queue.shift(); r; r = queue.shift()) {
          const a = await send(bridge.url, r).catch(() => undefined);
          if (a?.status === 202) {
            answeredThisRound++;
            if (killing && mode === 'after-202' && answeredThisRound === killAfter202) kill();
          }
        }
      };
      await Promise.all(Array.from({ length: 4 }, worker));
      clearTimeout(timer);

      if (killing) {
        kill(); // the schedule may not have fired yet: kill it now, whatever it is doing
        expect(await bridge.exited).toBe('SIGKILL');
        kills.push(/killing myself after the commit/.test(bridge.stderr()) ? 'after-commit-before-202' : mode);
      } else {
        bridge.child.kill('SIGTERM');
        expect(await bridge.exited).toBe(0);
      }

      // the promise: every record of every request answered 202 is in the ledger
      const inLedger = ledgerIds(ledgerPath);
      for (const r of all.filter((x) => x.answered)) for (const c of r.records) expect(inLedger.has(c.id)).toBe(true);
      // the interesting case: committed, but the sender never heard so; it will send them again
      committedUnanswered += all.slice(0, released).filter((r) => !r.answered && r.records.every((c) => inLedger.has(c.id))).length;
    }

    expect(kills).toHaveLength(KILL_ROUNDS);
    expect(kills).toContain('after-commit-before-202');
    expect(committedUnanswered).toBeGreaterThan(0);
    expect(all.every((r) => r.answered)).toBe(true);

    // deliver whatever a kill left behind (in doubt → reconciled by lookup, pending → sent)
    const bridge = await openBridge(loadSettingsOrThrow(configFile), { logger: silentLogger() });
    try {
      for (let i = 0; i < 5 && Object.keys(states(ledgerPath)).some((s) => s !== 'delivered'); i++) await runSyncCycle(bridge, { noIntake: true });
    } finally {
      await bridge.close();
    }
    const ids = all.flatMap((r) => r.records.map((c) => c.id));
    expect(states(ledgerPath)).toEqual({ delivered: ids.length });
    // exactly once at LAPOR!: every record, none twice
    const refs = laporRefs(lapor);
    expect([...refs.entries()].filter(([, n]) => n !== 1)).toEqual([]);
    expect(new Set(refs.keys())).toEqual(new Set(ids));
    expect(lapor.complaints()).toHaveLength(ids.length);
  }, 240_000);
});
