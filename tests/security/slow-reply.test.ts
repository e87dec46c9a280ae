/**
 * A server that answers at once and then drips its body a byte at a time: the call timeout of the
 * one outbound HTTP client covers the whole reply, not only its first byte. (No duration is
 * asserted: the call must fail, where without the deadline it would succeed.)
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { createHttpClient, destroyHttpClient } from '../../src/net/http-client.js';

let server: http.Server;
let base: string;

beforeAll(async () => {
  server = http.createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.write('{"data": "');
    let n = 0;
    const t = setInterval(() => {
      if (res.destroyed || ++n > 40) {
        clearInterval(t);
        if (!res.destroyed) res.end('"}');
        return;
      }
      res.write('x');
    }, 100);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
});

it('a reply dripped slower than the call timeout is given up, not waited for', async () => {
  const client = createHttpClient({ baseURL: base, timeoutMs: 500, axios: { validateStatus: () => true } });
  try {
    await expect(client.get('/slow')).rejects.toMatchObject({ code: 'ETIMEDOUT', message: expect.stringContaining('the whole reply') });
  } finally {
    destroyHttpClient(client);
  }
});

it('the same reply is read when the timeout allows it', async () => {
  const client = createHttpClient({ baseURL: base, timeoutMs: 30_000, axios: { validateStatus: () => true, responseType: 'text' } });
  try {
    const res = await client.get<string>('/slow');
    expect(res.data).toBe(`{"data": "${'x'.repeat(40)}"}`);
  } finally {
    destroyHttpClient(client);
  }
});
