/**
 * The composition root: turns loaded settings into live parts (ledger, sink, source adapters)
 * and closes them again. Commands and the daemon get their parts from here, never build them.
 */
import type { Logger } from 'winston';
import type { SourceAdapter } from './adapters/adapter.js';
import { acquireLedgerLock } from './ledger/ledger-lock.js';
import { SqliteLedger } from './ledger/sqlite-ledger.js';
import type { CompiledMapping } from './mapping/compile-mapping.js';
import type { LoadedSettings } from './settings/load-settings.js';
import { LaporLegacyXmlSink } from './sinks/lapor-legacy-xml/lapor-legacy-xml-sink.js';
import { LaporV3Sink } from './sinks/lapor-v3/lapor-v3-sink.js';
import { attachmentSourceOrigins } from './sinks/attachment-fetch.js';
import { tlsWarnings, type TlsConfig } from './net/http-client.js';
import type { Sink } from './sinks/sink.js';
import { CircuitBreaker } from './sync/circuit-breaker.js';
import type { RetryPolicy } from './sync/retry-policy.js';

export interface BridgeSource {
  readonly id: string;
  readonly kind: string;
  readonly schedule: string;
  readonly adapter: SourceAdapter;
  readonly mapping: CompiledMapping;
}

export interface Bridge {
  readonly config: LoadedSettings;
  readonly ledger: SqliteLedger;
  readonly sink: Sink;
  readonly sources: readonly BridgeSource[];
  readonly logger: Logger;
  /** The clock every part uses (injected in tests). */
  readonly now: () => Date;
  readonly retryPolicy: RetryPolicy;
  /** Destination health across delivery passes. */
  readonly breaker: CircuitBreaker;
  /** Rows found in `sending` at open (a crash mid-send), now in_doubt. */
  readonly recoveredAtStart: number;
  close(): Promise<void>;
}

export interface OpenBridgeOptions {
  readonly logger: Logger;
  /** Turn rows left in `sending` into in_doubt (default true; false for a dry run, which writes nothing). */
  readonly recover?: boolean;
  readonly now?: () => Date;
}

export function createSink(config: LoadedSettings, now?: () => Date): Sink {
  const d = config.settings.destination;
  switch (d.dialect) {
    case 'lapor-v3':
      // attachments of a source may come from its own configured host (issue #10)
      return new LaporV3Sink(d, { inCallRetries: config.settings.delivery.in_call_retries, now, attachmentSources: attachmentSourceOrigins(config.sources) });
    case 'lapor-legacy-xml':
      return new LaporLegacyXmlSink(d, { inCallRetries: config.settings.delivery.in_call_retries, now });
  }
}

export async function openBridge(config: LoadedSettings, options: OpenBridgeOptions): Promise<Bridge> {
  const now = options.now ?? (() => new Date());
  const lock = acquireLedgerLock(config.ledgerPath);
  let ledger: SqliteLedger;
  try {
    ledger = SqliteLedger.open(config.ledgerPath, { piiKey: config.settings.ledger.pii_key?.reveal(), now });
  } catch (err) {
    lock.release();
    throw err;
  }
  // we hold the only writer lock: a row still `sending` belongs to a process that died mid-send
  const recovered = options.recover === false ? 0 : ledger.recoverInterruptedSends();
  if (recovered) options.logger.warn('interrupted sends found at start-up are now in doubt and will be reconciled', { count: recovered });
  const sink = createSink(config, now);
  for (const w of tlsWarnings('the destination', (config.settings.destination as { tls?: TlsConfig }).tls)) options.logger.warn(w);
  const sources: BridgeSource[] = [];
  try {
    for (const s of config.sources.filter((x) => x.enabled)) {
      const adapter = s.factory.create(s.adapterConfig as never, { sourceId: s.id, logger: options.logger, now });
      await adapter.open();
      ledger.ensureSource(s.id, s.adapterKind);
      sources.push({ id: s.id, kind: s.adapterKind, schedule: s.schedule, adapter, mapping: s.mapping });
    }
  } catch (err) {
    for (const s of sources) await s.adapter.close();
    ledger.close();
    lock.release();
    throw err;
  }
  const r = config.settings.delivery.retry;
  return {
    config,
    ledger,
    sink,
    sources,
    logger: options.logger,
    now,
    retryPolicy: { baseMs: r.base, maxMs: r.max, windowMs: r.window },
    recoveredAtStart: recovered,
    breaker: new CircuitBreaker(config.settings.delivery.circuit_breaker_failures),
    async close() {
      for (const s of sources) await s.adapter.close();
      await sink.close();
      ledger.close();
      lock.release();
    },
  };
}
