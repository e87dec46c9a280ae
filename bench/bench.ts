/**
 * `npm run bench [-- --records N] [--profile] [...]`: how fast and how lean the bridge is, side by
 * side with a naive sender (issue #9). Not part of `npm test`; nothing here asserts a duration.
 *
 * Everything runs as separate processes on 127.0.0.1: the Bebeja and LAPOR! simulators
 * (`sp4n-bridge simulate … --json`), the built bridge (`node dist/cli/main.js sync --json`, with a
 * copy of the shipped config in a temp folder) and the naive sender (bench/naive-sender.mjs).
 * Prints a table and writes bench/results.json. See BENCHMARKS.md for what each figure means.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import { buildBigLedger } from './lib/big-ledger.js';
import { CLI, getJson, REPO_ROOT, runNode, startSim, stop, stopAll, type ChildRun, type Sim } from './lib/procs.js';
import { summariseProfile, type ProfileSummary } from './lib/profile-summary.js';
import { tempDir, writeBenchConfig } from './lib/workdir.js';
import { auditRows, ledgerReport } from '../src/ledger/audit-queries.js';
import { SqliteLedger } from '../src/ledger/sqlite-ledger.js';
import { monthPeriod } from '../src/cli/commands/ledger.js';
import { openBridge } from '../src/bridge.js';
import { loadSettingsOrThrow } from '../src/settings/load-settings.js';
import { runSyncCycle } from '../src/sync/sync-cycle.js';
import { silentLogger } from '../src/util/logger.js';

const { values: argv } = parseArgs({
  options: {
    records: { type: 'string', default: '20000' },
    concurrency: { type: 'string', default: '1,4,16' },
    'memory-records': { type: 'string' },
    'ledger-records': { type: 'string' },
    'rate-records': { type: 'string' },
    'query-reps': { type: 'string', default: '40' },
    profile: { type: 'boolean', default: false },
    'no-build': { type: 'boolean', default: false },
    only: { type: 'string', default: 'backfill,memory,noop,audit,rate' },
    out: { type: 'string', default: path.join(REPO_ROOT, 'bench', 'results.json') },
  },
});

function whole(flag: string, text: string): number {
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n < 1) {
    console.error(`bench: --${flag} "${text}" is not a whole number >= 1`);
    process.exit(2);
  }
  return n;
}
const RECORDS = whole('records', argv.records);
const SMALL = RECORDS < 20000;
const CONCURRENCIES = argv.concurrency.split(',').map((c) => whole('concurrency', c));
const MEMORY_SIZES = (argv['memory-records'] ?? (SMALL ? `${RECORDS},${RECORDS * 5}` : '10000,100000')).split(',').map((c) => whole('memory-records', c));
const LEDGER_RECORDS = whole('ledger-records', argv['ledger-records'] ?? (SMALL ? '100000' : '1000000'));
if (LEDGER_RECORDS < 10000 || LEDGER_RECORDS % 100 !== 0) {
  console.error('bench: --ledger-records must be a multiple of 100, at least 10000');
  process.exit(2);
}
const RATE_RECORDS = whole('rate-records', argv['rate-records'] ?? String(Math.min(RECORDS, SMALL ? 200 : 600)));
const QUERY_REPS = whole('query-reps', argv['query-reps']);
const ONLY = new Set(argv.only.split(','));
const DEFAULT_CONCURRENCY = Number(/concurrency: (\d+)/.exec(fs.readFileSync(path.join(REPO_ROOT, 'config', 'bridge.yaml'), 'utf8'))?.[1] ?? 4);
const PII_KEY = 'bench-pii-key';
const NAIVE = path.join(REPO_ROOT, 'bench', 'naive-sender.mjs');

const TARGETS = {
  backfill_records_per_s: 2000,
  ratio_to_naive: 1.25,
  peak_rss_mb: 150,
  rss_growth: 1.2,
  noop_seconds: 1,
  audit_p95_ms: 20,
  rate_deviation: 0.05,
};

const log = (line: string) => console.error(`[bench ${new Date().toISOString().slice(11, 19)}] ${line}`);
const round = (n: number, d = 1) => Math.round(n * 10 ** d) / 10 ** d;
const dirs: string[] = [];
const newDir = (prefix: string) => {
  const d = tempDir(prefix);
  dirs.push(d);
  return d;
};

interface SimCall {
  method: string;
  path: string;
  status: number;
  at: string;
}

async function laporCalls(sim: Sim): Promise<SimCall[]> {
  return (await getJson<{ data: SimCall[] }>(`${sim.info.origin}/_sim/calls`)).data;
}

function summariseCalls(calls: SimCall[]) {
  const creates = calls.filter((c) => c.method === 'POST' && c.path.endsWith('/complaints/complaint'));
  return {
    calls: calls.length,
    creates: creates.length,
    creates_ok: creates.filter((c) => c.status >= 200 && c.status < 300).length,
    uploads: calls.filter((c) => c.path.endsWith('/complaints/complaint/file')).length,
    status_429: calls.filter((c) => c.status === 429).length,
  };
}

interface SyncJson {
  sources: { source: string; ok: boolean; pulled?: number; batches?: number; new?: number; changed?: number; unchanged?: number; quarantined?: number }[];
  delivery: { delivered: number; retry_wait: number; in_doubt: number; rejected: number; updates_recorded: number } | null;
  states: Record<string, number>;
}

function parseSync(run: ChildRun, what: string): SyncJson {
  if (run.code !== 0) throw new Error(`${what}: the bridge exited with ${run.code ?? run.signal}: ${run.stderr.slice(-3000)}`);
  return JSON.parse(run.stdout) as SyncJson;
}

function simEnv(...sims: Sim[]): NodeJS.ProcessEnv {
  return Object.assign({ ...process.env, SP4N_PII_KEY: PII_KEY }, ...sims.map((s) => s.info.env)) as NodeJS.ProcessEnv;
}

/** One bridge `sync` as a child process against the given simulators. */
async function runBridge(configFile: string, env: NodeJS.ProcessEnv, nodeArgs: string[] = []): Promise<ChildRun> {
  return runNode(CLI, ['--config', configFile, '--log-level', 'warn', '--json', 'sync'], { env, nodeArgs });
}

// ------------------------------------------------------------------ scenarios

interface BackfillResult {
  concurrency: number;
  default: boolean;
  records: number;
  bridge: { seconds: number; records_per_s: number; peak_rss_mb: number; pages: number; delivered: number; lapor_calls: ReturnType<typeof summariseCalls> };
  naive: { seconds: number; records_per_s: number; peak_rss_mb: number; pages: number; creates: number; lapor_calls: ReturnType<typeof summariseCalls> };
  ratio_to_naive: number;
}

async function backfill(bebeja: Sim, concurrency: number): Promise<BackfillResult> {
  // the bridge
  let lapor = await startSim(['lapor']);
  const dir = newDir('sp4n-bench-backfill-');
  const { configFile } = writeBenchConfig(dir, { concurrency });
  const b = await runBridge(configFile, simEnv(bebeja, lapor));
  const sync = parseSync(b, `backfill at concurrency ${concurrency}`);
  const bCalls = summariseCalls(await laporCalls(lapor));
  await stop(lapor.child);
  if (sync.delivery?.delivered !== RECORDS) throw new Error(`backfill at concurrency ${concurrency}: ${sync.delivery?.delivered} delivered, expected ${RECORDS}: ${JSON.stringify(sync)}`);
  fs.rmSync(dir, { recursive: true, force: true });

  // the naive sender, same calls, same concurrency, a fresh LAPOR! simulator
  lapor = await startSim(['lapor']);
  const n = await runNode(NAIVE, [], { env: { ...simEnv(bebeja, lapor), NAIVE_CONCURRENCY: String(concurrency) } });
  if (n.code !== 0) throw new Error(`naive sender exited with ${n.code}: ${n.stderr.slice(-2000)}`);
  const naive = JSON.parse(n.stdout) as { pages: number; creates: number; failures: number; records: number };
  const nCalls = summariseCalls(await laporCalls(lapor));
  await stop(lapor.child);
  if (naive.creates !== RECORDS) throw new Error(`naive sender: ${naive.creates} creates (${naive.failures} failed), expected ${RECORDS}`);

  const bs = b.wall_ms / 1000;
  const ns = n.wall_ms / 1000;
  return {
    concurrency,
    default: concurrency === DEFAULT_CONCURRENCY,
    records: RECORDS,
    bridge: { seconds: round(bs, 2), records_per_s: Math.round(RECORDS / bs), peak_rss_mb: round(b.peak_rss_mb), pages: sync.sources[0]?.batches ?? 0, delivered: sync.delivery.delivered, lapor_calls: bCalls },
    naive: { seconds: round(ns, 2), records_per_s: Math.round(RECORDS / ns), peak_rss_mb: round(n.peak_rss_mb), pages: naive.pages, creates: naive.creates, lapor_calls: nCalls },
    ratio_to_naive: round(bs / ns, 2),
  };
}

interface MemoryResult {
  records: number;
  peak_rss_mb: number;
  seconds: number;
  records_per_s: number;
}

async function memory(size: number): Promise<MemoryResult> {
  const bebeja = await startSim(['bebeja', '--records', String(size)]);
  const lapor = await startSim(['lapor']);
  try {
    const dir = newDir('sp4n-bench-memory-');
    const { configFile } = writeBenchConfig(dir, { concurrency: DEFAULT_CONCURRENCY });
    const run = await runBridge(configFile, simEnv(bebeja, lapor));
    const sync = parseSync(run, `memory run with ${size} records`);
    if (sync.delivery?.delivered !== size) throw new Error(`memory run: ${sync.delivery?.delivered} delivered, expected ${size}`);
    fs.rmSync(dir, { recursive: true, force: true });
    return { records: size, peak_rss_mb: round(run.peak_rss_mb), seconds: round(run.wall_ms / 1000, 2), records_per_s: Math.round(size / (run.wall_ms / 1000)) };
  } finally {
    await stop(bebeja.child);
    await stop(lapor.child);
  }
}

function stats(samples: number[]): { n: number; median_ms: number; p95_ms: number; max_ms: number } {
  const s = [...samples].sort((a, b) => a - b);
  const at = (p: number) => s[Math.min(s.length - 1, Math.max(0, Math.ceil(p * s.length) - 1))] as number;
  return { n: s.length, median_ms: round(at(0.5), 2), p95_ms: round(at(0.95), 2), max_ms: round(s[s.length - 1] as number, 2) };
}

interface NoopResult {
  ledger_records: number;
  ledger_build_seconds: number;
  ledger_mb: number;
  tail_records_synced: number;
  cli_runs_seconds: number[];
  cli_seconds_median: number;
  node_startup_seconds: number;
  cli_startup_seconds: number;
  cli_startup_rss_mb: number;
  in_process: { open_ms: number; cycle_ms: number; close_ms: number; total_ms: number }[];
  in_process_total_ms_median: number;
  pulled: number;
  unchanged: number;
  delivered: number;
}

interface AuditResult {
  ledger_records: number;
  queries: Record<string, ReturnType<typeof stats> & { rows: number; what: string }>;
}

async function bigLedger(wantAudit: boolean, wantNoop: boolean): Promise<{ noop?: NoopResult; audit?: AuditResult }> {
  const dir = newDir('sp4n-bench-bigledger-');
  const { configFile, ledgerPath } = writeBenchConfig(dir, { concurrency: DEFAULT_CONCURRENCY });
  const tail = Math.min(1000, Math.floor(LEDGER_RECORDS / 10 / 100) * 100);
  log(`building a ${LEDGER_RECORDS}-record ledger (synthetic rows by direct SQL; the last ${tail} by a real sync)…`);
  fs.mkdirSync(path.dirname(ledgerPath), { recursive: true });
  const built = buildBigLedger(ledgerPath, LEDGER_RECORDS - tail);
  const bebeja = await startSim(['bebeja', '--records', String(LEDGER_RECORDS)]);
  const lapor = await startSim(['lapor']);
  const env = simEnv(bebeja, lapor);
  try {
    // the cursor just before the tail, as the adapter writes it; one real sync takes in the rest
    const before = LEDGER_RECORDS - tail;
    const page = await getJson<{ data: { id: number; updated_at: string }[] }>(`${bebeja.info.base_url}/api/v1/aduan?per_page=100&page=${before / 100}`, { 'X-API-Key': bebeja.info.env.BEBEJA_API_KEY ?? '' });
    const last = page.data.at(-1);
    if (!last || last.id !== before) throw new Error(`bench: expected record ${before} at the end of page ${before / 100}, got ${last?.id}`);
    {
      const db = new Database(ledgerPath);
      db.prepare("INSERT INTO cursors (source_id, cursor_json, updated_at) VALUES ('bebeja', ?, ?)").run(JSON.stringify({ updated_at: new Date(Date.parse(last.updated_at)).toISOString(), id: String(before) }), new Date().toISOString());
      db.close();
    }
    const tailRun = parseSync(await runBridge(configFile, env), 'tail sync of the big ledger');
    const tailSynced = tailRun.delivery?.delivered ?? 0;
    const result: { noop?: NoopResult; audit?: AuditResult } = {};

    if (wantNoop) {
      log('no-op incremental runs…');
      // what a CLI process costs before any work: Node itself, then Node + the CLI's module graph
      const bareNode = await runNode('-e', ['0'], { env });
      const startup = await runNode(CLI, ['--help'], { env });
      const cli: number[] = [];
      let lastSync: SyncJson | undefined;
      for (let i = 0; i < 3; i++) {
        const run = await runBridge(configFile, env);
        lastSync = parseSync(run, 'no-op run');
        cli.push(round(run.wall_ms / 1000, 3));
      }
      // the same cycle in this process, timed around openBridge / runSyncCycle / close
      const saved = { ...process.env };
      Object.assign(process.env, env);
      const inProcess: NoopResult['in_process'] = [];
      try {
        for (let i = 0; i < 5; i++) {
          const t0 = performance.now();
          const bridge = await openBridge(loadSettingsOrThrow(configFile), { logger: silentLogger() });
          const t1 = performance.now();
          const summary = await runSyncCycle(bridge, {});
          const t2 = performance.now();
          await bridge.close();
          const t3 = performance.now();
          if ((summary.delivery?.delivered ?? 0) > 0 || summary.sources.some((s) => (s.new ?? 0) + (s.changed ?? 0) > 0)) throw new Error(`no-op run changed something: ${JSON.stringify(summary)}`);
          inProcess.push({ open_ms: round(t1 - t0), cycle_ms: round(t2 - t1), close_ms: round(t3 - t2), total_ms: round(t3 - t0) });
        }
      } finally {
        for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
      }
      const src = lastSync?.sources[0];
      result.noop = {
        ledger_records: LEDGER_RECORDS,
        ledger_build_seconds: round(built.seconds),
        ledger_mb: Math.round(fs.statSync(ledgerPath).size / 1e6),
        tail_records_synced: tailSynced,
        cli_runs_seconds: cli,
        cli_seconds_median: [...cli].sort((a, b) => a - b)[1] as number,
        node_startup_seconds: round(bareNode.wall_ms / 1000, 3),
        cli_startup_seconds: round(startup.wall_ms / 1000, 3),
        cli_startup_rss_mb: round(startup.peak_rss_mb),
        in_process: inProcess,
        in_process_total_ms_median: stats(inProcess.map((r) => r.total_ms)).median_ms,
        pulled: src?.pulled ?? 0,
        unchanged: src?.unchanged ?? 0,
        delivered: lastSync?.delivery?.delivered ?? 0,
      };
    }

    if (wantAudit) {
      log('audit queries…');
      result.audit = { ledger_records: LEDGER_RECORDS, queries: auditQueries(ledgerPath) };
    }
    return result;
  } finally {
    await stop(bebeja.child);
    await stop(lapor.child);
  }
}

/** The auditor's queries, through the same functions the CLI commands call, each QUERY_REPS times. */
function auditQueries(ledgerPath: string): AuditResult['queries'] {
  const ledger = SqliteLedger.open(ledgerPath);
  const db = new Database(ledgerPath, { readonly: true });
  const out: AuditResult['queries'] = {};
  const time = (name: string, what: string, fn: (i: number) => number) => {
    fn(0); // warm the statement cache and the pages, as a second query in a session would be
    const samples: number[] = [];
    let rows = 0;
    for (let i = 1; i <= QUERY_REPS; i++) {
      const t = performance.now();
      rows = fn(i);
      samples.push(performance.now() - t);
    }
    out[name] = { ...stats(samples), rows, what };
  };
  const states = ['delivered', 'rejected', 'quarantined', 'dead', 'needs_review'];
  const refOf = (i: number) => `bebeja/${1 + ((i * 7919 * 104729) % (LEDGER_RECORDS - 1000))}`;
  try {
    time('by_state_list', '`ledger list --state S` (newest 100), S cycling through delivered, rejected, quarantined, dead, needs_review', (i) => ledger.listRecords({ state: states[i % states.length], limit: 100 }).length);
    time('by_state_counts', '`ledger status` counts by state', () => Object.keys(ledger.countsByState()).length);
    time('by_state_export', '`ledger export --state needs_review` (every row)', () => [...auditRows(db, 'records', { state: 'needs_review' })].length);
    time('by_date_range', '`ledger export --from D --to D+1` (one day, every row)', (i) => {
      const day = new Date(Date.UTC(2023, 0, 1) + ((i * 37) % 1000) * 86_400_000).toISOString().slice(0, 10);
      const next = new Date(Date.parse(day) + 86_400_000).toISOString().slice(0, 10);
      return [...auditRows(db, 'records', { from: `${day}T00:00:00+07:00`, to: `${next}T00:00:00+07:00` })].length;
    });
    time('by_reference', '`ledger show bebeja/N` (record, versions, attempts, events)', (i) => {
      const r = ledger.findByRef(refOf(i));
      if (!r) throw new Error(`no ${refOf(i)}`);
      return 1 + ledger.versionsFor(r.id).length + ledger.attemptsFor(r.id).length + ledger.eventsFor(r.id).length;
    });
    time('by_lapor_id', '`ledger show <LAPOR! id>`', (i) => (ledger.findByRef(String(5_000_000 + 1 + ((i * 7919) % (LEDGER_RECORDS - 2000)))) ? 1 : 0));
    time('report_month', '`ledger report --period YYYY-MM` (one month)', (i) => {
      const month = `${2023 + Math.floor((i % 36) / 12)}-${String((i % 12) + 1).padStart(2, '0')}`;
      return ledgerReport(db, monthPeriod(month)).totals.received;
    });
  } finally {
    db.close();
    ledger.close();
  }
  return out;
}

interface RateResult {
  records: number;
  configured_per_s: number;
  latency_ms: number;
  simulator_limit_per_s: number;
  calls: number;
  window_seconds: number;
  achieved_per_s: number;
  deviation: number;
  status_429: number;
  delivered: number;
}

async function rateLimited(): Promise<RateResult> {
  const configured = 10;
  const bebeja = await startSim(['bebeja', '--records', String(RATE_RECORDS)]);
  const lapor = await startSim(['lapor', '--latency-ms', '200', '--rate-limit', String(configured)]);
  try {
    const dir = newDir('sp4n-bench-rate-');
    const { configFile } = writeBenchConfig(dir, { concurrency: DEFAULT_CONCURRENCY, ratePerSecond: configured });
    const sync = parseSync(await runBridge(configFile, simEnv(bebeja, lapor)), 'rate-limited run');
    const calls = await laporCalls(lapor);
    const times = calls.map((c) => Date.parse(c.at)).sort((a, b) => a - b);
    // calls are logged when answered; arrivals are 200 ms earlier for every call alike
    const window = ((times.at(-1) ?? 0) - (times[0] ?? 0)) / 1000;
    const achieved = (calls.length - 1) / window;
    fs.rmSync(dir, { recursive: true, force: true });
    return {
      records: RATE_RECORDS,
      configured_per_s: configured,
      latency_ms: 200,
      simulator_limit_per_s: configured,
      calls: calls.length,
      window_seconds: round(window, 2),
      achieved_per_s: round(achieved, 2),
      deviation: round(Math.abs(achieved - configured) / configured, 3),
      status_429: calls.filter((c) => c.status === 429).length,
      delivered: sync.delivery?.delivered ?? 0,
    };
  } finally {
    await stop(bebeja.child);
    await stop(lapor.child);
  }
}

async function profile(bebeja: Sim): Promise<ProfileSummary> {
  const lapor = await startSim(['lapor']);
  try {
    const dir = newDir('sp4n-bench-profile-');
    const { configFile } = writeBenchConfig(dir, { concurrency: DEFAULT_CONCURRENCY });
    const profDir = path.join(dir, 'prof');
    parseSync(await runBridge(configFile, simEnv(bebeja, lapor), ['--cpu-prof', '--cpu-prof-dir', profDir]), 'profiled backfill');
    const file = fs.readdirSync(profDir).find((f) => f.endsWith('.cpuprofile'));
    if (!file) throw new Error('no .cpuprofile written');
    const dest = path.join(REPO_ROOT, 'bench', 'backfill.cpuprofile');
    fs.copyFileSync(path.join(profDir, file), dest);
    return { ...summariseProfile(dest, REPO_ROOT, 12), file: path.relative(REPO_ROOT, dest) };
  } finally {
    await stop(lapor.child);
  }
}

// ------------------------------------------------------------------ report

function table(rows: Record<string, unknown>[]): string {
  const cols = Object.keys(rows[0] ?? {});
  const cells = rows.map((r) => cols.map((c) => String(r[c] ?? '')));
  const widths = cols.map((c, i) => Math.max(c.length, ...cells.map((r) => (r[i] as string).length)));
  const line = (vals: string[]) => vals.map((v, i) => v.padEnd(widths[i] as number)).join('  ');
  return [line(cols), line(widths.map((w) => '-'.repeat(w))), ...cells.map(line)].join('\n');
}

const verdict = (met: boolean) => (met ? 'met' : 'MISSED');

async function main(): Promise<void> {
  const started = Date.now();
  if (!argv['no-build']) {
    log('building dist/ (npm run build)…');
    const b = spawnSync('npm', ['run', '--silent', 'build'], { cwd: REPO_ROOT, stdio: 'inherit' });
    // tsc still emits on type errors (e.g. another change half-way through): go on with a warning
    if (b.status !== 0) log('WARNING: `npm run build` reported errors; measuring the dist/ it emitted');
    if (!fs.existsSync(CLI)) throw new Error(`${CLI} is missing: the build failed`);
  }
  const machine = {
    node: process.version,
    cpus: spawnSync('nproc', { encoding: 'utf8' }).stdout.trim(),
    memory_gb: Math.round(Number(/MemTotal:\s+(\d+)/.exec(fs.readFileSync('/proc/meminfo', 'utf8'))?.[1] ?? 0) / 1048576),
    load_at_start: fs.readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' '),
  };
  const results: Record<string, unknown> = { date: new Date().toISOString(), command: `npm run bench -- ${process.argv.slice(2).join(' ')}`.trim(), machine, records: RECORDS, default_concurrency: DEFAULT_CONCURRENCY };

  const backfills: BackfillResult[] = [];
  let prof: ProfileSummary | undefined;
  if (ONLY.has('backfill') || argv.profile) {
    const bebeja = await startSim(['bebeja', '--records', String(RECORDS)]);
    try {
      if (ONLY.has('backfill')) {
        const order = [DEFAULT_CONCURRENCY, ...CONCURRENCIES.filter((c) => c !== DEFAULT_CONCURRENCY)];
        for (const c of order) {
          log(`backfill of ${RECORDS} at concurrency ${c}: bridge, then naive sender…`);
          const r = await backfill(bebeja, c);
          log(`  bridge ${r.bridge.records_per_s}/s (${r.bridge.seconds} s), naive ${r.naive.records_per_s}/s (${r.naive.seconds} s), ratio ${r.ratio_to_naive}`);
          backfills.push(r);
        }
      }
      if (argv.profile) {
        log('profiled backfill (node --cpu-prof)…');
        prof = await profile(bebeja);
      }
    } finally {
      await stop(bebeja.child);
    }
  }
  results.backfill = backfills;

  const mem: MemoryResult[] = [];
  if (ONLY.has('memory')) {
    for (const size of MEMORY_SIZES) {
      log(`memory: backfill of ${size}…`);
      mem.push(await memory(size));
      log(`  peak RSS ${mem.at(-1)?.peak_rss_mb} MB`);
    }
  }
  results.memory = mem;

  const big = ONLY.has('noop') || ONLY.has('audit') ? await bigLedger(ONLY.has('audit'), ONLY.has('noop')) : {};
  results.noop = big.noop;
  results.audit = big.audit;

  let rate: RateResult | undefined;
  if (ONLY.has('rate')) {
    log(`rate-limited destination: ${RATE_RECORDS} records, 200 ms latency, 10 req/s…`);
    rate = await rateLimited();
  }
  results.rate_limited = rate;
  results.profile = prof;

  // ---------------------------------------------------------------- targets
  const targets: { target: string; measured: string; verdict: string }[] = [];
  const def = backfills.find((b) => b.default);
  if (def) {
    targets.push({ target: `backfill >= ${TARGETS.backfill_records_per_s} records/s (default concurrency ${DEFAULT_CONCURRENCY})`, measured: `${def.bridge.records_per_s} records/s`, verdict: verdict(def.bridge.records_per_s >= TARGETS.backfill_records_per_s) });
    const worst = Math.max(...backfills.map((b) => b.ratio_to_naive));
    targets.push({ target: `bridge time <= ${TARGETS.ratio_to_naive} x naive`, measured: `${def.ratio_to_naive} x at ${DEFAULT_CONCURRENCY} (worst ${worst} x)`, verdict: verdict(worst <= TARGETS.ratio_to_naive) });
  }
  if (mem.length >= 2) {
    const small = mem[0] as MemoryResult;
    const large = mem.at(-1) as MemoryResult;
    targets.push({ target: `peak RSS <= ${TARGETS.peak_rss_mb} MB at ${large.records}`, measured: `${large.peak_rss_mb} MB`, verdict: verdict(large.peak_rss_mb <= TARGETS.peak_rss_mb) });
    const growth = round(large.peak_rss_mb / small.peak_rss_mb, 2);
    targets.push({ target: `RSS at ${large.records} <= ${TARGETS.rss_growth} x RSS at ${small.records}`, measured: `${growth} x (${small.peak_rss_mb} → ${large.peak_rss_mb} MB)`, verdict: verdict(growth <= TARGETS.rss_growth) });
  }
  if (big.noop) {
    const n = big.noop;
    targets.push({ target: `no-op incremental run <= ${TARGETS.noop_seconds} s at ${n.ledger_records} records (CLI process)`, measured: `${n.cli_seconds_median} s (\`--help\` alone: ${n.cli_startup_seconds} s)`, verdict: verdict(n.cli_seconds_median <= TARGETS.noop_seconds) });
    targets.push({ target: `no-op incremental run <= ${TARGETS.noop_seconds} s (open + sync cycle + close, in process)`, measured: `${n.in_process_total_ms_median} ms`, verdict: verdict(n.in_process_total_ms_median <= TARGETS.noop_seconds * 1000) });
  }
  if (big.audit) {
    for (const [name, q] of Object.entries(big.audit.queries)) targets.push({ target: `audit ${name} p95 <= ${TARGETS.audit_p95_ms} ms`, measured: `median ${q.median_ms} ms, p95 ${q.p95_ms} ms (${q.rows} rows)`, verdict: verdict(q.p95_ms <= TARGETS.audit_p95_ms) });
  }
  if (rate) targets.push({ target: `rate-limited run within ${TARGETS.rate_deviation * 100} % of ${rate.configured_per_s}/s`, measured: `${rate.achieved_per_s}/s (${round(rate.deviation * 100)} % off, ${rate.status_429} × 429)`, verdict: verdict(rate.deviation <= TARGETS.rate_deviation) });
  results.targets = targets;
  results.seconds = Math.round((Date.now() - started) / 1000);

  // ---------------------------------------------------------------- print
  const out: string[] = [];
  out.push(`SP4N Bridge benchmark — ${results.date} — node ${machine.node}, ${machine.cpus} cores, ${machine.memory_gb} GB, load at start ${machine.load_at_start}`);
  if (backfills.length) {
    out.push('', `1-2. Backfill of ${RECORDS} complaints (pull, map, record, deliver), bridge vs naive sender`);
    out.push(
      table(
        backfills.map((b) => ({
          concurrency: `${b.concurrency}${b.default ? ' (default)' : ''}`,
          'bridge rec/s': b.bridge.records_per_s,
          'bridge s': b.bridge.seconds,
          'naive rec/s': b.naive.records_per_s,
          'naive s': b.naive.seconds,
          'bridge/naive': `${b.ratio_to_naive} x`,
          'pages b/n': `${b.bridge.pages}/${b.naive.pages}`,
          'LAPOR! calls b/n': `${b.bridge.lapor_calls.calls}/${b.naive.lapor_calls.calls}`,
          'bridge RSS MB': b.bridge.peak_rss_mb,
        })),
      ),
    );
  }
  if (mem.length) {
    out.push('', '3. Peak RSS of the bridge process (whole backfill, default concurrency)');
    out.push(table(mem.map((m) => ({ records: m.records, 'peak RSS MB': m.peak_rss_mb, seconds: m.seconds, 'rec/s': m.records_per_s }))));
  }
  if (big.noop) {
    const n = big.noop;
    out.push('', `4. No-op incremental run over a ${n.ledger_records}-record ledger (${n.ledger_mb} MB; built in ${n.ledger_build_seconds} s)`);
    out.push(`   CLI process (node dist/cli/main.js sync): ${n.cli_runs_seconds.join(' s, ')} s; for comparison \`node -e 0\`: ${n.node_startup_seconds} s, \`main.js --help\`: ${n.cli_startup_seconds} s (${n.cli_startup_rss_mb} MB)`);
    out.push(`   in process: ${n.in_process.map((r) => `open ${r.open_ms} + cycle ${r.cycle_ms} + close ${r.close_ms} = ${r.total_ms} ms`).join('; ')}`);
    out.push(`   pulled ${n.pulled} (lookback window), unchanged ${n.unchanged}, delivered ${n.delivered}`);
  }
  if (big.audit) {
    out.push('', `5. Audit queries on the ${big.audit.ledger_records}-record ledger (${QUERY_REPS} runs each, in process)`);
    out.push(table(Object.entries(big.audit.queries).map(([name, q]) => ({ query: name, 'median ms': q.median_ms, 'p95 ms': q.p95_ms, 'max ms': q.max_ms, rows: q.rows }))));
  }
  if (rate) {
    out.push('', '6. Rate-limited destination (LAPOR! simulator: 200 ms latency, 10 requests/s; bridge: rate_limit_per_second 10)');
    out.push(`   ${rate.records} records, ${rate.calls} API calls in ${rate.window_seconds} s: ${rate.achieved_per_s}/s against ${rate.configured_per_s}/s configured (${round(rate.deviation * 100)} % off), ${rate.status_429} × 429, ${rate.delivered} delivered`);
  }
  if (prof) {
    out.push('', `7. CPU profile of the backfill: ${prof.file} (open in Chrome DevTools › Performance, or speedscope)`);
    out.push(`   sampled ${prof.total_ms} ms, idle ${prof.idle_ms} ms, GC ${prof.gc_ms} ms; top self time:`);
    out.push(table(prof.top_functions.map((f) => ({ function: f.name, 'self ms': f.self_ms, '%': f.share }))));
  }
  out.push('', 'Targets (issue #9)', table(targets));
  out.push('', `bench/results.json written; ${results.seconds} s in all`);
  console.log(out.join('\n'));
  fs.writeFileSync(argv.out, `${JSON.stringify(results, null, 2)}\n`);
}

let interrupted = false;
const onSignal = (sig: NodeJS.Signals) => {
  if (interrupted) return;
  interrupted = true;
  log(`${sig}: stopping the simulators…`);
  void stopAll().finally(() => process.exit(130));
};
process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);

try {
  await main();
} catch (err) {
  console.error(`bench failed: ${(err as Error).stack ?? String(err)}`);
  process.exitCode = 1;
} finally {
  await stopAll();
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
}
