/**
 * Issue #10, bounded input, legacy XML replies: a fake legacy LAPOR! endpoint on 127.0.0.1
 * answers a create with a billion-laughs document, an external-entity DTD, a reply nested far
 * too deep and a 200 MB reply (streamed from one chunk). Each is a 2xx whose body cannot be read:
 * the request was sent, so the complaint may exist — `in_doubt` per classify-failure.ts, never
 * delivered and never a plain retry — no entity is expanded, the process stays up, and the next
 * complaint, answered properly, is delivered.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { AttemptInput, Warning } from '../../src/ledger/ledger.js';
import type { StoredComplaint } from '../../src/ledger/sqlite-ledger.js';
import { laporLegacyXmlConfigSchema } from '../../src/sinks/lapor-legacy-xml/lapor-legacy-xml-config.js';
import { LaporLegacyXmlSink } from '../../src/sinks/lapor-legacy-xml/lapor-legacy-xml-sink.js';
import { parseXml } from '../../src/sinks/lapor-legacy-xml/legacy-xml.js';

const TOKEN = 'hostile-xml-token-3e7a';
const TOTAL = 200 * 1024 * 1024;

const BILLION_LAUGHS = `<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<response><status>sukses</status><trackingid>&lol9;</trackingid><transaksiid>T-1</transaksiid></response>`;

const EXTERNAL_ENTITY = `<?xml version="1.0"?>
<!DOCTYPE r [ <!ENTITY xxe SYSTEM "file:///etc/passwd"> ]>
<response><trackingid>&xxe;</trackingid></response>`;

const TOO_DEEP = `<?xml version="1.0"?><response>${'<a>'.repeat(10_000)}${'</a>'.repeat(10_000)}<trackingid>L-1</trackingid></response>`;

const GOOD = '<?xml version="1.0" encoding="UTF-8"?><response><status>sukses</status><trackingid>L-900</trackingid><transaksiid>TRX-900</transaksiid></response>';

type Reply = 'laughs' | 'xxe' | 'deep' | 'huge' | 'good';

let server: http.Server;
let base = '';
let next: Reply = 'good';
let hugeWritten = 0;

beforeAll(async () => {
  server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'Content-Type': 'text/xml; charset=utf-8' });
      if (next === 'laughs') return void res.end(BILLION_LAUGHS);
      if (next === 'xxe') return void res.end(EXTERNAL_ENTITY);
      if (next === 'deep') return void res.end(TOO_DEEP);
      if (next === 'good') return void res.end(GOOD);
      const chunk = Buffer.from('<x>lol</x>'.repeat(6554));
      let written = 0;
      let closed = false;
      res.on('close', () => {
        closed = true;
        hugeWritten = written;
      });
      res.write('<?xml version="1.0"?><response>');
      const pump = () => {
        while (!closed && written < TOTAL) {
          written += chunk.length;
          if (!res.write(chunk)) return void res.once('drain', pump);
        }
        if (!closed) res.end('</response>');
      };
      pump();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

function complaint(id: string): StoredComplaint {
  return {
    source: { system: 'bebeja', external_id: id, received_at: '2024-03-01T08:30:00+07:00' },
    channel: 'app',
    classification: 'pengaduan',
    title: 'Jalan rusak di Labuan',
    content: 'Jalan desa berlubang besar.',
    attachments: [],
    is_anonymous: true,
    is_secret: false,
  } as StoredComplaint;
}

function ctx() {
  const attempts: AttemptInput[] = [];
  const warnings: Warning[] = [];
  return { attempts, warnings, idempotencyKey: 'key-x', onAttempt: (a: AttemptInput) => attempts.push(a), onWarning: (w: Warning) => warnings.push(w) };
}

describe('hostile legacy XML replies', () => {
  it('the parser itself refuses DTDs and over-deep documents without expanding anything', () => {
    expect(parseXml(BILLION_LAUGHS)).toEqual({ ok: false, error: 'DTDs are not accepted' });
    expect(parseXml(EXTERNAL_ENTITY)).toEqual({ ok: false, error: 'DTDs are not accepted' });
    expect(parseXml(TOO_DEEP).ok).toBe(false);
    // an undeclared entity reference stays text: only the five predefined ones are decoded
    const plain = parseXml('<response><trackingid>&lol9;&amp;</trackingid></response>');
    expect(plain.ok && JSON.stringify(plain.doc)).toContain('&lol9;&');
  });

  it.each<[Reply, RegExp]>([
    ['laughs', /HTTP 200: the reply is not XML \(DTDs are not accepted\)/],
    ['xxe', /HTTP 200: the reply is not XML \(DTDs are not accepted\)/],
    ['deep', /HTTP 200: the reply is not XML/],
    ['huge', /the reply is larger than max_reply_bytes \(1048576 bytes\); it was cut off unread/],
  ])('a 2xx %s reply is in doubt (the complaint may exist), not delivered, not retried; nothing expanded', async (reply, reason) => {
    process.env.TEST_HOSTILE_XML_TOKEN = TOKEN;
    const sink = new LaporLegacyXmlSink(laporLegacyXmlConfigSchema.parse({ dialect: 'lapor-legacy-xml', base_url: base, token: '${TEST_HOSTILE_XML_TOKEN}', timeout: '10s' }), { inCallRetries: 2, maxInCallWaitMs: 50 });
    try {
      next = reply;
      const c = ctx();
      const out = await sink.deliver(complaint(`H-${reply}`), c);
      expect(out).toEqual({ kind: 'in_doubt', reason: expect.stringMatching(reason) });
      expect(c.attempts).toHaveLength(1); // one call: an in-doubt create is never repeated blindly
      expect(c.attempts[0]).toMatchObject({ outcome: 'in_doubt' });
      expect(JSON.stringify(c.attempts)).not.toContain('lollollol');
      expect(JSON.stringify(c.attempts)).not.toContain('root:');
      expect(JSON.stringify(c.attempts)).not.toContain(TOKEN);
      if (reply === 'huge') {
        await new Promise((r) => setTimeout(r, 50));
        expect(hugeWritten).toBeLessThan(TOTAL / 4);
      }

      // the process is alive and the next complaint, answered properly, is delivered
      next = 'good';
      const ok = await sink.deliver(complaint(`G-${reply}`), ctx());
      expect(ok).toMatchObject({ kind: 'delivered', laporId: 'L-900' });
    } finally {
      await sink.close();
    }
  });
});
