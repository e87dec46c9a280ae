/**
 * Shared plumbing of the in-process simulators: the fastify server lifecycle (start/stop on
 * 127.0.0.1, port 0 by default), WIB time formatting and a small seeded PRNG.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import type { AddressInfo } from 'node:net';

export interface ListenOptions {
  /** TCP port; 0 (the default) picks a free one. */
  port?: number;
  /** Interface to bind; default 127.0.0.1 (loopback only). */
  host?: string;
}

/** Base class: owns one fastify instance per start(), so a stopped simulator can start again with its data. */
export abstract class HttpSimulator {
  private app: FastifyInstance | undefined;
  private boundPort: number | undefined;
  private readonly wantedPort: number;
  protected readonly host: string;

  protected constructor(options: ListenOptions) {
    this.wantedPort = options.port ?? 0;
    this.host = options.host ?? '127.0.0.1';
  }

  /** Registers the routes on a fresh instance. */
  protected abstract build(app: FastifyInstance): Promise<void> | void;

  /** Starts listening; returns `url`. Calling it while running is a no-op. */
  async start(): Promise<string> {
    if (!this.app) {
      const app = Fastify({ logger: false, forceCloseConnections: true, bodyLimit: 16 * 1024 * 1024 });
      await this.build(app);
      await app.listen({ port: this.wantedPort, host: this.host });
      this.boundPort = (app.server.address() as AddressInfo).port;
      this.app = app;
    }
    return this.url;
  }

  /** Stops listening and drops open connections; the simulated data is kept. */
  async stop(): Promise<void> {
    const app = this.app;
    this.app = undefined;
    this.boundPort = undefined;
    if (app) await app.close();
  }

  get running(): boolean {
    return this.app !== undefined;
  }

  /** The bound port; throws when not started. */
  get port(): number {
    if (this.boundPort === undefined) throw new Error(`[${this.name}] simulator is not started`);
    return this.boundPort;
  }

  /** `http://host:port` of the running server. */
  get origin(): string {
    const host = this.host === '0.0.0.0' ? '127.0.0.1' : this.host === '::' ? '[::1]' : this.host.includes(':') ? `[${this.host}]` : this.host;
    return `http://${host}:${this.port}`;
  }

  abstract get url(): string;

  protected abstract get name(): string;
}

const WIB_OFFSET_MS = 7 * 3600_000;

function wibParts(ms: number): { y: string; mo: string; d: string; h: string; mi: string; s: string } {
  const iso = new Date(ms + WIB_OFFSET_MS).toISOString(); // YYYY-MM-DDTHH:mm:ss.sssZ, shifted to WIB
  return { y: iso.slice(0, 4), mo: iso.slice(5, 7), d: iso.slice(8, 10), h: iso.slice(11, 13), mi: iso.slice(14, 16), s: iso.slice(17, 19) };
}

/** `2024-03-01T10:00:00+07:00` (seconds precision). WIB has no DST, so a fixed offset is exact. */
export function isoWib(ms: number): string {
  const p = wibParts(ms);
  return `${p.y}-${p.mo}-${p.d}T${p.h}:${p.mi}:${p.s}+07:00`;
}

/** `2024-03-01 10:00:00`, local WIB wall time. */
export function localWib(ms: number): string {
  const p = wibParts(ms);
  return `${p.y}-${p.mo}-${p.d} ${p.h}:${p.mi}:${p.s}`;
}

/** `01-03-2024 10:00:00`, PHP's `d-m-Y H:i:s` in WIB. */
export function dmyWib(ms: number): string {
  const p = wibParts(ms);
  return `${p.d}-${p.mo}-${p.y} ${p.h}:${p.mi}:${p.s}`;
}

/** mulberry32: tiny, fast, good enough for test data; same seed, same sequence. */
export function mulberry32(seed: number): () => number {
  let a = seed | 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export function deepCopy<T>(value: T): T {
  return structuredClone(value);
}
