/**
 * The daemon's HTTP endpoint (loopback by default): `/healthz` (the process is alive),
 * `/readyz` (ledger writable, destination not paused, last run of every source not failed) and
 * `/metrics` (Prometheus), and the audit dashboard under `/dashboard` when configured. Read-only:
 * nothing here changes the ledger.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import type { AddressInfo } from 'node:net';
import type { SqliteLedger } from '../ledger/sqlite-ledger.js';
import { mountDashboard, type DashboardOptions } from './dashboard/dashboard.js';
import type { BridgeMetrics } from './metrics.js';

export interface ReadinessSources {
  readonly ledger: () => SqliteLedger | undefined;
  readonly destination: () => string;
  readonly sources: () => readonly string[];
  readonly lastResult: (job: string) => 'ok' | 'failed' | undefined;
}

export interface ReadinessReport {
  readonly ready: boolean;
  readonly checks: { name: string; ok: boolean; detail: string }[];
}

export function readiness(s: ReadinessSources): ReadinessReport {
  const checks: ReadinessReport['checks'] = [];
  const ledger = s.ledger();
  if (!ledger) checks.push({ name: 'ledger', ok: false, detail: 'not open (starting or reloading)' });
  else {
    try {
      // a write transaction that changes nothing: proves the file is writable and not locked out
      ledger.db.prepare('BEGIN IMMEDIATE').run();
      ledger.db.prepare('ROLLBACK').run();
      checks.push({ name: 'ledger', ok: true, detail: 'writable' });
    } catch (err) {
      checks.push({ name: 'ledger', ok: false, detail: (err as Error).message });
    }
    const pause = ledger.destinationPause(s.destination());
    checks.push({ name: `destination ${s.destination()}`, ok: !pause.paused, detail: pause.paused ? `paused since ${pause.since}: ${pause.reason}` : 'not paused' });
  }
  for (const id of s.sources()) {
    const last = s.lastResult(`source:${id}`);
    checks.push({ name: `source ${id}`, ok: last !== 'failed', detail: last === undefined ? 'no run yet' : `last run ${last}` });
  }
  return { ready: checks.every((c) => c.ok), checks };
}

export interface HttpServerOptions {
  readonly host: string;
  readonly port: number;
  readonly metrics: BridgeMetrics;
  readonly readiness: ReadinessSources;
  /** The read-only audit dashboard under /dashboard (when `dashboard.token` is configured). */
  readonly dashboard?: DashboardOptions;
}

export class BridgeHttpServer {
  private app: FastifyInstance | undefined;

  constructor(private readonly o: HttpServerOptions) {}

  async start(): Promise<{ host: string; port: number }> {
    const app = Fastify({ logger: false });
    app.get('/healthz', async () => ({ status: 'ok' }));
    app.get('/readyz', async (_req, reply) => {
      const report = readiness(this.o.readiness);
      return reply.code(report.ready ? 200 : 503).send(report);
    });
    app.get('/metrics', async (_req, reply) => {
      reply.header('content-type', this.o.metrics.registry.contentType);
      return this.o.metrics.registry.metrics();
    });
    // the dashboard's SLA pages use the daemon's rules and calendar unless given their own
    if (this.o.dashboard) await mountDashboard(app, { sla: () => this.o.metrics.slaSetup(), ...this.o.dashboard });
    await app.listen({ host: this.o.host, port: this.o.port });
    this.app = app;
    const address = app.server.address() as AddressInfo;
    return { host: address.address, port: address.port };
  }

  async stop(): Promise<void> {
    await this.app?.close();
    this.app = undefined;
  }
}
