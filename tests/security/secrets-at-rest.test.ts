/**
 * Secrets at rest (issue #10): a fresh ledger is 0600 (its -wal and -shm too) and log files are
 * 0640, whatever the umask; `config check` and `doctor` warn about a secret file or ledger that
 * group/others can read; and after a full run through the CLI against the simulators, with
 * distinctive secret values, no secret appears in the ledger file bytes (and its WAL), the log
 * files, or any `--json` output.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { SqliteLedger } from '../../src/ledger/sqlite-ledger.js';
import { runDoctor } from '../../src/ops/doctor.js';
import { BebejaSimulator } from '../../src/simulators/bebeja-simulator.js';
import { LaporSimulator } from '../../src/simulators/lapor-simulator.js';
import { closeLogger, createLogger } from '../../src/util/logger.js';
import { runCli } from '../helpers/capture.js';
import { copyShippedConfig, tempDir } from '../helpers/workdir.js';

const mode = (file: string) => fs.statSync(file).mode & 0o777;

describe('file modes of a fresh ledger and log file', () => {
  let dir: string;
  let umask: number;
  beforeAll(() => {
    dir = tempDir('sp4n-modes-');
    umask = process.umask(0o000); // the most permissive umask: modes must not depend on it
  });
  afterAll(() => {
    process.umask(umask);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('creates the ledger, its -wal and -shm with mode 0600', () => {
    const file = path.join(dir, 'data', 'ledger.sqlite');
    const ledger = SqliteLedger.open(file);
    try {
      ledger.ensureSource('bebeja', 'rest'); // a write: the WAL exists now
      expect(mode(file)).toBe(0o600);
      expect(mode(`${file}-wal`)).toBe(0o600);
      expect(mode(`${file}-shm`)).toBe(0o600);
    } finally {
      ledger.close();
    }
  });

  it('creates log files with mode 0640 (operators\' group may read, others not)', async () => {
    const logDir = path.join(dir, 'logs');
    const logger = createLogger({ silent: false, stream: fs.createWriteStream('/dev/null'), file: { dir: logDir, retentionDays: 2 } });
    logger.info('hello');
    await closeLogger(logger);
    const logs = fs.readdirSync(logDir).filter((f) => f.endsWith('.log'));
    expect(logs).toHaveLength(1);
    expect(mode(path.join(logDir, logs[0] as string))).toBe(0o640);
    expect(mode(logDir) & 0o007).toBe(0);
  });
});

describe('a full run leaves no secret anywhere', () => {
  // distinctive values: any hit is a leak, never a coincidence
  const SECRETS = {
    LAPOR_TOKEN: 'lapor-bearer-Zq8vK3mW9xT2pL7',
    LAPOR_APP_TOKEN: 'lapor-app-Hh4nR6yB1cJ5sD0',
    BEBEJA_API_KEY: 'bebeja-key-Wf2gT9uE4kM8qA3',
    PII_KEY: 'pii-salt-Nb7vX1zC6oP4iY9',
  };
  let dir: string;
  let configFile: string;
  let bebeja: BebejaSimulator;
  let lapor: LaporSimulator;
  let piiFile: string;
  const outputs: Record<string, string> = {};

  beforeAll(async () => {
    dir = tempDir('sp4n-secrets-');
    configFile = copyShippedConfig(dir, { immediateReconcile: true });
    // the PII key from a file (${file:...}), log files on
    piiFile = path.join(dir, 'config', 'pii-key');
    fs.writeFileSync(piiFile, `${SECRETS.PII_KEY}\n`, { mode: 0o600 });
    const text = fs.readFileSync(configFile, 'utf8');
    const edited = text.replace('pii_key: ${SP4N_PII_KEY}', 'pii_key: ${file:pii-key}').replace(/logging:\n {2}level: info/, 'logging:\n  level: debug\n  file:\n    dir: ../logs\n    retention_days: 2');
    expect(edited).not.toBe(text);
    fs.writeFileSync(configFile, edited);

    bebeja = new BebejaSimulator({ seed: 'demo', apiKey: SECRETS.BEBEJA_API_KEY });
    lapor = new LaporSimulator({ bearerToken: SECRETS.LAPOR_TOKEN, appToken: SECRETS.LAPOR_APP_TOKEN });
    await bebeja.start();
    await lapor.start();
    Object.assign(process.env, {
      BEBEJA_URL: bebeja.url,
      BEBEJA_API_KEY: SECRETS.BEBEJA_API_KEY,
      LAPOR_BASE_URL: lapor.url,
      LAPOR_TOKEN: SECRETS.LAPOR_TOKEN,
      LAPOR_APP_TOKEN: SECRETS.LAPOR_APP_TOKEN,
    });
    delete process.env.SP4N_PII_KEY;

    const cli = async (name: string, ...args: string[]) => {
      const r = await runCli('--config', configFile, '--json', ...args);
      outputs[name] = r.stdout;
      outputs[`${name} (stderr)`] = r.stderr;
      return r;
    };
    expect((await cli('sync', 'sync')).code).toBe(0);
    await cli('sync-2', 'sync');
    await cli('ledger status', 'ledger', 'status');
    const list = await cli('ledger list', 'ledger', 'list');
    type Row = { ref?: string; source?: string; external_id?: string };
    const listed = JSON.parse(list.stdout) as { records?: Row[] } | Row[];
    const row = (Array.isArray(listed) ? listed : (listed.records ?? []))[0];
    await cli('ledger show', 'ledger', 'show', row?.ref ?? `${row?.source ?? 'bebeja'}/${row?.external_id ?? '1'}`);
    await cli('ledger export', 'ledger', 'export', '--format', 'jsonl');
    await cli('ledger report', 'ledger', 'report', '--format', 'json');
    await cli('ledger verify', 'ledger', 'verify');
    await cli('config check', 'config', 'check');
    await cli('doctor', 'doctor', '--timeout', '5s');
  });

  afterAll(async () => {
    await bebeja?.stop();
    await lapor?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('the run happened: complaints delivered and logged', () => {
    expect(lapor.complaints().length).toBeGreaterThan(0);
    // attachments from the source's own (loopback) host went through the attachment policy
    expect(lapor.uploads().length).toBeGreaterThan(0);
    for (const k of ['sync', 'ledger status', 'ledger list', 'ledger show', 'ledger report', 'ledger verify', 'config check', 'doctor']) {
      expect([k, JSON.parse(outputs[k] as string) !== null]).toEqual([k, true]);
    }
    expect(outputs['ledger show']).toContain('delivered');
    expect((outputs['ledger export'] as string).split('\n').length).toBeGreaterThan(10);
    const logDir = path.join(dir, 'logs');
    expect(fs.readdirSync(logDir).some((f) => f.endsWith('.log'))).toBe(true);
  });

  it('no secret value in the ledger bytes (main file and WAL), the log files, or any --json output', () => {
    const ledgerDir = path.join(dir, 'data');
    const logDir = path.join(dir, 'logs');
    const blobs: [string, Buffer][] = [
      ...fs.readdirSync(ledgerDir).map((f): [string, Buffer] => [`ledger ${f}`, fs.readFileSync(path.join(ledgerDir, f))]),
      ...fs.readdirSync(logDir).map((f): [string, Buffer] => [`log ${f}`, fs.readFileSync(path.join(logDir, f))]),
      ...Object.entries(outputs).map(([k, v]): [string, Buffer] => [`--json ${k}`, Buffer.from(v)]),
    ];
    expect(blobs.length).toBeGreaterThan(10);
    const hits: string[] = [];
    for (const [where, bytes] of blobs) {
      for (const [name, value] of Object.entries(SECRETS)) {
        if (bytes.includes(value) || bytes.includes(Buffer.from(value, 'utf16le'))) hits.push(`${name} in ${where}`);
      }
    }
    expect(hits).toEqual([]);
  });

  it('the ledger made by the run is 0600, and the checks are quiet about it', async () => {
    const ledger = path.join(dir, 'data', 'ledger.sqlite');
    expect(mode(ledger)).toBe(0o600);
    expect((JSON.parse(outputs['config check'] as string) as { warnings: string[] }).warnings).toEqual([]);
  });

  it('config check and doctor warn when a secret file or the ledger is readable by group/others', async () => {
    const ledger = path.join(dir, 'data', 'ledger.sqlite');
    fs.chmodSync(piiFile, 0o644);
    fs.chmodSync(ledger, 0o640);
    try {
      const r = await runCli('--config', configFile, '--json', 'config', 'check');
      expect(r.code).toBe(0);
      const warnings = (JSON.parse(r.stdout) as { warnings: string[] }).warnings;
      expect(warnings).toEqual([expect.stringContaining(`secret file (ledger.pii_key) ${piiFile} has mode 644`), expect.stringContaining(`ledger file ${ledger} has mode 640`)]);
      const report = await runDoctor({ configFile, timeoutMs: 5000 });
      expect(report.checks.find((c) => c.name === 'secret file')).toMatchObject({ status: 'WARN', detail: expect.stringContaining('mode 644') });
      expect(report.checks.find((c) => c.name === 'ledger permissions')).toMatchObject({ status: 'WARN' });
      expect(JSON.stringify(report)).not.toContain(SECRETS.PII_KEY);
    } finally {
      fs.chmodSync(piiFile, 0o600);
      fs.chmodSync(ledger, 0o600);
    }
  });
});
