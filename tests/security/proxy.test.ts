/**
 * Real networks (issue #10): LAPOR! calls honour HTTP_PROXY / HTTPS_PROXY / NO_PROXY. A tiny
 * forward proxy (absolute-URI forwarding for http, CONNECT tunnels for https) runs on 127.0.0.1
 * and records what passes through it; the LAPOR! simulator (http) and a TLS server signed by the
 * test CA (https, tests/fixtures/tls) are the targets.
 */
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import net, { type AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import type { AttemptInput, Warning } from '../../src/ledger/ledger.js';
import type { StoredComplaint } from '../../src/ledger/sqlite-ledger.js';
import { LaporMastersClient } from '../../src/ops/lapor-masters.js';
import { laporV3ConfigSchema } from '../../src/sinks/lapor-v3/lapor-v3-config.js';
import { LaporV3Sink } from '../../src/sinks/lapor-v3/lapor-v3-sink.js';
import { LaporSimulator } from '../../src/simulators/lapor-simulator.js';
import { REPO_ROOT } from '../helpers/workdir.js';

const TLS_DIR = path.join(REPO_ROOT, 'tests', 'fixtures', 'tls');

/** A forward proxy in ~40 lines: what it saw is in `seen` ("GET http://…" or "CONNECT host:port"). */
function startProxy(): Promise<{ url: string; seen: string[]; close(): Promise<void> }> {
  const seen: string[] = [];
  const sockets = new Set<net.Socket>();
  const server = http.createServer((req, res) => {
    seen.push(`${req.method} ${req.url}`);
    const target = new URL(req.url ?? '');
    const upstream = http.request({ host: target.hostname, port: target.port, path: `${target.pathname}${target.search}`, method: req.method, headers: req.headers }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    });
    upstream.on('error', () => res.writeHead(502).end());
    req.pipe(upstream);
  });
  server.on('connect', (req: http.IncomingMessage, client: net.Socket, head: Buffer) => {
    seen.push(`CONNECT ${req.url}`);
    const [host, port] = (req.url ?? '').split(':');
    const upstream = net.connect(Number(port), host, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => s.destroy());
    }
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({
        url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        seen,
        close: async () => {
          for (const s of sockets) s.destroy();
          server.closeAllConnections();
          await new Promise((r) => server.close(r));
        },
      }),
    ),
  );
}

const PROXY_VARS = ['HTTP_PROXY', 'HTTPS_PROXY', 'NO_PROXY', 'http_proxy', 'https_proxy', 'no_proxy', 'ALL_PROXY', 'all_proxy'];
const saved = Object.fromEntries(PROXY_VARS.map((k) => [k, process.env[k]]));
function setProxyEnv(vars: Record<string, string>): void {
  for (const k of PROXY_VARS) delete process.env[k];
  Object.assign(process.env, vars);
}

let proxy: Awaited<ReturnType<typeof startProxy>>;
let lapor: LaporSimulator;
let tlsServer: https.Server;
let tlsPort: number;

beforeAll(async () => {
  proxy = await startProxy();
  lapor = new LaporSimulator();
  await lapor.start();
  // a LAPOR!-shaped https endpoint signed by the test CA: masters list and create
  tlsServer = https.createServer({ key: fs.readFileSync(path.join(TLS_DIR, 'server.key')), cert: fs.readFileSync(path.join(TLS_DIR, 'server.pem')) }, (req, res) => {
    res.setHeader('content-type', 'application/json');
    if (req.url?.startsWith('/masters/institutions/external')) return res.end(JSON.stringify({ results: { data: [{ id: 1001, name: 'Pemkab Pandeglang' }], next_page_url: null } }));
    req.resume();
    req.on('end', () => res.writeHead(201).end(JSON.stringify({ complaint_id: 'TLS-1' })));
  });
  await new Promise<void>((r) => tlsServer.listen(0, '127.0.0.1', r));
  tlsPort = (tlsServer.address() as AddressInfo).port;
});

afterEach(() => {
  for (const k of PROXY_VARS) {
    if (saved[k] === undefined) delete process.env[k];
    else process.env[k] = saved[k];
  }
});

afterAll(async () => {
  await lapor.stop();
  await proxy.close();
  tlsServer.closeAllConnections();
  await new Promise((r) => tlsServer.close(r));
});

function sinkFor(baseUrl: string, extra: Record<string, unknown> = {}): LaporV3Sink {
  process.env.PX_LAPOR_TOKEN = lapor.bearerToken;
  process.env.PX_LAPOR_APP_TOKEN = lapor.appToken;
  return new LaporV3Sink(
    laporV3ConfigSchema.parse({ dialect: 'lapor-v3', base_url: baseUrl, auth: { bearer_token: '${PX_LAPOR_TOKEN}', app_token: '${PX_LAPOR_APP_TOKEN}' }, default_disposition_id: 1001, lookup: false, ...extra }),
    { inCallRetries: 0 },
  );
}

const complaint = (id: string): StoredComplaint => ({
  source: { system: 'bebeja', external_id: id, received_at: '2024-03-01T08:30:00+07:00' },
  channel: 'app',
  classification: 'pengaduan',
  title: 'Lewat proxy',
  content: 'Pengaduan yang dikirim lewat proxy kantor.',
  attachments: [],
  is_anonymous: false,
  is_secret: false,
});

async function deliver(sink: LaporV3Sink, id: string) {
  const attempts: AttemptInput[] = [];
  const warnings: Warning[] = [];
  try {
    return { out: await sink.deliver(complaint(id), { idempotencyKey: `k-${id}`, onAttempt: (a) => attempts.push(a), onWarning: (w) => warnings.push(w) }), attempts };
  } finally {
    await sink.close();
  }
}

describe('outbound proxy', () => {
  it('sends LAPOR! calls (http) through HTTP_PROXY by absolute URI', async () => {
    setProxyEnv({ HTTP_PROXY: proxy.url });
    const before = proxy.seen.length;
    const { out } = await deliver(sinkFor(lapor.url), 'px-1');
    expect(out.kind).toBe('delivered');
    expect(proxy.seen.slice(before)).toEqual([`POST ${lapor.url}/complaints/complaint`]);
    expect(lapor.complaints().some((c) => String(c.body.content).includes('Ref: bebeja/px-1'))).toBe(true);
  });

  it('honours lowercase http_proxy too', async () => {
    setProxyEnv({ http_proxy: proxy.url });
    const before = proxy.seen.length;
    expect((await deliver(sinkFor(lapor.url), 'px-2')).out.kind).toBe('delivered');
    expect(proxy.seen.slice(before)).toEqual([`POST ${lapor.url}/complaints/complaint`]);
  });

  it('NO_PROXY bypasses the proxy', async () => {
    setProxyEnv({ HTTP_PROXY: proxy.url, NO_PROXY: 'localhost,127.0.0.1' });
    const before = proxy.seen.length;
    expect((await deliver(sinkFor(lapor.url), 'px-3')).out.kind).toBe('delivered');
    expect(proxy.seen.slice(before)).toEqual([]);
  });

  it('tunnels https targets with CONNECT and still verifies the target certificate end to end', async () => {
    setProxyEnv({ HTTPS_PROXY: proxy.url });
    const base = `https://localhost:${tlsPort}`;
    let before = proxy.seen.length;
    const ok = await deliver(sinkFor(base, { tls: { ca_file: path.join(TLS_DIR, 'ca.pem') } }), 'px-4');
    expect(ok.out).toEqual({ kind: 'delivered', laporId: 'TLS-1' });
    expect(proxy.seen.slice(before)).toEqual([`CONNECT localhost:${tlsPort}`]);

    // through the same tunnel, an untrusted certificate is still refused (nothing filed: retry)
    before = proxy.seen.length;
    const refused = await deliver(sinkFor(base), 'px-5');
    expect(refused.out.kind).toBe('retry');
    expect(refused.attempts[0]?.error).toMatch(/CERT|SELF_SIGNED|UNABLE_TO_VERIFY/);
    expect(proxy.seen.slice(before)).toEqual([`CONNECT localhost:${tlsPort}`]);
  });

  it('the masters client goes through the proxy too', async () => {
    setProxyEnv({ HTTPS_PROXY: proxy.url });
    const before = proxy.seen.length;
    process.env.PX_LAPOR_TOKEN = 'x-token';
    process.env.PX_LAPOR_APP_TOKEN = 'x-app-token';
    const config = laporV3ConfigSchema.parse({ dialect: 'lapor-v3', base_url: `https://localhost:${tlsPort}`, auth: { bearer_token: '${PX_LAPOR_TOKEN}', app_token: '${PX_LAPOR_APP_TOKEN}' }, tls: { ca_file: path.join(TLS_DIR, 'ca.pem') } });
    const client = new LaporMastersClient(config);
    try {
      const list = await client.fetchList('institutions', config.paths.institutions);
      expect(list?.entries).toEqual([{ id: '1001', label: 'Pemkab Pandeglang' }]);
    } finally {
      client.close();
    }
    expect(proxy.seen.slice(before)).toEqual([`CONNECT localhost:${tlsPort}`]);
  });
});
