/**
 * TLS (issue #10): verification is always on; a server signed by a CA outside Node's store is
 * refused until `tls.ca_file` names that CA (added to Node's CAs, not replacing them); turning
 * verification off works only with a warning at start and in `doctor`. The server's certificate
 * and its CA are fixtures (tests/fixtures/tls).
 */
import fs from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createHttpClient, destroyHttpClient, tlsAgentOptions, tlsConfigSchema, tlsWarnings } from '../../src/net/http-client.js';
import { runDoctor } from '../../src/ops/doctor.js';
import { BebejaSimulator } from '../../src/simulators/bebeja-simulator.js';
import { LaporSimulator } from '../../src/simulators/lapor-simulator.js';
import { sandboxEnv } from '../../src/simulators/sandbox-env.js';
import { copyShippedConfig, REPO_ROOT, tempDir } from '../helpers/workdir.js';
import { runCli } from '../helpers/capture.js';

const TLS_DIR = path.join(REPO_ROOT, 'tests', 'fixtures', 'tls');
const CA = path.join(TLS_DIR, 'ca.pem');

let server: https.Server;
let base: string;

beforeAll(async () => {
  for (const k of ['HTTP_PROXY', 'HTTPS_PROXY', 'http_proxy', 'https_proxy', 'ALL_PROXY', 'all_proxy']) delete process.env[k];
  server = https.createServer({ key: fs.readFileSync(path.join(TLS_DIR, 'server.key')), cert: fs.readFileSync(path.join(TLS_DIR, 'server.pem')) }, (_req, res) => {
    res.setHeader('content-type', 'application/json');
    res.end('{"ok":true}');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `https://localhost:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

async function get(tls?: Record<string, unknown>): Promise<{ status?: number; code?: string }> {
  const client = createHttpClient({ baseURL: base, timeoutMs: 5000, keepAlive: false, tls: tls ? tlsConfigSchema.parse(tls) : undefined });
  try {
    const res = await client.get('/');
    return { status: res.status };
  } catch (err) {
    return { code: (err as { code?: string }).code };
  } finally {
    destroyHttpClient(client);
  }
}

describe('TLS verification', () => {
  it('refuses a certificate from a CA outside Node\'s store', async () => {
    const r = await get();
    expect(r.status).toBeUndefined();
    expect(r.code).toMatch(/UNABLE_TO_VERIFY_LEAF_SIGNATURE|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_GET_ISSUER_CERT/);
  });

  it('accepts it with tls.ca_file, which adds to Node\'s CAs instead of replacing them', async () => {
    expect(await get({ ca_file: CA })).toEqual({ status: 200 });
    const ca = tlsAgentOptions(tlsConfigSchema.parse({ ca_file: CA })).ca as string[];
    expect(ca.length).toBeGreaterThan(100); // Node's roots are still there
    expect(ca).toContain(fs.readFileSync(CA, 'utf8').trim());
  });

  it('a missing or non-PEM ca_file is an error naming the setting, never a silent fallback', () => {
    expect(() => tlsAgentOptions({ ca_file: path.join(TLS_DIR, 'missing.pem') })).toThrow(/tls\.ca_file: cannot read/);
    expect(() => tlsAgentOptions({ ca_file: path.join(TLS_DIR, 'README.md') })).toThrow(/holds no PEM certificate/);
  });

  it('insecure_skip_verify connects, and always comes with a warning', async () => {
    expect(await get({ insecure_skip_verify: true })).toEqual({ status: 200 });
    expect(tlsWarnings('the destination', { insecure_skip_verify: true })[0]).toMatch(/TLS certificate verification is OFF for the destination/);
    expect(tlsWarnings('the destination', { insecure_skip_verify: false })).toEqual([]);
  });
});

describe('insecure_skip_verify is visible', () => {
  let dir: string;
  let bebeja: BebejaSimulator;
  let lapor: LaporSimulator;
  let configFile: string;
  beforeAll(async () => {
    dir = tempDir('sp4n-tls-');
    configFile = copyShippedConfig(dir);
    const text = fs.readFileSync(configFile, 'utf8');
    fs.writeFileSync(configFile, text.replace('  ref_template:', '  tls:\n    insecure_skip_verify: true\n  ref_template:'));
    bebeja = new BebejaSimulator({ seed: 'demo' });
    lapor = new LaporSimulator();
    await bebeja.start();
    await lapor.start();
    Object.assign(process.env, sandboxEnv(bebeja, lapor, 'tls-test-pii-key'));
  });
  afterAll(async () => {
    await bebeja.stop();
    await lapor.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('doctor shows WARN for the destination TLS', async () => {
    const report = await runDoctor({ configFile, timeoutMs: 5000 });
    expect(report.checks.find((c) => c.name === 'destination TLS')).toMatchObject({ status: 'WARN', detail: expect.stringContaining('verification is OFF') });
  });

  it('config check --json lists it as a warning', async () => {
    const r = await runCli('--config', configFile, '--json', 'config', 'check');
    expect(r.code).toBe(0);
    expect((JSON.parse(r.stdout) as { warnings: string[] }).warnings.join('\n')).toMatch(/verification is OFF/);
  });

  it('every start (sync) logs the warning', async () => {
    const r = await runCli('--config', configFile, 'sync', '--dry-run');
    expect(r.stderr).toMatch(/TLS certificate verification is OFF/);
  });
});
