/**
 * The daemon as a real child process with a fast schedule, against the simulators: cycles seen
 * through /metrics, no overlapping runs, SIGTERM drains, SIGHUP with a broken config keeps the
 * running one, and no personal data or secret in any log line.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import Database from 'better-sqlite3';
import { BebejaSimulator } from '../../src/simulators/bebeja-simulator.js';
import { LaporSimulator } from '../../src/simulators/lapor-simulator.js';
import { sandboxEnv } from '../../src/simulators/sandbox-env.js';
import { copyShippedConfig, REPO_ROOT, tempDir } from '../helpers/workdir.js';

const MAIN = path.join(REPO_ROOT, 'src', 'cli', 'main.ts');

let dir: string;
let configFile: string;
let bebeja: BebejaSimulator;
let lapor: LaporSimulator;
let env: NodeJS.ProcessEnv;
let children: ChildProcess[] = [];

interface Daemon {
  child: ChildProcess;
  lines: Record<string, unknown>[];
  raw: string[];
  port: number;
  exited: Promise<number | null>;
}

function fastConfig(extra: (t: string) => string = (t) => t): void {
  let text = fs.readFileSync(configFile, 'utf8');
  text = text.replace('delivery_schedule: "* * * * *"', 'delivery_schedule: "*/1 * * * * *"').replace(/port: 9464/, 'port: 0').replace('reconcile_after: 1m', 'reconcile_after: 0s');
  fs.writeFileSync(configFile, extra(text));
  const source = path.join(path.dirname(configFile), 'sources', 'bebeja.yaml');
  fs.writeFileSync(source, fs.readFileSync(source, 'utf8').replace('schedule: "*/5 * * * *"', 'schedule: "*/1 * * * * *"'));
}

async function startDaemon(args: string[] = []): Promise<Daemon> {
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN, '--config', configFile, ...args, 'daemon'], { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  const lines: Record<string, unknown>[] = [];
  const raw: string[] = [];
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const rl = readline.createInterface({ input: child.stdout as NodeJS.ReadableStream });
  rl.on('line', (l) => {
    raw.push(l);
    try {
      lines.push(JSON.parse(l) as Record<string, unknown>);
    } catch {
      /* not JSON: kept in raw */
    }
  });
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  const port = await waitFor(async () => lines.find((l) => l.message === 'http listening')?.port as number | undefined, 'the http endpoint', () => stderr);
  return { child, lines, raw, port, exited };
}

async function waitFor<T>(probe: () => Promise<T | undefined> | T | undefined, what: string, diag: () => string = () => ''): Promise<T> {
  for (let i = 0; i < 600; i++) {
    const v = await probe();
    if (v !== undefined && v !== false) return v;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what} ${diag()}`);
}

async function metric(d: Daemon, name: string, labels = ''): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${d.port}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name}${labels ? `{${labels}}` : ''} `) || (labels === '' && l.startsWith(`${name} `)));
  return line ? Number(line.split(' ').pop()) : 0;
}

function ledgerStates(): Record<string, number> {
  const file = path.join(dir, 'data', 'ledger.sqlite');
  if (!fs.existsSync(file)) return {};
  const db = new Database(file, { readonly: true });
  try {
    return Object.fromEntries((db.prepare('SELECT state, count(*) AS n FROM records GROUP BY state').all() as { state: string; n: number }[]).map((r) => [r.state, r.n]));
  } finally {
    db.close();
  }
}

beforeEach(async () => {
  dir = tempDir('sp4n-daemon-');
  configFile = copyShippedConfig(dir);
  bebeja = new BebejaSimulator({ seed: 'demo' });
  lapor = new LaporSimulator();
  await bebeja.start();
  await lapor.start();
  env = { ...process.env, ...sandboxEnv(bebeja, lapor, 'daemon-pii-key') };
});

afterEach(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  children = [];
  await bebeja.stop();
  await lapor.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('daemon', () => {
  it('runs cycles on its schedule, visible through /metrics, /healthz and /readyz', async () => {
    fastConfig();
    const d = await startDaemon();
    await waitFor(async () => (await metric(d, 'sp4n_runs_total', 'job="source:bebeja",result="ok"')) >= 2 || undefined, 'two complete source runs');
    await waitFor(async () => (await metric(d, 'sp4n_runs_total', 'job="delivery",result="ok"')) >= 2 || undefined, 'two complete delivery runs');
    await waitFor(async () => (await metric(d, 'sp4n_records', 'state="delivered"')) === 27 || undefined, 'everything delivered');
    expect(await metric(d, 'sp4n_records', 'state="quarantined"')).toBe(1);
    expect(await metric(d, 'sp4n_delivered_total')).toBe(27);
    expect(await metric(d, 'sp4n_in_doubt_records')).toBe(0);
    expect(await metric(d, 'sp4n_destination_circuit_open', 'destination="lapor"')).toBe(0);
    expect((await fetch(`http://127.0.0.1:${d.port}/healthz`)).status).toBe(200);
    const ready = await fetch(`http://127.0.0.1:${d.port}/readyz`);
    expect(ready.status).toBe(200);
    expect(((await ready.json()) as { ready: boolean }).ready).toBe(true);
    expect(lapor.complaints()).toHaveLength(27);
    d.child.kill('SIGTERM');
    expect(await d.exited).toBe(0);
  });

  it('a slow run is not overlapped by the next tick (the tick is skipped and counted)', async () => {
    fastConfig();
    // every list request takes 1.5 s, the schedule ticks every second
    let inFlight = 0;
    let maxInFlight = 0;
    bebeja.setFault(() => {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      setTimeout(() => inFlight--, 1500);
      return { delayMs: 1500 };
    });
    const d = await startDaemon();
    await waitFor(async () => (await metric(d, 'sp4n_ticks_skipped_total', 'job="source:bebeja"')) >= 2 || undefined, 'skipped ticks');
    await waitFor(async () => (await metric(d, 'sp4n_runs_total', 'job="source:bebeja",result="ok"')) >= 2 || undefined, 'two runs');
    // never two list requests of the source at once: runs did not overlap
    expect(maxInFlight).toBe(1);
    d.child.kill('SIGTERM');
    expect(await d.exited).toBe(0);
  });

  it('SIGTERM during delivery lets sends in flight finish and leaves no row in sending', async () => {
    fastConfig();
    lapor.setFaults(Array.from({ length: 40 }, () => ({ match: 'create' as const, delayMs: 400 })));
    const d = await startDaemon();
    await waitFor(() => (ledgerStates().sending ?? 0) > 0 || undefined, 'a send in flight');
    d.child.kill('SIGTERM');
    expect(await d.exited).toBe(0);
    const states = ledgerStates();
    expect(states.sending).toBeUndefined();
    expect(d.lines.some((l) => l.message === 'daemon stopped' && l.sending_left === 0)).toBe(true);
    expect(lapor.complaints()).toHaveLength(states.delivered ?? 0);
  });

  it('SIGHUP with a broken config is rejected and the running configuration keeps working', async () => {
    fastConfig();
    const d = await startDaemon();
    await waitFor(async () => (await metric(d, 'sp4n_runs_total', 'job="source:bebeja",result="ok"')) >= 1 || undefined, 'a first run');
    fs.writeFileSync(configFile, `${fs.readFileSync(configFile, 'utf8')}\nnot_a_key: [unclosed\n`);
    d.child.kill('SIGHUP');
    const rejected = await waitFor(() => d.lines.find((l) => l.message === 'configuration reload rejected; the running configuration is kept'), 'the rejection');
    expect(JSON.stringify(rejected.problems)).toMatch(/bridge\.yaml/);
    const before = await metric(d, 'sp4n_runs_total', 'job="source:bebeja",result="ok"');
    await waitFor(async () => (await metric(d, 'sp4n_runs_total', 'job="source:bebeja",result="ok"')) > before || undefined, 'runs after the rejected reload');
    expect((await fetch(`http://127.0.0.1:${d.port}/healthz`)).status).toBe(200);
    d.child.kill('SIGTERM');
    expect(await d.exited).toBe(0);
  });
});

describe('logs carry no personal data and no secrets', () => {
  it('a full sync at debug level, stdout and rotated file: zero hits for NIK, phone, email, names, tokens and keys', async () => {
    fastConfig((t) => t.replace('  # file:', '  file:').replace('  #   dir: ../logs', '    dir: ../logs').replace('  #   retention_days: 14', '    retention_days: 14'));
    lapor.setFaults([
      { match: 'create', status: 422, body: { message: 'invalid', echo: 'token lapor-demo-token' } },
      { match: 'create', storeThenFail: true, status: 500 },
    ]);
    const d = await startDaemon(['--log-level', 'debug']);
    await waitFor(async () => (await metric(d, 'sp4n_runs_total', 'job="source:bebeja",result="ok"')) >= 2 || undefined, 'two runs');
    d.child.kill('SIGTERM');
    await d.exited;

    const sync = spawn(process.execPath, ['--import', 'tsx', MAIN, '--config', configFile, '--log-level', 'debug', 'sync', '--full'], { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let syncOut = '';
    sync.stdout?.on('data', (b: Buffer) => (syncOut += b.toString()));
    sync.stderr?.on('data', (b: Buffer) => (syncOut += b.toString()));
    await new Promise((r) => sync.once('exit', r));

    const logDir = path.join(dir, 'logs');
    const files = fs.readdirSync(logDir).filter((f) => f.endsWith('.log'));
    expect(files.length).toBeGreaterThan(0);
    for (const f of files) expect(fs.statSync(path.join(logDir, f)).mode & 0o007).toBe(0);
    const everything = [d.raw.join('\n'), syncOut, ...files.map((f) => fs.readFileSync(path.join(logDir, f), 'utf8'))].join('\n');
    expect(everything.length).toBeGreaterThan(1000);

    const needles = new Set<string>([lapor.bearerToken, lapor.appToken, bebeja.apiKey, 'daemon-pii-key']);
    for (const r of bebeja.records()) {
      const p = r.pelapor;
      if (p.nik) needles.add(p.nik);
      if (p.email) needles.add(p.email);
      if (p.nama) needles.add(p.nama);
      if (p.no_hp) {
        const digits = p.no_hp.replace(/\D/g, '');
        needles.add(p.no_hp);
        needles.add(digits);
        needles.add(digits.replace(/^0/, '62'));
        needles.add(digits.replace(/^0/, '+62'));
      }
    }
    const hits = [...needles].filter((n) => n.length >= 6 && everything.includes(n));
    expect(hits).toEqual([]);
  });
});
