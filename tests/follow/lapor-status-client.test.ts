/**
 * The LAPOR! status reader against small hostile servers on 127.0.0.1: an oversized reply is
 * refused without being read whole or retried, and a next_page_url pointing elsewhere never
 * sends the bridge to another host.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from '@jest/globals';
import { LaporStatusClient, StatusReadError } from '../../src/follow/lapor-status-client.js';
import { laporV3ConfigSchema } from '../../src/sinks/lapor-v3/lapor-v3-config.js';

let server: http.Server | undefined;
let hits: string[] = [];

async function serve(handler: (req: http.IncomingMessage, res: http.ServerResponse) => void): Promise<string> {
  hits = [];
  server = http.createServer((req, res) => {
    hits.push(req.url ?? '');
    handler(req, res);
  });
  await new Promise<void>((r) => server?.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

afterEach(async () => {
  server?.closeAllConnections();
  await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
  server = undefined;
});

function client(base: string): LaporStatusClient {
  process.env.STATUS_CLIENT_TEST_TOKEN = 'test-token';
  const config = laporV3ConfigSchema.parse({ dialect: 'lapor-v3', base_url: base, auth: { bearer_token: '${STATUS_CLIENT_TEST_TOKEN}', app_token: '${STATUS_CLIENT_TEST_TOKEN}' } });
  return new LaporStatusClient(config, { retryMinMs: 0 });
}

describe('LaporStatusClient', () => {
  it('refuses a reply larger than 5 MB while it streams in, and does not retry it', async () => {
    const base = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      const chunk = Buffer.alloc(64 * 1024, 0x20);
      let sent = 0;
      const push = (): void => {
        while (sent < 8 * 1024 * 1024) {
          sent += chunk.length;
          if (!res.write(chunk)) return void res.once('drain', push);
        }
        res.end();
      };
      push();
    });
    const c = client(base);
    const err = await c.read('1001').catch((e: unknown) => e);
    await c.close();
    expect(err).toBeInstanceOf(StatusReadError);
    expect(err).toMatchObject({ kind: 'bad_reply' });
    expect((err as Error).message).toContain('larger than');
    expect(hits).toHaveLength(1);
  });

  it('follows follow-up pages by their number only: a next_page_url on another host is not visited', async () => {
    const base = await serve((req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      if (req.url?.startsWith('/complaints/1001/complaint')) return res.end(JSON.stringify({ results: { data: { status_name: 'Terverifikasi', status_code: 1 }, data_logs: [] } }));
      const page = Number(/page=(\d+)/.exec(req.url ?? '')?.[1] ?? 1);
      const next = page < 3 ? `http://169.254.169.254/complaints/1001/followups?page=${page + 1}` : null;
      res.end(JSON.stringify({ results: { data: [{ id: page, content: `Tindak lanjut ${page}`, created_at: '02-06-2025 10:00:00' }], next_page_url: next } }));
    });
    const c = client(base);
    const snap = await c.read('1001');
    await c.close();
    expect(snap.followups.map((f) => f.id)).toEqual(['1', '2', '3']);
    expect(snap.followups[0]?.at).toBe('2025-06-02T10:00:00+07:00');
    expect(hits.every((h) => h.startsWith('/complaints/1001/'))).toBe(true);
  });
});
