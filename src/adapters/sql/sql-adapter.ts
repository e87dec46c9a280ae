/**
 * The sql source adapter (DESIGN §6): reads a local app's database in `(updated_at, id)` keyset
 * batches through one of three drivers (mysql-, postgres-, sqlite-driver.ts), on read-only
 * sessions, and keeps the watermark in the database's own text so it round-trips exactly.
 */
import pRetry, { AbortError } from 'p-retry';
import type { AdapterContext, AdapterFactory, CheckResult, ReadOptions, SourceAdapter, SourceBatch, SourceRecord } from '../adapter.js';
import { AdapterError } from '../errors.js';
import { sha256, stableStringify } from '../../util/stable-json.js';
import { MysqlDriver } from './mysql-driver.js';
import { PostgresDriver } from './postgres-driver.js';
import { sqlConfigSchema, type SqlConfig } from './sql-config.js';
import { classifySqlError, describeConnection, errorCode, type SqlDriver, type SqlRows } from './sql-driver.js';
import { bindParams, buildTableQueries, translateNamedParams, type SqlParamName, type SqlValue } from './sql-query.js';
import { compareDbTime, dbTimeToIso, formatDbTime, parseDbTime, type DbTime, type TimeShape } from './sql-time.js';
import { SqliteDriver } from './sqlite-driver.js';

/**
 * Where to resume: the last `(updated_at, id)` made durable, both exactly as the database gave
 * them, so passing them back compares exactly. `id: null` means every row at `updated_at` is read.
 */
export interface SqlCursor {
  readonly updated_at: DbTime;
  readonly id: string | number | null;
}

/**
 * The cursor of a batch none of whose rows has a key, as the adapter has always written it; read
 * back, it means "no cursor" (it is no time of any column type but text).
 */
export const SQL_FLOOR_TIME = '1000-01-01 00:00:00';

/**
 * A user's query on a first run (and `sync --full`) gets NULL for `:since_updated_at`: the
 * documented shape reads everything then, whatever the column's type. A query written without the
 * `IS NULL` branch returns nothing with NULL; for it these lower bounds are tried, in order: the
 * text floor (date-time and text columns; MySQL reads it as 1000 for a number column), then a
 * number below every epoch since 1901 that fits even a 32-bit integer column.
 */
const FALLBACK_FLOORS: readonly (string | number)[] = [SQL_FLOOR_TIME, -2_147_483_648];

/** How a backfill time is written when neither a cursor nor a row shows the column's own form. */
const DEFAULT_SHAPE: TimeShape = { kind: 'text', separator: ' ', hasTime: true, hasSeconds: true, fractionDigits: 3, offsetStyle: 'none', offsetMinutes: 0 };

interface Statement {
  readonly sql: string;
  readonly order: readonly SqlParamName[];
}

export function createSqlDriver(config: SqlConfig, ctx: AdapterContext): SqlDriver {
  switch (config.driver) {
    case 'mysql':
      return new MysqlDriver(config, ctx.logger);
    case 'postgres':
      return new PostgresDriver(config, ctx.logger);
    default:
      return new SqliteDriver(config);
  }
}

export class SqlAdapter implements SourceAdapter<SqlCursor> {
  readonly kind = 'sql';
  readonly capabilities = { incremental: true, writeBack: false } as const;
  /** For messages: driver, user, host, port, database (never the password). */
  readonly where: string;
  private driver: SqlDriver | undefined;
  /** What a user's query got for `:since_updated_at` on a first run and returned rows with. */
  private firstFloor: SqlValue | undefined;
  private readonly first: Statement;
  private readonly next: Statement;

  constructor(
    private readonly config: SqlConfig,
    private readonly ctx: AdapterContext,
    private readonly makeDriver: (config: SqlConfig, ctx: AdapterContext) => SqlDriver = createSqlDriver,
  ) {
    this.where = describeConnection(config);
    const text = config.table !== undefined ? buildTableQueries(config.driver, config.table, config.columns) : { first: config.query as string, next: config.query as string };
    this.first = translateNamedParams(text.first, config.driver);
    this.next = translateNamedParams(text.next, config.driver);
  }

  /** Connects lazily: a database that is down must not keep the bridge from starting. */
  async open(): Promise<void> {}

  async close(): Promise<void> {
    const driver = this.driver;
    this.driver = undefined;
    await driver?.close();
  }

  /**
   * Keyset walk (DESIGN §6) on a true `(updated_at, id)` tuple: each batch starts strictly after
   * the last row of the one before, so groups of equal timestamps larger than a batch need no page
   * numbers, and a row edited mid-walk moves to the end and is read there.
   */
  async *read(saved: SqlCursor | undefined, options: ReadOptions = {}): AsyncIterable<SourceBatch<SqlCursor>> {
    const { batch_size, timezone, columns } = this.config;
    const cap = this.ctx.now().getTime() - this.config.incremental.clock_skew;
    const from = this.usableCursor(saved);

    let key: SqlCursor | undefined;
    if (options.since) key = await this.backfillKey(options.since, from, options.signal);
    else if (!options.full && from) key = this.lookbackKey(from);
    // a backfill that starts after the saved cursor must not move it past records it skipped
    const fromMs = from ? parseDbTime(from.updated_at, timezone)?.ms : undefined;
    const hold = options.since && fromMs !== undefined && options.since.getTime() > fromMs ? from : undefined;
    let cursor = from;
    // rows arrive in the database's own (updated_at, id) order, so once the walk is past the
    // saved cursor each row's key is the new cursor; before that (lookback, full re-scan) the
    // cursor must not move back
    let passed = from === undefined;

    for (;;) {
      options.signal?.throwIfAborted();
      const { rows, timestampColumns } = await this.fetch(key, batch_size, options.signal);
      if (rows.length === 0) return;
      this.checkColumns(rows[0] as Record<string, unknown>);
      const records = rows.map((row) => this.toRecord(row, timestampColumns));
      for (const row of rows) {
        const rowKey = this.keyOf(row);
        if (!rowKey) continue;
        // a time that cannot be capped must never become the cursor: the run stops instead
        this.checkTime(rowKey.updated_at);
        passed ||= from !== undefined && surelyAfter(rowKey, from, timezone);
        if (passed) cursor = this.capped(rowKey, cap);
      }
      yield { records, cursor: hold ?? cursor ?? { updated_at: SQL_FLOOR_TIME, id: null } };

      if (rows.length < batch_size) return;
      const last = rows[rows.length - 1] as Record<string, unknown>;
      const lastTime = timeValue(last[columns.updated_at]);
      if (lastTime === undefined) {
        throw new AdapterError('SOURCE_CONFIG', this.ctx.sourceId, `${this.where}: a full batch ends with a row whose "${columns.updated_at}" is NULL; the query must leave such rows out (… IS NOT NULL) so the walk can go on`, false);
      }
      const nextKey: SqlCursor = { updated_at: lastTime, id: idValue(last[columns.id]) ?? null };
      if (key && String(nextKey.updated_at) === String(key.updated_at) && String(nextKey.id) === String(key.id)) {
        throw new AdapterError('SOURCE_CONFIG', this.ctx.sourceId, `${this.where}: the query returned the same last row again; it must filter on (${columns.updated_at}, ${columns.id}) > (:since_updated_at, :since_id) and ORDER BY ${columns.updated_at}, ${columns.id}`, false);
      }
      key = nextKey;
    }
  }

  /**
   * A saved cursor the adapter cannot read as a time (the floor, or one an older version saved)
   * is no cursor: everything is read again, and the ledger skips what it has. Never a skip.
   */
  private usableCursor(saved: SqlCursor | undefined): SqlCursor | undefined {
    if (!saved || isFloor(saved)) return undefined;
    if (parseDbTime(saved.updated_at, this.config.timezone)) return saved;
    this.ctx.logger.warn('sql: the saved cursor is not a time the adapter can read; reading from the start (the ledger skips what it already has)', { source: this.ctx.sourceId, cursor_shape: valueShape(saved.updated_at) });
    return undefined;
  }

  /** Connects and runs the query with limit 1, on a connection of its own (a read may be running). */
  async check(): Promise<CheckResult> {
    const driver = this.makeDriver(this.config, this.ctx);
    try {
      const { rows, floor } = await this.runFirst(driver, 1);
      const first = rows[0];
      if (first) {
        this.checkColumns(first);
        const time = timeValue(first[this.config.columns.updated_at]);
        if (time !== undefined) this.checkTime(time);
      }
      const head = `[${this.ctx.sourceId}] ${this.where}: the query answers`;
      if (floor !== undefined) return { ok: true, message: `${head}, but with warnings: ${this.nullProblem(floor)}` };
      if (rows.length) return { ok: true, message: head };
      // the built query has no lower bound on a first run: no rows means an empty table
      if (this.config.table !== undefined) return { ok: true, message: `${head} (no rows yet)` };
      return { ok: true, message: `${head} (no rows yet; if the table has rows, the query must return them when :since_updated_at is NULL, see docs/sources-sql.md)` };
    } catch (err) {
      return { ok: false, message: this.toAdapterError(err).message };
    } finally {
      await driver.close().catch(() => undefined);
    }
  }

  private get db(): SqlDriver {
    this.driver ??= this.makeDriver(this.config, this.ctx);
    return this.driver;
  }

  private async run(driver: SqlDriver, key: SqlCursor | undefined, limit: number): Promise<SqlRows> {
    if (!key) return this.runFirst(driver, limit);
    return this.runWith(driver, this.next, key.updated_at, key.id, limit);
  }

  private async runWith(driver: SqlDriver, stmt: Statement, since: SqlValue, sinceId: SqlValue, limit: number): Promise<SqlRows> {
    try {
      return await driver.query(stmt.sql, bindParams(stmt.order, { since_updated_at: since, since_id: sinceId, limit }));
    } catch (err) {
      throw this.toAdapterError(err);
    }
  }

  /**
   * The first batch (no cursor): the built query has no lower bound; a user's query gets NULL, and
   * only when that returns nothing, the fallback floors (see FALLBACK_FLOORS). `floor` says which
   * one answered instead of NULL.
   */
  private async runFirst(driver: SqlDriver, limit: number): Promise<SqlRows & { floor?: string | number }> {
    if (this.config.table !== undefined) return this.runWith(driver, this.first, null, null, limit);
    if (this.firstFloor !== undefined) {
      const result = await this.runWith(driver, this.first, this.firstFloor, null, limit);
      return this.firstFloor === null ? result : { ...result, floor: this.firstFloor };
    }
    const result = await this.runWith(driver, this.first, null, null, limit);
    if (result.rows.length) {
      this.firstFloor = null;
      return result;
    }
    for (const floor of FALLBACK_FLOORS) {
      let rows: SqlRows;
      try {
        rows = await this.runWith(driver, this.first, floor, null, limit);
      } catch (err) {
        // the floor's type does not fit the column (PostgreSQL says so); a lost connection is retried
        if (err instanceof AdapterError && err.retriable) throw err;
        continue;
      }
      if (!rows.rows.length) continue;
      this.firstFloor = floor;
      this.ctx.logger.warn(`sql: ${this.nullProblem(floor)}`, { source: this.ctx.sourceId });
      return { ...rows, floor };
    }
    return result;
  }

  private nullProblem(floor: string | number): string {
    const { id, updated_at } = this.config.columns;
    return (
      `the query returns no rows when :since_updated_at is NULL (a first run, sync --full), so ${typeof floor === 'string' ? `'${floor}'` : floor} is used instead, ` +
      `which fits only some column types; add the NULL branch: WHERE (${updated_at} > :since_updated_at OR (${updated_at} = :since_updated_at AND ${id} > :since_id) OR :since_updated_at IS NULL) (docs/sources-sql.md)`
    );
  }

  /** A watermark time the adapter cannot read cannot be capped nor looked back from: the run stops. */
  private checkTime(time: DbTime): void {
    if (parseDbTime(time, this.config.timezone)) return;
    const column = this.config.columns.updated_at;
    throw new AdapterError(
      'SOURCE_CONFIG',
      this.ctx.sourceId,
      `${this.where}: "${column}" (columns.updated_at) has a value shaped like "${valueShape(time)}", which the adapter cannot read as a time, so it cannot keep the cursor behind the clock skew or look back; ` +
        `return it as a date-time column, ISO 8601 text (2024-03-01 08:00:00, optionally .SSS and an offset) or epoch seconds/milliseconds, e.g. converted in the query; the cursor was not moved`,
      false,
    );
  }

  /** Reads are idempotent, so a lost connection or a busy server is retried a few times. */
  private async fetch(key: SqlCursor | undefined, limit: number, signal?: AbortSignal): Promise<SqlRows> {
    return pRetry(
      async () => {
        try {
          return await this.run(this.db, key, limit);
        } catch (err) {
          if (err instanceof AdapterError && !err.retriable) throw new AbortError(err);
          throw err;
        }
      },
      { retries: 3, minTimeout: 200, maxTimeout: 2000, randomize: true, signal },
    );
  }

  private toAdapterError(err: unknown): AdapterError {
    if (err instanceof AdapterError) return err;
    const code = errorCode(err);
    let detail = err instanceof Error ? err.message : String(err);
    if (code && !detail.includes(code)) detail += ` (${code})`;
    // PostgreSQL types a parameter at its first use, and `$1 IS NULL` says nothing about it
    // the read runs in a read-only transaction (issue #10): a query that writes, directly or through a function, stops here
    if (code === '25006' || code === 'ER_CANT_EXECUTE_IN_READ_ONLY_TRANSACTION' || code === 'SQLITE_READONLY') detail += '; the source query runs on a read-only connection and must only read';
    if (code === '42P08') detail += '; write ":since_updated_at IS NULL" after the comparisons (… OR :since_updated_at IS NULL), or cast it (:since_updated_at::timestamptz IS NULL)';
    const secret = this.config.password?.reveal();
    if (secret) detail = detail.split(secret).join('[secret]');
    const message = `${this.where}: ${detail}`;
    switch (classifySqlError(err)) {
      case 'auth':
        return new AdapterError('SOURCE_AUTH', this.ctx.sourceId, `${message}; check the source's credentials and grants`, false);
      case 'config':
        return new AdapterError('SOURCE_CONFIG', this.ctx.sourceId, message, false);
      case 'unreachable':
        return new AdapterError('SOURCE_UNREACHABLE', this.ctx.sourceId, message, true);
      default:
        return new AdapterError('SOURCE_BAD_RESPONSE', this.ctx.sourceId, message, false);
    }
  }

  private checkColumns(row: Record<string, unknown>): void {
    for (const [role, name] of Object.entries(this.config.columns)) {
      if (!(name in row)) {
        throw new AdapterError('SOURCE_CONFIG', this.ctx.sourceId, `${this.where}: the result has no column "${name}" (columns.${role}); it has ${Object.keys(row).join(', ')}`, false);
      }
    }
  }

  private toRecord(row: Record<string, unknown>, timestampColumns: ReadonlySet<string>): SourceRecord {
    const raw: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(row)) raw[k] = rawValue(v, timestampColumns.has(k), this.config.timezone);
    const id = idValue(row[this.config.columns.id]);
    if (id === undefined || id === '') {
      // quarantined under a stable made-up key, so one bad row never blocks the source
      return { externalId: `noid:${sha256(stableStringify(raw)).slice(0, 16)}`, raw, problem: `source.external_id: the row has no "${this.config.columns.id}"` };
    }
    return { externalId: String(id), raw };
  }

  private keyOf(row: Record<string, unknown>): SqlCursor | undefined {
    const time = timeValue(row[this.config.columns.updated_at]);
    const id = idValue(row[this.config.columns.id]);
    return time === undefined || id === undefined ? undefined : { updated_at: time, id };
  }

  /** Never later than the run start minus the clock skew: then "everything up to the cap is read". */
  private capped(key: SqlCursor, cap: number): SqlCursor {
    const t = parseDbTime(key.updated_at, this.config.timezone);
    if (t && (t.ms > cap || (t.ms === cap && t.subMs !== ''))) return { updated_at: formatDbTime(cap, t.shape, this.config.timezone), id: null };
    return key;
  }

  /** The first batch after a saved cursor starts `lookback` before it; re-reads are deduplicated. */
  private lookbackKey(from: SqlCursor): SqlCursor {
    const lookback = this.config.incremental.lookback;
    const t = parseDbTime(from.updated_at, this.config.timezone);
    if (lookback === 0 || !t) return from;
    return { updated_at: formatDbTime(t.ms - lookback, t.shape, this.config.timezone), id: null };
  }

  /** `sync --since`: the time is written the way the column writes its own values. */
  private async backfillKey(since: Date, from: SqlCursor | undefined, signal?: AbortSignal): Promise<SqlCursor> {
    const tz = this.config.timezone;
    let shape = from ? parseDbTime(from.updated_at, tz)?.shape : undefined;
    if (!shape) {
      const { rows } = await this.fetch(undefined, 1, signal);
      shape = parseDbTime(timeValue(rows[0]?.[this.config.columns.updated_at]), tz)?.shape;
    }
    // one millisecond earlier, so a row exactly at `since` is read (the key is exclusive)
    return { updated_at: formatDbTime(since.getTime() - 1, shape ?? DEFAULT_SHAPE, tz), id: null };
  }
}

function timeValue(v: unknown): DbTime | undefined {
  if (v === null || v === undefined) return undefined;
  if (typeof v === 'string' || typeof v === 'number') return v;
  if (v instanceof Date) return v.toISOString();
  if (Buffer.isBuffer(v)) return v.toString('utf8');
  return String(v);
}

function idValue(v: unknown): string | number | undefined {
  if (v === null || v === undefined) return undefined;
  if (typeof v === 'string' || typeof v === 'number') return v;
  if (Buffer.isBuffer(v)) return v.toString('utf8');
  return String(v);
}

function isFloor(c: SqlCursor): boolean {
  return c.updated_at === SQL_FLOOR_TIME && c.id === null;
}

/** What a value looks like without what it says: digits as 9, letters as a (for messages and logs). */
export function valueShape(v: unknown): string {
  const text = String(v);
  const shape = text.slice(0, 40).replace(/\p{Nd}/gu, '9').replace(/\p{L}/gu, 'a');
  return text.length > 40 ? `${shape}…` : shape;
}

function rawValue(v: unknown, isTimestamp: boolean, timezone: string): unknown {
  if (v instanceof Date) return v.toISOString();
  if (Buffer.isBuffer(v)) return v.toString('utf8');
  if (typeof v === 'bigint') return String(v);
  if (isTimestamp && typeof v === 'string') return dbTimeToIso(v, timezone) ?? v;
  return v;
}

const INTEGER_RE = /^-?\d+$/;

/**
 * Is `key` past `from`? Times compare exactly (below the millisecond too); on a tie, integer ids
 * compare as numbers, but text ids only as "not sure" (the database's collation decides), which
 * keeps the cursor where it was: a re-read, never a skip.
 */
function surelyAfter(key: SqlCursor, from: SqlCursor, timezone: string): boolean {
  const a = parseDbTime(key.updated_at, timezone);
  const b = parseDbTime(from.updated_at, timezone);
  // a time the adapter cannot read is compared as text, as the database compares text columns
  const x = String(key.updated_at);
  const y = String(from.updated_at);
  const byTime = a && b ? compareDbTime(a, b) : x === y ? 0 : x < y ? -1 : 1;
  if (byTime !== 0) return byTime > 0;
  if (from.id === null || key.id === null) return false; // null: the whole group is read already
  if (INTEGER_RE.test(String(key.id)) && INTEGER_RE.test(String(from.id))) return BigInt(key.id) > BigInt(from.id);
  return false;
}

export const sqlAdapterFactory: AdapterFactory<SqlConfig> = {
  kind: 'sql',
  description: 'SQL query against MariaDB/MySQL, PostgreSQL or SQLite: read-only session, (updated_at, id) keyset watermark',
  configSchema: sqlConfigSchema as unknown as AdapterFactory<SqlConfig>['configSchema'],
  create: (config, ctx) => new SqlAdapter(config, ctx),
};
