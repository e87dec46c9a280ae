/**
 * `doctor` through the real CLI, against the simulators on 127.0.0.1 and a real ledger file:
 * every check is OK / WARN / FAIL with a hint, the exit code is 1 only when something FAILs, and
 * no secret value is ever printed.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import Database from 'better-sqlite3';
import { LATEST_VERSION } from '../../src/ledger/migrations/index.js';
import { assessClockSkew, inspectLedger, runDoctor } from '../../src/ops/doctor.js';
import { wrapText } from '../../src/cli/commands/doctor.js';
import { loadSettingsOrThrow } from '../../src/settings/load-settings.js';
import { BebejaSimulator } from '../../src/simulators/bebeja-simulator.js';
import { LaporSimulator } from '../../src/simulators/lapor-simulator.js';
import { sandboxEnv } from '../../src/simulators/sandbox-env.js';
import { runCli } from '../helpers/capture.js';
import { copyShippedConfig, tempDir } from '../helpers/workdir.js';

interface JsonReport {
  ok: boolean;
  summary: { ok: number; warn: number; fail: number };
  checks: { check: string; status: 'OK' | 'WARN' | 'FAIL'; detail: string; hint?: string }[];
}

let dir: string;
let configFile: string;
let ledgerPath: string;
let bebeja: BebejaSimulator;
let lapor: LaporSimulator;
const savedEnv = { ...process.env };

const cli = (...args: string[]) => runCli('--config', configFile, ...args);

async function doctorJson(...args: string[]): Promise<{ code: number; report: JsonReport; stdout: string; stderr: string }> {
  const r = await cli('--json', 'doctor', ...args);
  return { code: r.code, report: JSON.parse(r.stdout) as JsonReport, stdout: r.stdout, stderr: r.stderr };
}

const row = (report: JsonReport, check: string) => report.checks.find((c) => c.check === check);
const failures = (report: JsonReport) => report.checks.filter((c) => c.status === 'FAIL');

function editConfig(file: string, from: RegExp | string, to: string): void {
  const text = fs.readFileSync(file, 'utf8');
  const edited = text.replace(from, to);
  if (edited === text) throw new Error(`${file}: nothing to replace for ${String(from)}`);
  fs.writeFileSync(file, edited);
}

beforeEach(async () => {
  dir = tempDir('sp4n-doctor-');
  configFile = copyShippedConfig(dir, { immediateReconcile: true });
  bebeja = new BebejaSimulator({ seed: 3 });
  lapor = new LaporSimulator();
  await bebeja.start();
  await lapor.start();
  Object.assign(process.env, sandboxEnv(bebeja, lapor, 'doctor-pii-key'));
  ledgerPath = loadSettingsOrThrow(configFile).ledgerPath;
});

afterEach(async () => {
  await bebeja.stop();
  await lapor.stop();
  for (const k of Object.keys(process.env)) if (!(k in savedEnv)) delete process.env[k];
  Object.assign(process.env, savedEnv);
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('doctor against the simulators', () => {
  it('is all OK before the first sync except the missing ledger (a WARN, exit 0), as a table and as JSON', async () => {
    const table = await cli('doctor');
    expect(table.code).toBe(0);
    expect(table.stderr).toBe('');
    expect(table.stdout).toMatch(/^check\s+status\s+detail\s+hint/);
    expect(table.stdout).not.toMatch(/\bFAIL\b(?! —)/);
    expect(table.stdout).toMatch(/\d+ OK, 1 WARN, 0 FAIL/);

    const { code, report } = await doctorJson();
    expect(code).toBe(0);
    expect(report.ok).toBe(true);
    expect(failures(report)).toEqual([]);
    expect(report.summary).toEqual({ ok: report.checks.length - 1, warn: 1, fail: 0 });
    expect(row(report, 'config')?.status).toBe('OK');
    expect(row(report, 'source bebeja')).toMatchObject({ status: 'OK' });
    expect(row(report, 'source bebeja clock')).toMatchObject({ status: 'OK' });
    expect(row(report, 'destination')).toMatchObject({ status: 'OK', detail: expect.stringContaining('HTTP 200') });
    expect(row(report, 'destination clock')).toMatchObject({ status: 'OK' });
    expect(row(report, 'destination lookup')).toMatchObject({ status: 'OK' });
    expect(row(report, 'ledger file')).toMatchObject({ status: 'WARN', hint: expect.stringContaining('first sync') });
    expect(row(report, 'disk space')?.status).not.toBe('FAIL');
    // the destination was called exactly as the sink calls it, and doctor sent nothing
    expect(lapor.requests().some((r) => r.path.endsWith('/masters/institutions/external') && r.status === 200)).toBe(true);
    expect(lapor.complaints()).toHaveLength(0);
    expect(fs.existsSync(ledgerPath)).toBe(false); // doctor creates no ledger
  });

  it('after a sync the ledger checks are OK: file, permissions, schema, integrity, records', async () => {
    expect((await cli('sync')).code).toBe(0);
    const { code, report } = await doctorJson();
    expect(code).toBe(0);
    expect(report.checks.filter((c) => c.status !== 'OK')).toEqual([]);
    expect(row(report, 'ledger schema')).toMatchObject({ status: 'OK', detail: expect.stringContaining(`version ${LATEST_VERSION}`) });
    expect(row(report, 'ledger integrity')).toMatchObject({ status: 'OK' });
    expect(row(report, 'ledger permissions')).toMatchObject({ status: 'OK', detail: 'mode 600' });
    expect(row(report, 'ledger records')?.detail).toMatch(/delivered \d+/);
  });

  it('a wrong LAPOR! token is a FAIL for the destination with a hint, exit 1, and the token is never printed', async () => {
    process.env.LAPOR_TOKEN = 'wrong-token-value';
    const table = await cli('doctor');
    expect(table.code).toBe(1);
    expect(table.stdout).toMatch(/destination\s+FAIL\s+LAPOR! refused the credentials/);
    expect(table.stdout).toMatch(/\d+ OK, \d+ WARN, 1 FAIL/);

    const { code, report, stdout, stderr } = await doctorJson();
    expect(code).toBe(1);
    expect(report.ok).toBe(false);
    expect(failures(report).map((c) => c.check)).toEqual(['destination']);
    const dest = row(report, 'destination') as JsonReport['checks'][number] & { hint: string };
    expect(dest.detail).toContain('HTTP 401');
    expect(dest.hint).toContain('${LAPOR_TOKEN}');
    expect(dest.hint).toContain('${LAPOR_APP_TOKEN}');
    for (const text of [table.stdout, table.stderr, stdout, stderr]) {
      expect(text).not.toContain('wrong-token-value');
      expect(text).not.toContain(lapor.appToken);
      expect(text).not.toContain('[secret]'); // not even masked: doctor never tries to print a secret
    }
  });

  it('a wrong Bebeja API key is a FAIL for the source naming the variable', async () => {
    process.env.BEBEJA_API_KEY = 'wrong-bebeja-key';
    const { code, report, stdout, stderr } = await doctorJson();
    expect(code).toBe(1);
    expect(failures(report).map((c) => c.check)).toEqual(['source bebeja']);
    expect(row(report, 'source bebeja')).toMatchObject({ detail: expect.stringContaining('HTTP 401'), hint: expect.stringContaining('${BEBEJA_API_KEY}') });
    expect(row(report, 'destination')?.status).toBe('OK');
    expect(stdout + stderr).not.toContain('wrong-bebeja-key');
  });

  it('LAPOR! unreachable is a FAIL with a hint naming the base URL setting', async () => {
    await lapor.stop();
    const { code, report } = await doctorJson();
    expect(code).toBe(1);
    expect(failures(report).map((c) => c.check)).toEqual(['destination']);
    expect(row(report, 'destination')).toMatchObject({ detail: expect.stringContaining('ECONNREFUSED'), hint: expect.stringContaining('${LAPOR_BASE_URL}') });
    expect(row(report, 'source bebeja')?.status).toBe('OK');
  });

  it('a check that does not answer within --timeout is a FAIL, and the others still run', async () => {
    lapor.setFaults([{ match: 'any', delayMs: 1500 }]);
    const started = Date.now();
    const { code, report } = await doctorJson('--timeout', '500ms');
    expect(Date.now() - started).toBeLessThan(1400);
    expect(code).toBe(1);
    expect(row(report, 'destination')).toMatchObject({ status: 'FAIL', detail: 'no answer within 500 ms', hint: expect.stringContaining('--timeout') });
    expect(row(report, 'source bebeja')?.status).toBe('OK');
  });

  it('a bad --timeout is a usage error (exit 2)', async () => {
    const r = await cli('doctor', '--timeout', 'soon');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--timeout');
  });
});

describe('doctor with a broken configuration', () => {
  it('prints one FAIL per problem naming the file, and still checks the ledger', async () => {
    expect((await cli('sync')).code).toBe(0);
    editConfig(configFile, 'concurrency: 4', 'concurrency: 4\n  bogus_key: 1');
    delete process.env.LAPOR_APP_TOKEN;

    const table = await cli('doctor');
    expect(table.code).toBe(1);
    expect(table.stdout).toMatch(/config\s+FAIL\s+\S*bridge\.yaml:\d+/);

    const { code, report } = await doctorJson();
    expect(code).toBe(1);
    const fails = failures(report);
    expect(fails).toHaveLength(2);
    for (const f of fails) {
      expect(f.check).toBe('config');
      expect(f.detail).toContain(configFile);
      expect(f.hint).toBeTruthy();
    }
    expect(fails.map((f) => f.detail).join('\n')).toMatch(/delivery\.bogus_key: unknown key/);
    expect(fails.find((f) => f.detail.includes('LAPOR_APP_TOKEN'))?.hint).toContain('set LAPOR_APP_TOKEN');
    // no network checks without a config, but the ledger is checked
    expect(row(report, 'destination')).toBeUndefined();
    expect(row(report, 'ledger integrity')?.status).toBe('OK');
  });

  it('a missing bridge.yaml is a FAIL and the ledger is reported as not checked', async () => {
    const r = await runCli('--config', path.join(dir, 'nowhere', 'bridge.yaml'), '--json', 'doctor');
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout) as JsonReport;
    expect(failures(report)).toEqual([expect.objectContaining({ check: 'config', detail: expect.stringContaining('file not found') })]);
    expect(row(report, 'ledger')?.status).toBe('WARN');
  });
});

describe('doctor and the ledger', () => {
  it('a paused destination is a WARN with the resume command; WARNs alone exit 0', async () => {
    expect((await cli('sync')).code).toBe(0);
    expect((await cli('pause', '--reason', 'gateway maintenance')).code).toBe(0);
    const table = await cli('doctor');
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/destination paused\s+WARN\s+paused since \S+: gateway maintenance\s+.*sp4n-bridge resume/);
    expect(table.stdout).toMatch(/\d+ OK, 1 WARN, 0 FAIL/);
  });

  it('a paused source is a WARN', async () => {
    expect((await cli('sync')).code).toBe(0);
    expect((await cli('pause', '--source', 'bebeja', '--reason', 'source migration')).code).toBe(0);
    const { code, report } = await doctorJson();
    expect(code).toBe(0);
    expect(row(report, 'source bebeja paused')).toMatchObject({ status: 'WARN', detail: expect.stringContaining('source migration'), hint: expect.stringContaining('resume --source bebeja') });
  });

  it('records in needs_review are a WARN pointing at the ledger list command; no lookup is a WARN too', async () => {
    editConfig(configFile, /lookup:[^\n]*\n\s+path: \/complaints\/search\n\s+param: q\n/, 'lookup: false\n');
    lapor.setFaults([{ match: 'create', status: 500, times: 10 }]);
    expect((await cli('sync')).code).toBe(0);
    expect((await cli('sync')).code).toBe(0);
    const { code, report } = await doctorJson();
    expect(code).toBe(0);
    expect(row(report, 'ledger needs_review')).toMatchObject({ status: 'WARN', hint: expect.stringContaining('sp4n-bridge ledger list --state needs_review') });
    expect(row(report, 'destination lookup')).toMatchObject({ status: 'WARN', detail: expect.stringContaining('needs_review') });
  });

  it('inspectLedger: a file readable by others is a WARN (chmod 600), a newer schema is a FAIL', () => {
    const file = path.join(dir, 'other.sqlite');
    const db = new Database(file);
    db.exec('CREATE TABLE records (id INTEGER PRIMARY KEY, state TEXT)');
    db.pragma(`user_version = ${LATEST_VERSION + 1}`);
    db.close();
    fs.chmodSync(file, 0o644);
    const { checks } = inspectLedger(file);
    expect(checks.find((c) => c.name === 'ledger permissions')).toMatchObject({ status: 'WARN', hint: `chmod 600 ${file}` });
    expect(checks.find((c) => c.name === 'ledger schema')).toMatchObject({ status: 'FAIL', hint: expect.stringContaining('upgrade the bridge') });
    expect(checks.find((c) => c.name === 'ledger integrity')?.status).toBe('OK');
  });

  it('inspectLedger: an older schema is a WARN (migrated on next start); a file that is not SQLite is a FAIL', () => {
    const older = path.join(dir, 'older.sqlite');
    const db = new Database(older);
    db.exec('CREATE TABLE records (id INTEGER PRIMARY KEY, state TEXT)');
    db.pragma('user_version = 1');
    db.close();
    expect(inspectLedger(older).checks.find((c) => c.name === 'ledger schema')).toMatchObject({ status: 'WARN', hint: expect.stringContaining('migrated') });

    const junk = path.join(dir, 'junk.sqlite');
    fs.writeFileSync(junk, 'this is not a database, just text that is long enough to have a header', { mode: 0o600 });
    expect(inspectLedger(junk).checks.find((c) => c.name === 'ledger open')?.status).toBe('FAIL');
  });
});

describe('clock skew', () => {
  // The LAPOR! simulator's `now` option does not drive its Date header (Node's HTTP server sets
  // it from the real clock), so skew is simulated from this side: doctor's own clock is shifted.
  it('a destination clock 10 minutes off is a FAIL, 2 minutes a WARN (through runDoctor with a shifted local clock)', async () => {
    const far = await runDoctor({ configFile, timeoutMs: 5000, now: () => new Date(Date.now() - 10 * 60_000) });
    expect(far.ok).toBe(false);
    expect(far.checks.find((c) => c.name === 'destination clock')).toMatchObject({ status: 'FAIL', detail: expect.stringMatching(/LAPOR!'s clock is (9 min 59 s|10 min( 1 s)?) ahead/), hint: expect.stringContaining('NTP') });
    // sources have the cursor's clock_skew + lookback margin (2m + 10m): 10 minutes is a WARN there
    expect(far.checks.find((c) => c.name === 'source bebeja clock')).toMatchObject({ status: 'WARN', hint: expect.stringContaining('clock_skew') });

    const near = await runDoctor({ configFile, timeoutMs: 5000, now: () => new Date(Date.now() + 2 * 60_000) });
    expect(near.checks.find((c) => c.name === 'destination clock')).toMatchObject({ status: 'WARN', detail: expect.stringContaining('behind') });
    expect(near.ok).toBe(true);
  });

  it('assessClockSkew: thresholds, sub-second noise and a missing header', () => {
    const now = Date.parse('2025-03-01T10:00:00Z');
    expect(assessClockSkew('X', 'Sat, 01 Mar 2025 10:00:00 GMT', now + 900).status).toBe('OK');
    expect(assessClockSkew('X', 'Sat, 01 Mar 2025 10:00:59 GMT', now).status).toBe('OK');
    expect(assessClockSkew('X', 'Sat, 01 Mar 2025 10:01:30 GMT', now)).toMatchObject({ status: 'WARN', skewMs: 90_500 });
    expect(assessClockSkew('X', 'Sat, 01 Mar 2025 09:54:00 GMT', now)).toMatchObject({ status: 'FAIL', skewMs: -359_500 });
    expect(assessClockSkew('X', 'Sat, 01 Mar 2025 09:54:00 GMT', now, null).status).toBe('WARN');
    const none = assessClockSkew('X', undefined, now);
    expect(none.status).toBe('WARN');
    expect(none.skewMs).toBeUndefined();
  });
});

describe('table layout', () => {
  it('wrapText keeps every line within the width and loses no text', () => {
    const text = 'check destination.auth.bearer_token (${LAPOR_TOKEN}) and a-very-long-word-that-does-not-fit-in-twenty';
    const lines = wrapText(text, 20);
    expect(lines.every((l) => l.length <= 20)).toBe(true);
    expect(lines.join('').replace(/\s/g, '')).toBe(text.replace(/\s/g, ''));
  });
});
