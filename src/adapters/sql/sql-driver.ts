/**
 * The one role each database driver plays for the sql adapter: run a read on a read-only session
 * and return plain rows, with timestamps left as the database's own text so they round-trip.
 * Drivers connect lazily (a database that is down must not stop the bridge from starting) and
 * reconnect after a lost connection; `close()` is idempotent.
 */
import type { SqlConfig } from './sql-config.js';
import type { SqlDriverName, SqlValue } from './sql-query.js';

export interface SqlRows {
  readonly rows: readonly Record<string, unknown>[];
  /** Result columns the database typed as a date-time; `raw` carries them as ISO 8601. */
  readonly timestampColumns: ReadonlySet<string>;
}

export interface SqlDriver {
  readonly name: SqlDriverName;
  query(sql: string, params: readonly SqlValue[]): Promise<SqlRows>;
  close(): Promise<void>;
}

/** Where a connection goes, for messages: driver, user, host, port, database — never the password. */
export function describeConnection(config: SqlConfig): string {
  if (config.driver === 'sqlite') return `sqlite ${config.file ?? '?'}`;
  const c = connectionTarget(config);
  return `${config.driver} ${c.user ? `${c.user}@` : ''}${c.host}:${c.port}/${c.database}`;
}

export interface ConnectionTarget {
  readonly host: string;
  readonly port: number;
  readonly database: string;
  readonly user?: string;
  /** Extra `?key=value` options of a url (e.g. sslmode). */
  readonly params: Readonly<Record<string, string>>;
}

export function connectionTarget(config: SqlConfig): ConnectionTarget {
  const defaultPort = config.driver === 'mysql' ? 3306 : 5432;
  if (config.url !== undefined) {
    const url = new URL(config.url);
    return {
      host: decodeURIComponent(url.hostname.replace(/^\[|\]$/g, '')),
      port: url.port ? Number(url.port) : defaultPort,
      database: decodeURIComponent(url.pathname.replace(/^\//, '')),
      user: url.username ? decodeURIComponent(url.username) : undefined,
      params: Object.fromEntries(url.searchParams),
    };
  }
  return { host: config.host ?? 'localhost', port: config.port ?? defaultPort, database: config.database ?? '', user: config.user, params: {} };
}

/** The error's driver code (ER_ACCESS_DENIED_ERROR, 28P01, SQLITE_CANTOPEN, ECONNREFUSED, …). */
export function errorCode(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

export type SqlFailure = 'auth' | 'config' | 'unreachable' | 'other';

const UNREACHABLE = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE', 'PROTOCOL_CONNECTION_LOST', 'PROTOCOL_SEQUENCE_TIMEOUT', 'ER_CON_COUNT_ERROR', 'ER_LOCK_WAIT_TIMEOUT', 'ER_LOCK_DEADLOCK', 'ER_QUERY_INTERRUPTED', 'ER_SERVER_SHUTDOWN', 'ER_STATEMENT_TIMEOUT', 'SQLITE_BUSY', 'SQLITE_LOCKED']);
const AUTH = new Set(['ER_ACCESS_DENIED_ERROR', 'ER_DBACCESS_DENIED_ERROR', 'ER_TABLEACCESS_DENIED_ERROR', 'ER_COLUMNACCESS_DENIED_ERROR', 'ER_SPECIFIC_ACCESS_DENIED_ERROR', '28P01', '28000', '42501', 'SQLITE_AUTH', 'SQLITE_PERM', 'SQLITE_READONLY']);

/** One place decides what a database error means: fix the config, fix credentials, or try later. */
export function classifySqlError(err: unknown): SqlFailure {
  const code = errorCode(err) ?? '';
  if (AUTH.has(code)) return 'auth';
  if (UNREACHABLE.has(code) || /^(08|40|53|57P0)/.test(code) || code === '57014' || code.startsWith('SQLITE_IOERR')) return 'unreachable';
  if (/^ER_|^SQLITE_|^(3D|42|22|25|0A)/.test(code)) return 'config';
  if (/connection (terminated|closed|lost)|closed state|timeout|timed out|not connected/i.test((err as Error)?.message ?? '')) return 'unreachable';
  return 'other';
}
