/**
 * The one factory for outbound HTTP (issue #10). Every client the bridge makes — destination,
 * LAPOR! masters, doctor, REST sources, attachment fetching — comes from here, so they all:
 *
 * - honour `HTTPS_PROXY` / `HTTP_PROXY` / `ALL_PROXY` / `NO_PROXY` (lowercase too), chosen per
 *   request URL: https targets through a CONNECT tunnel, http targets by absolute-URI forwarding
 *   (axios's own proxy support is turned off: it cannot tunnel https);
 * - verify TLS, always, against Node's CAs plus `NODE_EXTRA_CA_CERTS` plus `tls.ca_file`; only
 *   `tls.insecure_skip_verify: true` turns it off, and that is announced (`tlsWarnings`);
 * - give up connecting after a connect timeout, and on the whole reply after the call timeout.
 */
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type net from 'node:net';
import path from 'node:path';
import tls from 'node:tls';
import axios, { isAxiosError, type AxiosInstance, type CreateAxiosDefaults } from 'axios';
import { HttpProxyAgent } from 'http-proxy-agent';
import { HttpsProxyAgent } from 'https-proxy-agent';
import { getProxyForUrl } from 'proxy-from-env';
import { z } from 'zod';
import { configBaseDir } from '../settings/secrets.js';
import { registerSecretValue } from '../util/redact.js';

/** Error code of a connection that was not established in time: nothing was sent. */
export const CONNECT_TIMEOUT_CODE = 'ECONNECT_TIMEOUT';

export const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;

export const tlsConfigSchema = z
  .object({
    ca_file: z
      .string()
      .min(1)
      .transform((f) => path.resolve(configBaseDir(), f))
      .optional()
      .describe('PEM file of extra CA certificates (e.g. a government gateway\'s chain), added to Node\'s own; relative to bridge.yaml\'s folder or absolute'),
    insecure_skip_verify: z.boolean().default(false).describe('Turns TLS certificate checks OFF (testing only): warned on every start and by doctor'),
  })
  .strict();

export type TlsConfig = z.output<typeof tlsConfigSchema>;

export interface HttpClientOptions {
  readonly baseURL?: string;
  /** The whole call: connect, send, reply (axios `timeout`). */
  readonly timeoutMs: number;
  /** Establishing the connection (TCP, and TLS for https); default min(10 s, timeoutMs). */
  readonly connectTimeoutMs?: number;
  readonly headers?: Record<string, string>;
  readonly keepAlive?: boolean;
  readonly tls?: Partial<TlsConfig>;
  /** Other axios defaults (responseType, maxContentLength, maxRedirects, validateStatus, ...). */
  readonly axios?: Omit<CreateAxiosDefaults, 'baseURL' | 'timeout' | 'headers' | 'httpAgent' | 'httpsAgent' | 'proxy'>;
}

interface AgentPair {
  readonly http: http.Agent;
  readonly https: http.Agent;
}

/** Agents of one client: direct, and one pair per proxy URL in use. */
export class AgentPool {
  private readonly direct: AgentPair;
  private readonly proxied = new Map<string, AgentPair>();
  private readonly tlsOptions: https.AgentOptions;

  constructor(
    private readonly options: { keepAlive: boolean; connectTimeoutMs: number; tls?: Partial<TlsConfig> },
  ) {
    this.tlsOptions = tlsAgentOptions(options.tls);
    const ms = options.connectTimeoutMs;
    this.direct = {
      http: new TimedHttpAgent(ms, { keepAlive: options.keepAlive }),
      https: new TimedHttpsAgent(ms, { keepAlive: options.keepAlive, ...this.tlsOptions }),
    };
  }

  /** The proxy for a URL per the environment, or undefined to connect directly. */
  static proxyFor(url: string): string | undefined {
    const proxy = getProxyForUrl(url);
    if (!proxy) return undefined;
    try {
      const p = new URL(proxy);
      // a proxy password must never reach a log line or an error message
      if (p.password) registerSecretValue(decodeURIComponent(p.password));
    } catch {
      return undefined;
    }
    return proxy;
  }

  /** Agents for a request to `url` (a redirect target gets its own choice). */
  forUrl(url: string): AgentPair & { proxy?: string } {
    const proxy = AgentPool.proxyFor(url);
    if (!proxy) return this.direct;
    let pair = this.proxied.get(proxy);
    if (!pair) {
      const ms = this.options.connectTimeoutMs;
      pair = {
        http: timedConnect(new HttpProxyAgent(proxy, { keepAlive: this.options.keepAlive }), ms),
        // the target's TLS (ca, rejectUnauthorized) is checked end to end through the tunnel
        https: timedConnect(new HttpsProxyAgent(proxy, { keepAlive: this.options.keepAlive, ...this.tlsOptions }), ms),
      };
      // HttpsProxyAgent keeps its options for the proxy connection only; the target's TLS is made
      // from the request options, which Node merges with `agent.options`: put ca/rejectUnauthorized there
      Object.assign((pair.https as HttpsProxyAgent<string>).options, this.tlsOptions);
      this.proxied.set(proxy, pair);
    }
    return { ...pair, proxy };
  }

  destroy(): void {
    for (const p of [this.direct, ...this.proxied.values()]) {
      p.http.destroy();
      p.https.destroy();
    }
    this.proxied.clear();
  }
}

const pools = new WeakMap<AxiosInstance, AgentPool>();
const deadlines = new WeakMap<object, AbortSignal>();

/** An axios instance with proxy, TLS and timeouts set as this module describes. */
export function createHttpClient(o: HttpClientOptions): AxiosInstance {
  const pool = new AgentPool({
    keepAlive: o.keepAlive ?? true,
    connectTimeoutMs: Math.min(o.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS, o.timeoutMs > 0 ? o.timeoutMs : Number.MAX_SAFE_INTEGER),
    tls: o.tls,
  });
  const direct = pool.forUrl('');
  const client = axios.create({
    ...o.axios,
    ...(o.baseURL !== undefined ? { baseURL: o.baseURL } : {}),
    timeout: o.timeoutMs,
    headers: o.headers,
    httpAgent: direct.http,
    httpsAgent: direct.https,
    proxy: false,
  });
  client.interceptors.request.use((req) => {
    const agents = pool.forUrl(client.getUri(req));
    req.httpAgent = agents.http;
    req.httpsAgent = agents.https;
    req.proxy = false;
    // axios' timeout stops at the first byte of the reply; this deadline covers the whole call, so a
    // server dripping its body a byte at a time cannot hold a run (an abort is ERR_CANCELED)
    const total = req.timeout ?? o.timeoutMs;
    if (total > 0) {
      const deadline = AbortSignal.timeout(total);
      deadlines.set(req, deadline);
      req.signal = req.signal ? AbortSignal.any([req.signal as AbortSignal, deadline]) : deadline;
    }
    return req;
  });
  // a call stopped by that deadline is a timeout (ETIMEDOUT), as axios' own would be, not a cancel
  client.interceptors.response.use(undefined, (err: unknown) => {
    if (isAxiosError(err) && err.code === 'ERR_CANCELED' && err.config && deadlines.get(err.config)?.aborted) {
      err.code = 'ETIMEDOUT';
      err.message = `timeout of ${err.config.timeout ?? o.timeoutMs}ms exceeded (the whole reply)`;
    }
    return Promise.reject(err);
  });
  pools.set(client, pool);
  return client;
}

/** Closes every connection a client holds (direct and through proxies). */
export function destroyHttpClient(client: AxiosInstance): void {
  pools.get(client)?.destroy();
}

/** Lines to log at every start (and show in doctor) for a TLS setting that weakens security. */
export function tlsWarnings(what: string, t: Partial<TlsConfig> | undefined): string[] {
  return t?.insecure_skip_verify ? [`TLS certificate verification is OFF for ${what} (tls.insecure_skip_verify: true): anyone on the network path can read and change this traffic, tokens included; use tls.ca_file instead`] : [];
}

// ------------------------------------------------------------------------------------ TLS

/** `ca` for a client: Node's roots + NODE_EXTRA_CA_CERTS + ca_file (an explicit `ca` replaces Node's store, so all are listed). */
export function tlsAgentOptions(t: Partial<TlsConfig> | undefined): https.AgentOptions {
  const out: https.AgentOptions = {};
  if (t?.insecure_skip_verify) out.rejectUnauthorized = false;
  if (t?.ca_file) {
    const extra = process.env.NODE_EXTRA_CA_CERTS ? readPem(process.env.NODE_EXTRA_CA_CERTS, 'NODE_EXTRA_CA_CERTS') : [];
    out.ca = [...tls.rootCertificates, ...extra, ...readPem(t.ca_file, 'tls.ca_file')];
  }
  return out;
}

function readPem(file: string, setting: string): string[] {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new Error(`[net] ${setting}: cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  const certs = text.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  if (certs.length === 0) throw new Error(`[net] ${setting}: ${file} holds no PEM certificate`);
  return certs;
}

// ------------------------------------------------------------------------------------ connect timeout

function connectTimeoutError(ms: number): Error {
  return Object.assign(new Error(`connect timed out after ${ms} ms`), { code: CONNECT_TIMEOUT_CODE });
}

/** Destroys a socket that has not connected (and for TLS, finished its handshake) within `ms`. */
function guardConnect(socket: net.Socket, ms: number, secure: boolean): net.Socket {
  const timer = setTimeout(() => socket.destroy(connectTimeoutError(ms)), ms);
  timer.unref();
  const done = () => clearTimeout(timer);
  socket.once(secure ? 'secureConnect' : 'connect', done);
  socket.once('close', done);
  return socket;
}

class TimedHttpAgent extends http.Agent {
  constructor(
    private readonly connectMs: number,
    options: http.AgentOptions,
  ) {
    super(options);
  }
  override createConnection(options: net.NetConnectOpts, cb?: (err: Error | null, s: net.Socket) => void): net.Socket {
    // @ts-expect-error createConnection is not in @types/node's Agent, but is Node's documented hook
    return guardConnect(super.createConnection(options, cb) as net.Socket, this.connectMs, false);
  }
}

class TimedHttpsAgent extends https.Agent {
  constructor(
    private readonly connectMs: number,
    options: https.AgentOptions,
  ) {
    super(options);
  }
  override createConnection(options: tls.ConnectionOptions, cb?: (err: Error | null, s: net.Socket) => void): net.Socket {
    // @ts-expect-error see TimedHttpAgent
    return guardConnect(super.createConnection(options, cb) as net.Socket, this.connectMs, true);
  }
}

/** The proxy agents connect in an async `connect()`: race it against the connect timeout. */
function timedConnect<T extends HttpProxyAgent<string> | HttpsProxyAgent<string>>(agent: T, ms: number): T {
  const connect = agent.connect.bind(agent) as (req: http.ClientRequest, opts: never) => Promise<unknown>;
  (agent as { connect: unknown }).connect = (req: http.ClientRequest, opts: never) => {
    let timer: NodeJS.Timeout | undefined;
    const attempt = Promise.resolve(connect(req, opts));
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        reject(connectTimeoutError(ms));
        // a tunnel that opens after all is closed at once
        attempt.then((s) => (s as net.Socket | undefined)?.destroy?.(), () => undefined);
      }, ms);
      timer.unref();
    });
    return Promise.race([attempt, deadline]).finally(() => clearTimeout(timer));
  };
  return agent;
}
