/** `sp4n-bridge simulate lapor` as a child process: the one JSON line, a fault, and a clean stop on SIGTERM. */
import { afterAll, describe, expect, it } from '@jest/globals';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const children: ChildProcess[] = [];

function cli(args: string[]): ChildProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  return child;
}

function collect(stream: NodeJS.ReadableStream | null): () => string {
  let text = '';
  stream?.setEncoding('utf8');
  stream?.on('data', (chunk: string) => (text += chunk));
  return () => text;
}

/** The first line on stdout (the process ending first is an error showing stderr). */
function firstLine(child: ChildProcess, stderr: () => string): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    child.stdout?.setEncoding('utf8');
    child.stdout?.on('data', (chunk: string) => {
      text += chunk;
      const nl = text.indexOf('\n');
      if (nl >= 0) resolve(text.slice(0, nl));
    });
    child.once('exit', (code) => reject(new Error(`exited with ${String(code)} before printing a line: ${stderr()}`)));
  });
}

afterAll(() => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});

describe('simulate lapor (child process)', () => {
  it('prints one JSON line, serves the fault, and exits 0 on SIGTERM', async () => {
    const child = cli(['--json', 'simulate', 'lapor', '--port', '0', '--faults', 'create:status=503@1']);
    const stderr = collect(child.stderr);
    const exited = once(child, 'exit');
    const info = JSON.parse(await firstLine(child, stderr)) as {
      simulator: string;
      base_url: string;
      origin: string;
      env: Record<string, string>;
      options: { faults?: { spec: string; seed: number } };
    };
    expect(info.simulator).toBe('lapor');
    expect(info.base_url).toBe(`${info.origin}/lapor/3.0.0`);
    expect(info.env).toEqual({ LAPOR_BASE_URL: info.base_url, LAPOR_TOKEN: expect.any(String), LAPOR_APP_TOKEN: expect.any(String) });
    expect(info.options.faults).toMatchObject({ spec: 'create:status=503@1', seed: 1 });

    const res = await fetch(`${info.base_url}/complaints/complaint`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${info.env.LAPOR_TOKEN}`, token: info.env.LAPOR_APP_TOKEN as string, 'Content-Type': 'application/json' },
      body: JSON.stringify({ title: 'Uji', content: 'Uji coba.', channel: 2, classification_id: 1, is_anonymous: false, is_secret: false }),
    });
    expect(res.status).toBe(503);
    const calls = (await (await fetch(`${info.origin}/_sim/calls`)).json()) as { data: { status: number; fault?: string; stored: boolean }[] };
    expect(calls.data).toEqual([expect.objectContaining({ status: 503, fault: 'status', stored: false })]);

    child.kill('SIGTERM');
    const [code, signal] = await exited;
    expect({ code, signal }).toEqual({ code: 0, signal: null });
    expect(stderr()).not.toMatch(/sp4n-bridge:/);
  });

  it('exits 2 with a usage error naming the bad part of --faults', async () => {
    const child = cli(['--json', 'simulate', 'lapor', '--port', '0', '--faults', 'create:explode@0.1']);
    const stderr = collect(child.stderr);
    const [code] = await once(child, 'exit');
    expect(code).toBe(2);
    expect(stderr()).toMatch(/--faults: .*unknown kind "explode"/);
  });
});

describe('simulate lapor --lifecycle (child process)', () => {
  it('moves a complaint through its plan on a fast clock and shows the outcome', async () => {
    // 10,000,000× real time: a whole plan (at most a few simulated weeks) passes in well under a second
    const child = cli(['--json', 'simulate', 'lapor', '--port', '0', '--lifecycle', '--lifecycle-seed', '2', '--time-scale', '10000000']);
    const stderr = collect(child.stderr);
    const exited = once(child, 'exit');
    const info = JSON.parse(await firstLine(child, stderr)) as { base_url: string; origin: string; env: Record<string, string>; options: { lifecycle?: unknown } };
    expect(info.options.lifecycle).toEqual({ seed: 2, time_scale: 10000000 });

    const res = await fetch(`${info.base_url}/complaints/complaint`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${info.env.LAPOR_TOKEN}`, token: info.env.LAPOR_APP_TOKEN as string, 'Content-Type': 'application/json' },
      body: JSON.stringify({ title: 'Uji', content: 'Uji coba siklus.', channel: 2, classification_id: 1, is_anonymous: true, is_secret: false }),
    });
    expect(res.status).toBe(201);
    // seed 2 plans complaint 1000001 as completed; poll (no timing asserted) until it is closed
    let entry: { lifecycle_outcome?: string; status_name?: string; followups?: unknown[] } = {};
    for (let i = 0; i < 200 && entry.status_name !== 'Selesai'; i++) {
      if (i > 0) await new Promise((r) => setTimeout(r, 50));
      const view = (await (await fetch(`${info.origin}/_sim/complaints`)).json()) as { data: (typeof entry)[] };
      entry = view.data[0] ?? {};
    }
    expect(entry).toMatchObject({ lifecycle_outcome: 'completed', status_name: 'Selesai' });
    expect(entry.followups?.length).toBeGreaterThanOrEqual(1);

    child.kill('SIGTERM');
    const [code] = await exited;
    expect(code).toBe(0);
  });

  it.each([
    [['--time-scale', '3600'], /--time-scale needs --lifecycle/],
    [['--lifecycle', '--time-scale', '0'], /--time-scale: "0" is not a number above 0/],
    [['--lifecycle', '--lifecycle-seed', 'x'], /--lifecycle-seed: "x" is not a whole number/],
  ])('exits 2 with a usage error for %j', async (flags, message) => {
    const child = cli(['--json', 'simulate', 'lapor', '--port', '0', ...flags]);
    const stderr = collect(child.stderr);
    const [code] = await once(child, 'exit');
    expect(code).toBe(2);
    expect(stderr()).toMatch(message);
  });
});
