/**
 * Child processes for the benchmark: the simulators (`sp4n-bridge simulate … --json`), the bridge
 * itself and the naive sender, all on 127.0.0.1. Every child is registered, so `stopAll()` (run in
 * a `finally` and on SIGINT/SIGTERM) leaves nothing behind. Peak RSS of a child is read twice: the
 * child itself reports its VmHWM at exit (a preloaded one-line module), and
 * the parent samples VmHWM from /proc/<pid>/status while it runs; the larger figure is kept.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';

export const REPO_ROOT = path.resolve(import.meta.dirname, '..', '..');
export const CLI = path.join(REPO_ROOT, 'dist', 'cli', 'main.js');

const children = new Set<ChildProcess>();

export interface SimInfo {
  base_url: string;
  origin: string;
  env: Record<string, string>;
  pid: number;
}

export interface Sim {
  readonly child: ChildProcess;
  readonly info: SimInfo;
}

function track(child: ChildProcess): ChildProcess {
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

/** Starts `sp4n-bridge simulate <args> --port 0 --host 127.0.0.1 --json` and waits for its line. */
export async function startSim(args: string[]): Promise<Sim> {
  const child = track(spawn(process.execPath, [CLI, '--json', 'simulate', ...args, '--port', '0', '--host', '127.0.0.1'], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] }));
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const lines = readline.createInterface({ input: child.stdout as NodeJS.ReadableStream });
  const first = await new Promise<string>((resolve, reject) => {
    lines.once('line', resolve);
    child.once('exit', (code) => reject(new Error(`simulator ${args[0]} exited with ${code}: ${stderr}`)));
  });
  return { child, info: JSON.parse(first) as SimInfo };
}

export async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}

/** Stops every child this module started (simulators, bridge runs, naive senders). */
export async function stopAll(): Promise<void> {
  await Promise.all([...children].map((c) => stop(c)));
}

export interface ChildRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** Spawn to exit, milliseconds. */
  wall_ms: number;
  /** Peak resident set size, MB (max of the child's own maxRSS and sampled VmHWM). */
  peak_rss_mb: number;
}

function vmHwmKb(pid: number): number {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

// A preloaded module that writes the process's own peak RSS (KiB) to BENCH_RSS_FILE at exit. It
// reads VmHWM, not process.resourceUsage().maxRSS: on Linux getrusage's maxrss survives fork and
// exec, so a child would report its parent's peak (this bench process's) whenever that is larger.
const RSS_REPORTER = `data:text/javascript,${encodeURIComponent(
  "import fs from 'node:fs';process.on('exit',()=>{try{fs.writeFileSync(process.env.BENCH_RSS_FILE,/VmHWM:\\s+(\\d+)/.exec(fs.readFileSync('/proc/self/status','utf8'))[1])}catch{}});",
)}`;

/** Runs `node [nodeArgs] script args` to completion, measuring wall time and peak RSS. */
export async function runNode(script: string, args: string[], o: { env: NodeJS.ProcessEnv; nodeArgs?: string[]; timeoutMs?: number }): Promise<ChildRun> {
  const rssFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'sp4n-bench-rss-')), 'rss');
  const started = performance.now();
  const child = track(
    spawn(process.execPath, [...(o.nodeArgs ?? []), '--import', RSS_REPORTER, script, ...args], {
      cwd: REPO_ROOT,
      env: { ...o.env, BENCH_RSS_FILE: rssFile },
      stdio: ['ignore', 'pipe', 'pipe'],
    }),
  );
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (stderr.length < 1_000_000 ? (stderr += d.toString()) : undefined));
  let sampled = 0;
  const sampler = setInterval(() => {
    if (child.pid) sampled = Math.max(sampled, vmHwmKb(child.pid));
  }, 50);
  const timer = o.timeoutMs ? setTimeout(() => child.kill('SIGKILL'), o.timeoutMs) : undefined;
  const { code, signal } = await new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (c, s) => resolve({ code: c, signal: s })));
  const wall = performance.now() - started;
  clearInterval(sampler);
  if (timer) clearTimeout(timer);
  let reported = 0;
  try {
    reported = Number(fs.readFileSync(rssFile, 'utf8'));
  } catch {
    /* killed before exit */
  }
  fs.rmSync(path.dirname(rssFile), { recursive: true, force: true });
  return { code, signal, stdout, stderr, wall_ms: wall, peak_rss_mb: Math.max(sampled, reported) / 1024 };
}

export async function getJson<T>(url: string, headers: Record<string, string> = {}): Promise<T> {
  const res = await fetch(url, { headers });
  if (!res.ok) throw new Error(`GET ${url}: HTTP ${res.status}`);
  return (await res.json()) as T;
}
