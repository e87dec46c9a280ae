import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { loadSettings } from '../../src/settings/load-settings.js';
import { runCli } from '../helpers/capture.js';
import { copyShippedConfig, tempDir, write } from '../helpers/workdir.js';

const ENV = {
  SP4N_PII_KEY: 'pii-key-for-tests',
  LAPOR_BASE_URL: 'http://127.0.0.1:9/lapor/3.0.0',
  LAPOR_TOKEN: 'tok-very-secret',
  LAPOR_APP_TOKEN: 'app-very-secret',
  BEBEJA_URL: 'http://127.0.0.1:9',
  BEBEJA_API_KEY: 'bebeja-key-secret',
};

let dir: string;
const saved: Record<string, string | undefined> = {};

beforeEach(() => {
  dir = tempDir();
  for (const [k, v] of Object.entries(ENV)) {
    saved[k] = process.env[k];
    process.env[k] = v;
  }
});
afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
  for (const [k, v] of Object.entries(saved)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
});

describe('loading the shipped configuration', () => {
  it('is valid with its secrets in the environment', () => {
    const file = copyShippedConfig(dir);
    const r = loadSettings(file);
    if (!r.ok) throw new Error(JSON.stringify(r.problems));
    expect(r.value.sources.map((s) => s.id)).toEqual(['bebeja']);
    expect(r.value.ledgerPath).toBe(path.join(dir, 'data', 'ledger.sqlite'));
    const d = r.value.settings.destination;
    expect(d.dialect === 'lapor-v3' && d.auth.bearer_token.reveal()).toBe('tok-very-secret');
    expect(JSON.stringify(r.value.settings)).not.toContain('tok-very-secret');
  });

  it('accepts secrets from files', () => {
    const file = copyShippedConfig(dir);
    write(path.join(dir, 'config', 'token.txt'), 'from-a-file\n');
    fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace('${LAPOR_TOKEN}', '${file:token.txt}'));
    const r = loadSettings(file);
    const d = r.ok ? r.value.settings.destination : undefined;
    expect(d?.dialect === 'lapor-v3' && d.auth.bearer_token.reveal()).toBe('from-a-file');
  });
});

describe('config check on a broken configuration', () => {
  function broken(): string {
    const file = copyShippedConfig(dir);
    // unknown key, a literal secret, and a secret whose variable is unset
    fs.writeFileSync(
      file,
      fs
        .readFileSync(file, 'utf8')
        .replace('concurrency: 4', 'concurrency: 4\n  colour: blue')
        .replace('${LAPOR_APP_TOKEN}', 'plain-text-token')
        .replace('${LAPOR_TOKEN}', '${LAPOR_TOKEN_NOT_SET}'),
    );
    const source = path.join(dir, 'config', 'sources', 'bebeja.yaml');
    fs.writeFileSync(source, fs.readFileSync(source, 'utf8').replace('schedule: "*/5 * * * *"', 'schedule: "every five minutes"'));
    return file;
  }

  it('exits 1 and names file, line and key path for every problem', async () => {
    const file = broken();
    const r = await runCli('--config', file, 'config', 'check');
    expect(r.code).toBe(1);
    const lines = r.stdout.split('\n');
    const line = (re: RegExp) => lines.find((l) => re.test(l)) ?? '';
    expect(line(/delivery\.colour/)).toMatch(new RegExp(`${escape(file)}:\\d+\\s+delivery\\.colour: unknown key`));
    expect(line(/LAPOR_TOKEN_NOT_SET/)).toMatch(/bridge\.yaml:\d+\s+destination\.auth\.bearer_token: environment variable LAPOR_TOKEN_NOT_SET is not set/);
    expect(line(/app_token:/)).toMatch(/destination\.auth\.app_token: secrets must come from the environment or a file/);
    expect(r.stdout).not.toContain('plain-text-token');
  });

  it('reports a bad cron in a source file with its own file name', async () => {
    const file = copyShippedConfig(dir);
    const source = path.join(dir, 'config', 'sources', 'bebeja.yaml');
    fs.writeFileSync(source, fs.readFileSync(source, 'utf8').replace('schedule: "*/5 * * * *"', 'schedule: "every five minutes"'));
    const r = await runCli('--config', file, 'config', 'check');
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(new RegExp(`${escape(source)}:\\d+\\s+schedule: not a valid cron expression`));
  });

  it('reports unknown adapter kinds, bad mapping keys and missing lookup files', async () => {
    const file = copyShippedConfig(dir);
    const source = path.join(dir, 'config', 'sources', 'bebeja.yaml');
    fs.writeFileSync(source, fs.readFileSync(source, 'utf8').replace('bebeja-kategori.csv', 'missing.csv').replace('channel: { value: app }', 'channel: { value: app, colour: red }'));
    write(path.join(dir, 'config', 'sources', 'other.yaml'), 'id: other\nadapter:\n  type: ftp\nmapping:\n  fields: {}\n');
    const r = await runCli('--config', file, '--json', 'config', 'check');
    expect(r.code).toBe(1);
    const out = JSON.parse(r.stdout) as { ok: boolean; problems: { file: string; path: string; message: string }[] };
    expect(out.ok).toBe(false);
    expect(out.problems).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ file: path.join(dir, 'config', 'sources', 'other.yaml'), path: 'adapter.type', message: expect.stringContaining('unknown adapter "ftp"') }),
        expect.objectContaining({ file: source, path: 'mapping.fields.channel.colour', message: 'unknown key' }),
      ]),
    );
  });

  it('reports the missing lookup file by name', async () => {
    const file = copyShippedConfig(dir);
    const source = path.join(dir, 'config', 'sources', 'bebeja.yaml');
    fs.writeFileSync(source, fs.readFileSync(source, 'utf8').replace('bebeja-kategori.csv', 'missing.csv'));
    const r = await runCli('--config', file, 'config', 'check');
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/bebeja\.yaml:\d+\s+mapping: .*missing\.csv: not found/);
  });

  it('passes on the shipped configuration', async () => {
    const file = copyShippedConfig(dir);
    const r = await runCli('--config', file, 'config', 'check');
    expect(r.stdout).toContain('is valid');
    expect(r.code).toBe(0);
  });
});

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
