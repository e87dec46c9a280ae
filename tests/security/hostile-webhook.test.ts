/**
 * Issue #10, bounded input, webhook: hostile bodies — one announced as 200 MB (streamed, never
 * allocated), one just over `body_limit`, one nested 100,000 levels deep, one that is not JSON —
 * are answered 413 / 400 with a clear reason that quotes nothing of the body, the process stays
 * up, and a good complaint sent afterwards is accepted (202) and delivered to LAPOR!.
 */
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { signWebhook } from '../../src/adapters/webhook/webhook-auth.js';
import type { WebhookAdapter } from '../../src/adapters/webhook/webhook-adapter.js';
import { openBridge, type Bridge } from '../../src/bridge.js';
import { loadSettingsOrThrow } from '../../src/settings/load-settings.js';
import { LaporSimulator } from '../../src/simulators/lapor-simulator.js';
import { runSyncCycle } from '../../src/sync/sync-cycle.js';
import { createLogger } from '../../src/util/logger.js';
import { copyShippedConfig, tempDir, write } from '../helpers/workdir.js';

const SECRET = 'hostile-webhook-secret-81f2';
const REPORTER = 'Siti Hostile Aminah';

let dir: string;
let lapor: LaporSimulator;
let bridge: Bridge;
let adapter: WebhookAdapter;
const logs = new PassThrough();
let logText = '';
logs.on('data', (d: Buffer) => (logText += d.toString()));

beforeAll(async () => {
  dir = tempDir('sp4n-hostile-webhook-');
  const file = copyShippedConfig(dir, { immediateReconcile: true });
  fs.rmSync(path.join(dir, 'config', 'sources', 'bebeja.yaml'));
  write(
    path.join(dir, 'config', 'sources', 'lokal.yaml'),
    `id: lokal
adapter:
  type: webhook
  host: 127.0.0.1
  port: 0
  path: /complaints
  auth:
    type: hmac
    secret: \${LOKAL_WEBHOOK_SECRET}
  body_limit: 256KB
  max_depth: 16
mapping:
  timezone: Asia/Jakarta
  fields:
    source.received_at: { path: dibuat, transforms: [parse_datetime], required: true }
    channel: { value: web }
    title: { path: judul }
    content: { path: isi }
    is_anonymous: { value: false }
    reporter.name: { path: nama }
`,
  );
  lapor = new LaporSimulator();
  await lapor.start();
  Object.assign(process.env, { LAPOR_BASE_URL: lapor.url, LAPOR_TOKEN: lapor.bearerToken, LAPOR_APP_TOKEN: lapor.appToken, SP4N_PII_KEY: 'hostile-pii-key', LOKAL_WEBHOOK_SECRET: SECRET });
  bridge = await openBridge(loadSettingsOrThrow(file), { logger: createLogger({ stream: logs, json: true, level: 'debug' }) });
  adapter = bridge.sources[0]?.adapter as WebhookAdapter;
});

afterAll(async () => {
  await bridge?.close();
  await lapor?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

function signed(body: string | Buffer): Record<string, string> {
  const ts = String(Math.floor(Date.now() / 1000));
  return { 'Content-Type': 'application/json', 'X-Timestamp': ts, 'X-Signature': signWebhook(SECRET, ts, body) };
}

async function post(body: string): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(adapter.url, { method: 'POST', body, headers: signed(body) });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

/**
 * Announces a 200 MB body and streams it in 64 KB chunks (the same chunk again and again) until
 * the server answers or cuts the connection; resolves with the status, if any, and the bytes sent.
 */
function postHuge(): Promise<{ status?: number; sent: number }> {
  const total = 200 * 1024 * 1024;
  const chunk = Buffer.alloc(64 * 1024, 0x20);
  const url = new URL(adapter.url);
  return new Promise((resolve) => {
    let sent = 0;
    let done = false;
    const finish = (status?: number) => {
      if (done) return;
      done = true;
      req.destroy();
      resolve({ status, sent });
    };
    const req = http.request({ host: url.hostname, port: url.port, path: url.pathname, method: 'POST', headers: { 'Content-Type': 'application/json', 'Content-Length': String(total), 'X-Timestamp': '0', 'X-Signature': 'x' } }, (res) => {
      res.resume();
      finish(res.statusCode);
    });
    req.on('error', () => finish(undefined));
    const pump = () => {
      while (!done && sent < total) {
        sent += chunk.length;
        if (!req.write(chunk)) return void req.once('drain', pump);
      }
      if (!done) req.end();
    };
    pump();
  });
}

describe('hostile webhook bodies', () => {
  it('are refused with 413/400 and a clear reason; the bridge stays up and a good complaint still goes through', async () => {
    // 1. a 200 MB body: refused from its Content-Length, long before 200 MB are read
    const huge = await postHuge();
    expect(huge.status).toBe(413);
    expect(huge.sent).toBeLessThan(200 * 1024 * 1024);

    // 2. a body just over body_limit (256KB), well-formed and signed
    const big = JSON.stringify({ id: 'B-1', dibuat: '2024-05-01 08:00:00', judul: 'x', isi: 'y'.repeat(300 * 1024), nama: REPORTER });
    const tooBig = await post(big);
    expect(tooBig).toEqual({ status: 413, json: { error: 'body_too_large', message: expect.stringMatching(/larger than 256KB \(adapter\.body_limit\)/) } });

    // 3. nested 100,000 levels deep: refused before parsing, with where it went too deep
    const deep = `{"id":"D-1","nama":"${REPORTER}","isi":${'['.repeat(100_000)}${']'.repeat(100_000)}}`;
    const tooDeep = await post(deep);
    expect(tooDeep).toEqual({ status: 400, json: { error: 'too_deep', message: expect.stringMatching(/nested deeper than 16 levels \(at character \d+\) \(adapter\.max_depth\)/) } });

    // 4. not JSON at all
    const garbage = `{"id": "G-1", "nama": "${REPORTER}", "isi": "tidak ditutup`;
    const notJson = await post(garbage);
    expect(notJson).toEqual({ status: 400, json: { error: 'invalid_json', message: expect.stringMatching(/^the body is not JSON/) } });

    // 5. a record id far longer than a ledger key
    const longId = await post(JSON.stringify({ id: 'L'.repeat(5000), dibuat: '2024-05-01 08:00:00', judul: 'x', isi: 'y' }));
    expect(longId.status).toBe(422);
    expect(JSON.stringify(longId.json)).toMatch(/longer than 200 characters/);

    // none of the answers, nor the log, quotes the reporter's name from the bodies
    for (const a of [tooBig, tooDeep, notJson]) expect(JSON.stringify(a.json)).not.toContain(REPORTER);
    expect(logText).not.toContain(REPORTER);
    expect(logText).toMatch(/webhook request refused/);

    // nothing of the hostile bodies reached the ledger; a good complaint now goes all the way
    const good = JSON.stringify({ id: 'OK-1', dibuat: '2024-05-01 08:00:00', judul: 'Lampu jalan padam', isi: 'Lampu jalan di RT 3 padam sejak seminggu.', nama: REPORTER });
    const answer = fetch(adapter.url, { method: 'POST', body: good, headers: signed(good) });
    while (adapter.waiting === 0) await new Promise((r) => setTimeout(r, 5));
    const cycle = await runSyncCycle(bridge);
    expect(cycle.sources[0]).toMatchObject({ ok: true, pulled: 1, new: 1 });
    expect((await answer).status).toBe(202);
    expect(cycle.states).toEqual({ delivered: 1 });
    expect(lapor.complaints().map((c) => String(c.body.content).split('\n').pop())).toEqual(['Ref: lokal/OK-1']);
  });
});
