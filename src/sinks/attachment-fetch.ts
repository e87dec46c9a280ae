/**
 * Fetching attachments named by source data (issue #10): an attachment URL comes from a citizen's
 * record, so the bridge must not become an open proxy into the server's own network.
 *
 * - Hosts: only the source's own origin (its configured `base_url`) and
 *   `destination.attachments.allowed_hosts`; every redirect target is checked again (at most
 *   `max_redirects`, followed by hand).
 * - Addresses: loopback, private, link-local (169.254.169.254 too), CGNAT, unique-local IPv6,
 *   multicast and unspecified addresses are refused AFTER DNS resolution, in the lookup the socket
 *   connects with (so a name cannot resolve to one address for the check and another for the
 *   connection). `attachments.allow_private` (CIDRs, addresses or host names) allows some.
 *   A source's own configured origin is an explicit allowance: an operator who points a source at
 *   `http://10.0.0.5` or `http://127.0.0.1:8080` has said that address is meant (docs/decisions.md).
 * - Size: `max_attachment_bytes`, enforced while the body streams (the download stops there).
 * - Type: by the content's magic bytes, never the URL's extension or the server's Content-Type.
 * - Time: one deadline for the whole fetch (redirects and body), plus the connect timeout.
 *
 * A refusal is final for that attachment (the sink drops it with a warning, the complaint goes);
 * a 404/410 is "gone"; anything else (5xx, connection trouble, timeout) is transient.
 */
import dns from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import { z } from 'zod';
import { AgentPool, type TlsConfig } from '../net/http-client.js';
import { durationSchema } from '../util/duration.js';

export const ATTACHMENT_TYPES = ['jpeg', 'png', 'gif', 'webp', 'pdf', 'mp4', 'docx', 'xlsx'] as const;
export type AttachmentType = (typeof ATTACHMENT_TYPES)[number];

export const ATTACHMENT_MIME: Readonly<Record<AttachmentType, string>> = {
  jpeg: 'image/jpeg',
  png: 'image/png',
  gif: 'image/gif',
  webp: 'image/webp',
  pdf: 'application/pdf',
  mp4: 'video/mp4',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
};

export const attachmentsConfigSchema = z
  .object({
    allowed_hosts: z
      .array(z.string().min(1))
      .default([])
      .describe('Hosts attachments may be fetched from besides each source\'s own base_url host: "files.example.go.id", "*.example.go.id" or "host:port"'),
    allow_private: z
      .array(z.string().min(1))
      .default([])
      .describe('Private/loopback/link-local addresses that may be fetched anyway: CIDRs ("10.20.0.0/16"), addresses or host names. A source\'s own configured host is always allowed'),
    allowed_types: z
      .array(z.enum(ATTACHMENT_TYPES))
      .default(['jpeg', 'png', 'gif', 'webp', 'pdf', 'mp4'])
      .describe('File types sent to LAPOR!, recognised by their content (magic bytes), not the URL: jpeg, png, gif, webp, pdf, mp4, docx, xlsx'),
    max_redirects: z.number().int().min(0).max(3).default(3).describe('Redirects followed per attachment (each target is checked like the first URL)'),
    timeout: durationSchema.prefault('60s').describe('The whole fetch of one attachment: redirects and body'),
  })
  .strict();

export type AttachmentsConfig = z.output<typeof attachmentsConfigSchema>;

export type FetchResult =
  | { readonly kind: 'ok'; readonly body: Buffer; readonly type: AttachmentType; readonly mime: string; readonly status: number }
  /** Not fetched by policy: dropped with this reason. */
  | { readonly kind: 'refused'; readonly reason: string; readonly status?: number }
  /** 404 / 410: the evidence is gone at the source. */
  | { readonly kind: 'gone'; readonly status: number }
  /** Try again later. */
  | { readonly kind: 'transient'; readonly reason: string; readonly status?: number };

type LookupFn = (hostname: string, options: dns.LookupOptions, callback: (err: NodeJS.ErrnoException | null, address: string | dns.LookupAddress[], family?: number) => void) => void;

export interface AttachmentFetcherOptions {
  readonly config: AttachmentsConfig;
  readonly maxBytes: number;
  /** Per source system: the origins (`host:port`) its config names, e.g. a REST source's base_url. */
  readonly sourceOrigins?: Readonly<Record<string, readonly string[]>>;
  readonly connectTimeoutMs?: number;
  readonly tls?: Partial<TlsConfig>;
  /** Name resolution (tests inject one); default dns.lookup. */
  readonly lookup?: LookupFn;
}

const REFUSED = 'EATTACHMENT_REFUSED';

class Refusal extends Error {
  readonly code = REFUSED;
}

/** Address ranges never fetched without an explicit allowance. */
const BLOCKED: readonly [string, number, 'ipv4' | 'ipv6', string][] = [
  ['0.0.0.0', 8, 'ipv4', 'unspecified'],
  ['10.0.0.0', 8, 'ipv4', 'private'],
  ['100.64.0.0', 10, 'ipv4', 'private (CGNAT)'],
  ['127.0.0.0', 8, 'ipv4', 'loopback'],
  ['169.254.0.0', 16, 'ipv4', 'link-local'],
  ['172.16.0.0', 12, 'ipv4', 'private'],
  ['192.0.0.0', 24, 'ipv4', 'reserved'],
  ['192.168.0.0', 16, 'ipv4', 'private'],
  ['198.18.0.0', 15, 'ipv4', 'reserved'],
  ['224.0.0.0', 4, 'ipv4', 'multicast'],
  ['240.0.0.0', 4, 'ipv4', 'reserved'],
  ['::', 128, 'ipv6', 'unspecified'],
  ['::1', 128, 'ipv6', 'loopback'],
  ['fc00::', 7, 'ipv6', 'unique-local'],
  ['fe80::', 10, 'ipv6', 'link-local'],
  ['ff00::', 8, 'ipv6', 'multicast'],
  // IPv6 forms that carry an IPv4 address the network may route to: translation (NAT64), 6to4,
  // IPv4-compatible, and the deprecated site-local and discard ranges — all refused outright
  ['64:ff9b::', 96, 'ipv6', 'IPv4 translation (NAT64)'],
  ['64:ff9b:1::', 48, 'ipv6', 'IPv4 translation (NAT64)'],
  ['2002::', 16, 'ipv6', '6to4'],
  ['::', 96, 'ipv6', 'IPv4-compatible'],
  ['fec0::', 10, 'ipv6', 'site-local'],
  ['100::', 64, 'ipv6', 'discard'],
];

const blockLists = BLOCKED.map(([addr, prefix, type, label]) => {
  const list = new net.BlockList();
  list.addSubnet(addr, prefix, type);
  return { list, label };
});

/** Why an address may not be fetched (e.g. "loopback"), or undefined for a public address. */
export function addressClass(address: string): string | undefined {
  let ip = address.replace(/^\[|\]$/g, '');
  const family = net.isIP(ip);
  if (family === 0) return 'not an IP address';
  // ::ffff:127.0.0.1 is 127.0.0.1
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (mapped) ip = mapped[1] as string;
  const type = net.isIPv4(ip) ? 'ipv4' : 'ipv6';
  if (type === 'ipv6' && /^::ffff:/i.test(ip)) return 'IPv4-mapped';
  for (const { list, label } of blockLists) if (list.check(ip, type)) return label;
  return undefined;
}

/** `host:port` of a URL, the port made explicit. */
export function originKey(url: URL): string {
  const port = url.port || (url.protocol === 'https:' ? '443' : '80');
  return `${url.hostname.toLowerCase()}:${port}`;
}

/** Origins an attachment of each source may come from: the source adapter's own `base_url`. */
export function attachmentSourceOrigins(sources: readonly { id: string; adapterConfig: unknown }[]): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const s of sources) {
    const base = (s.adapterConfig as { base_url?: unknown } | null)?.base_url;
    if (typeof base !== 'string') continue;
    try {
      (out[s.id] ??= []).push(originKey(new URL(base)));
    } catch {
      /* not a URL: nothing allowed for it */
    }
  }
  return out;
}

/** What the first bytes say the file is; 'zip' needs the whole body to tell docx from xlsx. */
export function sniffType(head: Buffer): AttachmentType | 'zip' | undefined {
  const at = (offset: number, bytes: number[]) => bytes.every((b, i) => head[offset + i] === b);
  const ascii = (offset: number, text: string) => head.subarray(offset, offset + text.length).toString('latin1') === text;
  if (at(0, [0xff, 0xd8, 0xff])) return 'jpeg';
  if (at(0, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'png';
  if (ascii(0, 'GIF87a') || ascii(0, 'GIF89a')) return 'gif';
  if (ascii(0, 'RIFF') && ascii(8, 'WEBP')) return 'webp';
  if (ascii(0, '%PDF-')) return 'pdf';
  if (ascii(4, 'ftyp')) return 'mp4';
  if (at(0, [0x50, 0x4b, 0x03, 0x04])) return 'zip';
  return undefined;
}

function officeType(body: Buffer): AttachmentType | undefined {
  if (!body.includes('[Content_Types].xml')) return undefined;
  if (body.includes('word/document')) return 'docx';
  if (body.includes('xl/workbook')) return 'xlsx';
  return undefined;
}

/** A few words on what a refused body looks like. */
function lookLike(head: Buffer): string {
  const text = head.subarray(0, 512).toString('latin1').trimStart().toLowerCase();
  if (text.startsWith('<!doctype html') || text.startsWith('<html') || /^<(head|body|script|div|p)\b/.test(text)) return 'an HTML page';
  if (text.startsWith('<?xml') || text.startsWith('<svg')) return 'XML/SVG';
  if (text.startsWith('{') || text.startsWith('[')) return 'JSON';
  if (head.length === 0) return 'empty';
  return 'an unknown type';
}

/** Enough bytes to tell every type by its head. */
const SNIFF_BYTES = 16;

export class AttachmentFetcher {
  private readonly pool: AgentPool;
  private readonly lookup: LookupFn;
  private readonly privateHosts = new Set<string>();
  private readonly privateNets = new net.BlockList();
  private readonly listed: readonly string[];

  constructor(private readonly o: AttachmentFetcherOptions) {
    this.pool = new AgentPool({ keepAlive: false, connectTimeoutMs: o.connectTimeoutMs ?? 10_000, tls: o.tls });
    this.lookup = o.lookup ?? (dns.lookup as unknown as LookupFn);
    for (const entry of o.config.allow_private) {
      const [addr, prefix] = entry.split('/');
      const family = net.isIP(addr ?? '');
      if (family && prefix !== undefined) this.privateNets.addSubnet(addr as string, Number(prefix), family === 4 ? 'ipv4' : 'ipv6');
      else if (family) this.privateNets.addAddress(addr as string, family === 4 ? 'ipv4' : 'ipv6');
      else this.privateHosts.add(entry.toLowerCase());
    }
    this.listed = o.config.allowed_hosts.map((h) => h.toLowerCase());
  }

  close(): void {
    this.pool.destroy();
  }

  /** Whether the URL's host may be fetched at all, and whether its private addresses are allowed. */
  private hostPolicy(url: URL, system: string): { allowed: boolean; privateOk: boolean } {
    const host = url.hostname.toLowerCase().replace(/^\[|\]$/g, '');
    const origin = originKey(url);
    if ((this.o.sourceOrigins?.[system] ?? []).includes(origin)) return { allowed: true, privateOk: true };
    const allowed = this.listed.some((h) => h === host || h === origin || (h.startsWith('*.') && host.endsWith(h.slice(1))));
    return { allowed, privateOk: this.privateHosts.has(host) };
  }

  private addressRefusal(host: string, address: string, privateOk: boolean): string | undefined {
    if (privateOk) return undefined;
    const cls = addressClass(address);
    if (cls === undefined) return undefined;
    const ip = address.replace(/^::ffff:(?=\d+\.)/i, '');
    if (this.privateNets.check(ip, net.isIPv4(ip) ? 'ipv4' : 'ipv6')) return undefined;
    return host === address ? `${address} is a ${cls} address` : `${host} resolves to ${address}, a ${cls} address`;
  }

  /** dns.lookup that refuses (with a Refusal) any resolved address the policy does not allow. */
  private guardedLookup(privateOk: boolean): LookupFn {
    return (hostname, options, callback) => {
      this.lookup(hostname, { ...options, all: true }, (err, addresses) => {
        if (err) return callback(err, '');
        const list = addresses as dns.LookupAddress[];
        for (const a of list) {
          const why = this.addressRefusal(hostname, a.address, privateOk);
          if (why) return callback(new Refusal(why), '');
        }
        if (options.all) return callback(null, list);
        const first = list[0];
        if (!first) return callback(Object.assign(new Error(`${hostname} has no address`), { code: 'ENOTFOUND' }), '');
        callback(null, first.address, first.family);
      });
    };
  }

  async fetch(rawUrl: string, system: string, signal?: AbortSignal): Promise<FetchResult> {
    const deadline = AbortSignal.timeout(this.o.config.timeout);
    const all = signal ? AbortSignal.any([signal, deadline]) : deadline;
    let url: URL;
    try {
      url = new URL(rawUrl);
    } catch {
      return { kind: 'refused', reason: 'not a valid URL' };
    }
    for (let hop = 0; ; hop++) {
      if (url.protocol !== 'http:' && url.protocol !== 'https:') return { kind: 'refused', reason: `${url.protocol} URLs are not fetched` };
      if (url.username || url.password) return { kind: 'refused', reason: 'URLs with credentials are not fetched' };
      const policy = this.hostPolicy(url, system);
      const shownHost = url.host;
      if (!policy.allowed) return { kind: 'refused', reason: `host ${shownHost} is not allowed (only the source's own host and destination.attachments.allowed_hosts)` };
      const literal = url.hostname.replace(/^\[|\]$/g, '');
      if (net.isIP(literal)) {
        // an IP literal is connected to without any lookup: check it here
        const why = this.addressRefusal(literal, literal, policy.privateOk);
        if (why) return { kind: 'refused', reason: why };
      }
      const agents = this.pool.forUrl(url.href);
      if (agents.proxy && !net.isIP(literal)) {
        // through a proxy the proxy resolves the name: check what it resolves to here (best effort)
        const pre = await new Promise<string | undefined>((resolve) =>
          this.guardedLookup(policy.privateOk)(url.hostname, {}, (err) => resolve(err instanceof Refusal ? err.message : undefined)),
        );
        if (pre) return { kind: 'refused', reason: pre };
      }
      let res: http.IncomingMessage;
      try {
        res = await this.request(url, url.protocol === 'https:' ? agents.https : agents.http, this.guardedLookup(policy.privateOk), all);
      } catch (err) {
        if (err instanceof Refusal || (err as { code?: string }).code === REFUSED) return { kind: 'refused', reason: (err as Error).message };
        if (deadline.aborted) return { kind: 'transient', reason: `no complete answer within ${this.o.config.timeout} ms` };
        return { kind: 'transient', reason: (err as { code?: string }).code ?? (err as Error).message };
      }
      const status = res.statusCode ?? 0;
      if (status >= 300 && status < 400 && res.headers.location) {
        res.resume();
        res.destroy();
        if (hop >= this.o.config.max_redirects) return { kind: 'refused', reason: `more than ${this.o.config.max_redirects} redirects`, status };
        try {
          url = new URL(res.headers.location, url);
        } catch {
          return { kind: 'refused', reason: 'redirect to an invalid URL', status };
        }
        continue;
      }
      if (status === 404 || status === 410) {
        res.destroy();
        return { kind: 'gone', status };
      }
      if (status !== 200) {
        res.destroy();
        return { kind: 'transient', reason: `the source answered HTTP ${status}`, status };
      }
      return this.readBody(res, all, deadline);
    }
  }

  private request(url: URL, agent: http.Agent, lookup: LookupFn, signal: AbortSignal): Promise<http.IncomingMessage> {
    return new Promise((resolve, reject) => {
      const mod = url.protocol === 'https:' ? https : http;
      const req = mod.request(url, { agent, lookup: lookup as never, signal, headers: { Accept: '*/*', 'User-Agent': 'sp4n-bridge' } }, resolve);
      req.on('error', reject);
      req.end();
    });
  }

  private readBody(res: http.IncomingMessage, signal: AbortSignal, deadline: AbortSignal): Promise<FetchResult> {
    const max = this.o.maxBytes;
    const allowed = this.o.config.allowed_types;
    const declared = Number(res.headers['content-length']);
    if (Number.isFinite(declared) && declared > max) {
      res.destroy();
      return Promise.resolve({ kind: 'refused', reason: `larger than ${max} bytes (Content-Length ${declared})`, status: 200 });
    }
    return new Promise((resolve) => {
      const chunks: Buffer[] = [];
      let size = 0;
      let sniffed: AttachmentType | 'zip' | undefined;
      let settled = false;
      const finish = (r: FetchResult) => {
        if (settled) return;
        settled = true;
        signal.removeEventListener('abort', onAbort);
        res.destroy();
        resolve(r);
      };
      const refuseType = (head: Buffer, type?: string) =>
        finish({ kind: 'refused', reason: `content is ${type ? `${type}, not an allowed type` : lookLike(head)} (allowed: ${allowed.join(', ')})`, status: 200 });
      const onAbort = () => finish({ kind: 'transient', reason: deadline.aborted ? `no complete answer within ${this.o.config.timeout} ms` : 'stopped' });
      signal.addEventListener('abort', onAbort, { once: true });
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > max) return finish({ kind: 'refused', reason: `larger than ${max} bytes; download stopped`, status: 200 });
        chunks.push(chunk);
        if (sniffed === undefined && size >= SNIFF_BYTES) {
          const head = Buffer.concat(chunks);
          sniffed = sniffType(head);
          if (sniffed === undefined) return refuseType(head);
          if (sniffed !== 'zip' && !allowed.includes(sniffed)) return refuseType(head, sniffed);
          if (sniffed === 'zip' && !allowed.includes('docx') && !allowed.includes('xlsx')) return refuseType(head, 'a ZIP archive');
        }
      });
      res.on('error', (err) => finish({ kind: 'transient', reason: (err as { code?: string }).code ?? err.message }));
      res.on('end', () => {
        const body = Buffer.concat(chunks);
        let type = sniffed ?? sniffType(body);
        if (type === 'zip') type = officeType(body);
        if (type === undefined) return refuseType(body, sniffed === 'zip' ? 'a ZIP archive' : undefined);
        if (!allowed.includes(type)) return refuseType(body, type);
        finish({ kind: 'ok', body, type, mime: ATTACHMENT_MIME[type], status: 200 });
      });
    });
  }
}
