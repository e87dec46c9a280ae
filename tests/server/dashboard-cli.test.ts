/**
 * `sp4n-bridge dashboard` as a real child process without any LAPOR! or source secret in its
 * environment (it reads only ledger.path and dashboard.token), token rotation by SIGHUP, the
 * usage errors, and the daemon serving /dashboard on its own HTTP endpoint without logging the
 * token.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { runCli } from '../helpers/capture.js';
import { REPO_ROOT } from '../helpers/workdir.js';
import { dashboardFixture, type DashboardFixture } from './dashboard-fixture.js';

const MAIN = path.join(REPO_ROOT, 'src', 'cli', 'main.ts');

let fx: DashboardFixture;
let children: ChildProcess[] = [];

beforeAll(async () => {
  fx = await dashboardFixture('sp4n-dash-cli-');
}, 60_000);

afterEach(() => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  children = [];
});

afterAll(async () => {
  await fx?.close();
});

interface Child {
  child: ChildProcess;
  lines: string[];
  exited: Promise<number | null>;
  stderr: () => string;
}

function start(args: string[], env: NodeJS.ProcessEnv): Child {
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN, '--config', fx.configFile, ...args], { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  const lines: string[] = [];
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  readline.createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (l) => lines.push(l));
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  return { child, lines, exited, stderr: () => stderr };
}

async function waitFor<T>(probe: () => Promise<T | undefined> | T | undefined, what: string, diag: () => string = () => ''): Promise<T> {
  for (let i = 0; i < 600; i++) {
    const v = await probe();
    if (v !== undefined && v !== false) return v;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what} ${diag()}`);
}

/** The environment without any variable the sync needed (LAPOR! tokens, Bebeja key, PII key). */
function envWithoutSecrets(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const k of Object.keys(fx.env)) delete env[k];
  return env;
}

describe('sp4n-bridge dashboard', () => {
  it('serves the dashboard alone without LAPOR! secrets; SIGHUP rotates the token; SIGTERM stops it', async () => {
    const c = start(['--json', 'dashboard', '--port', '0'], envWithoutSecrets());
    const info = await waitFor(() => {
      const l = c.lines.find((x) => x.startsWith('{'));
      return l ? (JSON.parse(l) as { dashboard: string; ledger: string }) : undefined;
    }, 'the listening line', c.stderr);
    expect(info.ledger).toBe(fx.ledgerPath);
    expect((await fetch(info.dashboard, { redirect: 'manual' })).status).toBe(401);
    const ok = await fetch(info.dashboard, { headers: { authorization: `Bearer ${fx.token}` } });
    expect(ok.status).toBe(200);
    expect(await ok.text()).toContain('Pengaduan menurut status');
    // the root of the standalone server leads to the dashboard
    expect((await fetch(info.dashboard.replace(/\/dashboard$/, '/'), { redirect: 'manual' })).headers.get('location')).toBe('/dashboard');

    fs.writeFileSync(fx.tokenFile, 'a-brand-new-dashboard-token\n');
    try {
      c.child.kill('SIGHUP');
      await waitFor(async () => (await fetch(info.dashboard, { headers: { authorization: 'Bearer a-brand-new-dashboard-token' } })).status === 200 || undefined, 'the new token', c.stderr);
      expect((await fetch(info.dashboard, { headers: { authorization: `Bearer ${fx.token}` }, redirect: 'manual' })).status).toBe(401);
    } finally {
      fs.writeFileSync(fx.tokenFile, `${fx.token}\n`);
    }
    c.child.kill('SIGTERM');
    expect(await c.exited).toBe(0);
    expect(c.stderr()).not.toContain(fx.token);
    expect(c.stderr()).not.toContain('a-brand-new-dashboard-token');
  }, 60_000);

  it('usage errors: no dashboard section, an unreadable token file, no ledger', async () => {
    const bare = path.join(fx.dir, 'config', 'bare.yaml');
    fs.writeFileSync(bare, fs.readFileSync(fx.configFile, 'utf8').replace(/\ndashboard:[\s\S]*$/, '\n'));
    let r = await runCli('--config', bare, 'dashboard');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('no dashboard.token');

    const noFile = path.join(fx.dir, 'config', 'nofile.yaml');
    fs.writeFileSync(noFile, fs.readFileSync(fx.configFile, 'utf8').replace('${file:../dashboard-token}', '${file:../missing-token}'));
    r = await runCli('--config', noFile, 'dashboard');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/cannot resolve the dashboard token \(secret file .*missing-token cannot be read/);

    r = await runCli('--config', fx.configFile, 'dashboard', '--ledger', path.join(fx.dir, 'nothing.sqlite'));
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('no ledger at');
    expect(fs.existsSync(path.join(fx.dir, 'nothing.sqlite'))).toBe(false);

    r = await runCli('--config', fx.configFile, 'dashboard', '--port', 'http');
    expect(r.code).toBe(2);
  });
});

describe('daemon', () => {
  it('serves /dashboard on its HTTP endpoint and never logs the token', async () => {
    const text = fs.readFileSync(fx.configFile, 'utf8');
    fs.writeFileSync(fx.configFile, text.replace(/port: 9464/, 'port: 0'));
    try {
      const d = start(['daemon'], { ...process.env, ...fx.env });
      const listening = await waitFor(() => {
        for (const l of d.lines) {
          try {
            const j = JSON.parse(l) as { message?: string; port?: number; endpoints?: string[] };
            if (j.message === 'http listening') return j;
          } catch {
            /* not JSON */
          }
        }
        return undefined;
      }, 'http listening', d.stderr);
      expect(listening.endpoints).toContain('/dashboard');
      const root = `http://127.0.0.1:${listening.port}`;
      expect((await fetch(`${root}/dashboard/verify`, { redirect: 'manual' })).status).toBe(401);
      const bad = await fetch(`${root}/dashboard/login`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'token=wrong', redirect: 'manual' });
      expect(bad.status).toBe(401);
      const good = await fetch(`${root}/dashboard/login`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ token: fx.token }).toString(), redirect: 'manual' });
      expect(good.status).toBe(303);
      const session = (good.headers.get('set-cookie') as string).split(';')[0] as string;
      const verify = await fetch(`${root}/dashboard/verify`, { headers: { cookie: session } });
      expect(verify.status).toBe(200);
      expect(await verify.text()).toMatch(/id="head-hash">[0-9a-f]{64}</);
      expect((await fetch(`${root}/metrics`)).status).toBe(200);
      await waitFor(() => d.lines.some((l) => l.includes('dashboard login failed')) || undefined, 'the failed login in the log');
      d.child.kill('SIGTERM');
      expect(await d.exited).toBe(0);
      const log = d.lines.join('\n');
      expect(log).toContain('"message":"dashboard login"');
      expect(log).not.toContain(fx.token);
    } finally {
      fs.writeFileSync(fx.configFile, text);
    }
  }, 60_000);
});
