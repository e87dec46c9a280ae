/**
 * The crash test: the real CLI syncs generated Bebeja complaints into a LAPOR! simulator with
 * nasty faults on (stores then answers 500, stores then never answers, resets, 2xx without id,
 * garbage bodies, 429s), and is killed with SIGKILL at random moments — some exactly between
 * the HTTP call and the ledger commit — and restarted until everything is settled. Then the
 * simulator's store and call log are compared with the ledger.
 *
 * Every process runs separately: the two simulators (`sp4n-bridge simulate ...`) and each
 * `sp4n-bridge sync`, all on 127.0.0.1.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import Database from 'better-sqlite3';

export const REPO_ROOT = path.resolve(import.meta.dirname, '..', '..');
const MAIN = path.join(REPO_ROOT, 'src', 'cli', 'main.ts');

export const DEFAULT_FAULTS = [
  'create:store-then-status=500@0.06',
  'create:store-then-hang@0.03',
  'create:store-then-reset@0.03',
  'create:status=503@0.05',
  'create:reset@0.02',
  'create:429@0.03:retry-after=1',
  'create:malformed@0.02',
  'create:no-id@0.02',
].join(',');

export interface CrashTestOptions {
  readonly records: number;
  readonly kills: number;
  /** With the lookup on, in-doubt sends are reconciled; off, they wait in needs_review. */
  readonly lookup: boolean;
  readonly faults?: string;
  readonly seed?: number;
  readonly log?: (line: string) => void;
}

export interface CrashTally {
  records: number;
  lookup: boolean;
  runs: number;
  kills: number;
  kills_between_call_and_commit: number;
  states: Record<string, number>;
  lapor_complaints: number;
  duplicates: string[];
  missing: string[];
  /** Records in needs_review that LAPOR! does not have (lookup off: allowed, they wait for a person). */
  needs_review_absent: number;
  create_calls: number;
  create_attempt_rows: number;
  unfinished_attempt_rows: number;
  /** Calls the simulator saw that the ledger has no attempt row for (must be empty). */
  calls_without_attempt: string[];
  faults: Record<string, number>;
  ok: boolean;
  problems: string[];
}

interface Sim {
  readonly child: ChildProcess;
  readonly info: { base_url: string; origin: string; env: Record<string, string> };
}

function cli(args: string[], env: NodeJS.ProcessEnv): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', MAIN, ...args], { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
}

async function startSim(args: string[]): Promise<Sim> {
  const child = cli(['--json', 'simulate', ...args, '--port', '0'], process.env);
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const lines = readline.createInterface({ input: child.stdout as NodeJS.ReadableStream });
  const first = await new Promise<string>((resolve, reject) => {
    lines.once('line', resolve);
    child.once('exit', (code) => reject(new Error(`simulator ${args[0]} exited with ${code}: ${stderr}`)));
  });
  return { child, info: JSON.parse(first) as Sim['info'] };
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await exited;
}

async function getJson<T>(url: string): Promise<T> {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`GET ${url}: HTTP ${res.status}`);
  return (await res.json()) as T;
}

interface SimCall {
  method: string;
  path: string;
  status: number;
  idempotencyKey?: string | null;
  stored?: boolean;
  fault?: string;
}

/** Deterministic dice for the kill schedule. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function writeConfig(dir: string, lookup: boolean): string {
  fs.cpSync(path.join(REPO_ROOT, 'config'), path.join(dir, 'config'), { recursive: true });
  const file = path.join(dir, 'config', 'bridge.yaml');
  let text = fs.readFileSync(file, 'utf8');
  const edit = (from: RegExp, to: string) => {
    if (!from.test(text)) throw new Error(`crash test: cannot edit ${from} in bridge.yaml`);
    text = text.replace(from, to);
  };
  edit(/dialect: lapor-v3\n/, 'dialect: lapor-v3\n  timeout: 2s\n');
  edit(/base: 30s/, 'base: 1s');
  edit(/max: 1h/, 'max: 2s');
  edit(/reconcile_after: \S+/, 'reconcile_after: 0s');
  edit(/concurrency: 4/, 'concurrency: 4\n  in_call_retries: 1\n  circuit_breaker_failures: 0');
  if (!lookup) edit(/ {2}lookup:.*\n {4}path: .*\n {4}param: .*\n/, '  lookup: false\n');
  fs.writeFileSync(file, text);
  return file;
}

const UNSETTLED = ['pending', 'sending', 'retry_wait', 'in_doubt'];

export async function runCrashTest(o: CrashTestOptions): Promise<CrashTally> {
  const log = o.log ?? (() => undefined);
  const dice = mulberry32(o.seed ?? 42);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sp4n-crash-'));
  const configFile = writeConfig(dir, o.lookup);
  const ledgerPath = path.join(dir, 'data', 'ledger.sqlite');
  const bebeja = await startSim(['bebeja', '--records', String(o.records)]);
  const lapor = await startSim(['lapor', '--faults', o.faults ?? DEFAULT_FAULTS, '--fault-seed', String(o.seed ?? 42)]);
  const env = { ...process.env, ...bebeja.info.env, ...lapor.info.env, SP4N_PII_KEY: 'crash-test-pii-key' };
  const creates = async () => (await getJson<{ data: SimCall[] }>(`${lapor.info.origin}/_sim/calls`)).data.filter((c) => c.method === 'POST' && c.path.endsWith('/complaints/complaint')).length;

  const ledgerQuery = <T>(sql: string): T[] => {
    if (!fs.existsSync(ledgerPath)) return [];
    const db = new Database(ledgerPath, { readonly: true, timeout: 5000 });
    try {
      return db.prepare(sql).all() as T[];
    } finally {
      db.close();
    }
  };
  const unsettled = () => ledgerQuery<{ n: number }>(`SELECT count(*) AS n FROM records WHERE state IN (${UNSETTLED.map((s) => `'${s}'`).join(',')})`)[0]?.n ?? 1;

  let runs = 0;
  let kills = 0;
  let hookKills = 0;
  try {
    for (let guard = 0; guard < o.kills * 3 + 300; guard++) {
      const wantKill = kills < o.kills;
      // three kinds of kill, in turn: at a random create, exactly between a call and its commit
      // (the test seam), and after a random time (start-up, intake, anywhere)
      const mode = !wantKill ? 'none' : (['creates', 'hook', 'timer'] as const)[runs % 3];
      const useHook = mode === 'hook';
      const runEnv = useHook ? { ...env, SP4N_TEST_CRASH_AFTER_SENDS: String(1 + Math.floor(dice() * 8)) } : env;
      const child = cli(['--config', configFile, '--log-level', 'error', 'sync'], runEnv);
      let stderr = '';
      child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
      runs++;
      const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) => child.once('exit', (code, signal) => r({ code, signal })));
      if (mode === 'timer') {
        const timer = setTimeout(() => child.kill('SIGKILL'), 300 + Math.floor(dice() * 1500));
        void exited.then(() => clearTimeout(timer));
      } else if (mode === 'creates') {
        // kill after a random number of creates reached LAPOR! during this run
        const base = await creates();
        const target = base + 1 + Math.floor(dice() * 10);
        const poll = (async () => {
          while (child.exitCode === null && child.signalCode === null) {
            if ((await creates()) >= target) {
              child.kill('SIGKILL');
              return;
            }
            await new Promise((r) => setTimeout(r, 20));
          }
        })();
        await Promise.race([poll, exited]);
      }
      const { code, signal } = await exited;
      if (signal === 'SIGKILL') {
        kills++;
        if (useHook) hookKills++;
        log(`run ${runs}: killed (${mode === 'hook' ? 'between a call and its commit' : mode === 'timer' ? 'at a random time' : 'after a random create'}); kills ${kills}/${o.kills}`);
        continue;
      }
      if (code !== 0) throw new Error(`sync exited with ${code}: ${stderr.slice(-2000)}`);
      const left = unsettled();
      log(`run ${runs}: finished; ${left} unsettled`);
      if (left === 0 && kills >= o.kills) break;
      if (left > 0) await new Promise((r) => setTimeout(r, 1100)); // let retry_wait fall due
    }

    // ------------------------------------------------------------ verdict
    const stored = (await getJson<{ data: { id: string; body: { content: string } }[] } | { id: string; body: { content: string } }[]>(`${lapor.info.origin}/_sim/complaints`));
    const complaints = Array.isArray(stored) ? stored : stored.data;
    const calls = (await getJson<{ data: SimCall[] }>(`${lapor.info.origin}/_sim/calls`)).data;
    const refCount = new Map<string, number>();
    for (const c of complaints) {
      const ref = String(c.body.content).split('\n').pop() ?? '';
      refCount.set(ref, (refCount.get(ref) ?? 0) + 1);
    }
    const rows = ledgerQuery<{ external_id: string; state: string }>("SELECT external_id, state FROM records WHERE source_id = 'bebeja'");
    const states: Record<string, number> = {};
    for (const r of rows) states[r.state] = (states[r.state] ?? 0) + 1;
    const problems: string[] = [];
    if (rows.length !== o.records) problems.push(`ledger has ${rows.length} records, the source ${o.records}`);
    const duplicates = [...refCount].filter(([, n]) => n > 1).map(([ref]) => ref);
    const missing: string[] = [];
    let needsReviewAbsent = 0;
    for (const r of rows) {
      if (r.state === 'quarantined') continue;
      const at = refCount.get(`Ref: bebeja/${r.external_id}`) ?? 0;
      if (r.state === 'needs_review' && at === 0) needsReviewAbsent++;
      if (at === 0 && r.state !== 'needs_review') missing.push(`bebeja/${r.external_id} (${r.state})`);
      if (o.lookup && at !== 1) problems.push(`bebeja/${r.external_id} is at LAPOR! ${at} times (${r.state})`);
    }
    if (duplicates.length) problems.push(`${duplicates.length} complaints filed twice`);
    if (missing.length) problems.push(`${missing.length} complaints neither delivered nor waiting for review`);
    if (o.lookup && (states.needs_review ?? 0) > 0) problems.push(`${states.needs_review} in needs_review although the lookup is on`);
    for (const s of UNSETTLED) if (states[s]) problems.push(`${states[s]} still ${s}`);

    // every create the simulator saw has an attempt row (written before the call) with its key
    const attempts = ledgerQuery<{ key: string; n: number; started: number }>(
      "SELECT idempotency_key AS key, count(*) AS n, sum(outcome = 'started') AS started FROM attempts WHERE operation = 'create' GROUP BY idempotency_key",
    );
    const byKey = new Map(attempts.map((a) => [a.key, a]));
    const createCalls = calls.filter((c) => c.method === 'POST' && c.path.endsWith('/complaints/complaint'));
    const callsByKey = new Map<string, number>();
    for (const c of createCalls) callsByKey.set(String(c.idempotencyKey), (callsByKey.get(String(c.idempotencyKey)) ?? 0) + 1);
    const callsWithoutAttempt: string[] = [];
    for (const [key, n] of callsByKey) {
      const a = byKey.get(key);
      if (!a || a.n < n) callsWithoutAttempt.push(`${key}: ${n} calls, ${a?.n ?? 0} attempt rows`);
      // rows beyond the calls are allowed only for calls that never completed (killed before sending)
      else if (a.n - n > a.started) problems.push(`${key}: ${a.n} attempt rows but ${n} calls and ${a.started} unfinished`);
    }
    if (callsWithoutAttempt.length) problems.push(`${callsWithoutAttempt.length} calls without an attempt row`);
    const faults: Record<string, number> = {};
    for (const c of createCalls) if (c.fault) faults[c.fault] = (faults[c.fault] ?? 0) + 1;

    return {
      records: o.records,
      lookup: o.lookup,
      runs,
      kills,
      kills_between_call_and_commit: hookKills,
      states,
      lapor_complaints: complaints.length,
      duplicates,
      missing,
      needs_review_absent: needsReviewAbsent,
      create_calls: createCalls.length,
      create_attempt_rows: attempts.reduce((a, b) => a + b.n, 0),
      unfinished_attempt_rows: attempts.reduce((a, b) => a + b.started, 0),
      calls_without_attempt: callsWithoutAttempt,
      faults,
      ok: problems.length === 0 && kills >= o.kills,
      problems: kills >= o.kills ? problems : [...problems, `only ${kills} of ${o.kills} kills happened`],
    };
  } finally {
    await stop(bebeja.child);
    await stop(lapor.child);
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
